"""Beyond one process: two gunicorn instances behind one nginx upstream, sharing state through a real
Redis (Debian's redis-server), all on free loopback ports with temporary folders, stopped afterwards.

They share one rate-limit budget, serve one index generation, and a client sees no difference when
one instance is killed. Without Redis reachable the limit falls back to per-worker counts: never an
error for the person asking.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.live import BackgroundLoad, gunicorn, nginx, redis, wait_for
from tests.test_web_live import folders  # noqa: F401 - the fixture: fixture knowledge, a real build
from web import create_app

pytestmark = pytest.mark.live


def test_two_instances_behind_one_proxy_share_one_budget_and_serve_one_generation(folders, tmp_path):  # noqa: F811
    shared = {"workers": 1, "rate_limit": "10 per minute", "BOT_TRUSTED_PROXIES": "1"}
    with redis(tmp_path) as url, \
            gunicorn(tmp_path / "a", *folders, BOT_REDIS_URL=url, **shared) as a, \
            gunicorn(tmp_path / "b", *folders, BOT_REDIS_URL=url, **shared) as b, \
            nginx(tmp_path, [a.port, b.port]) as proxy:
        generations = {a.request("GET", "/readyz").json()["generation"], b.request("GET", "/readyz").json()["generation"],
                       *(proxy.request("GET", "/readyz").json()["generation"] for _ in range(4))}
        assert len(generations) == 1 and None not in generations
        statuses = [proxy.ask("what are the side effects").status for _ in range(16)]
        # A forged X-Forwarded-For is replaced by nginx with the real address: no fresh budget.
        statuses.append(proxy.request("POST", "/api/ask", {"question": "side effects"},
                                      {"X-Forwarded-For": "203.0.113.9"}).status)
        assert statuses.count(200) == 10 and statuses.count(429) == 7, statuses
        asked = [server.log().count("web.events: api.ask status=") for server in (a, b)]
        assert all(n > 0 for n in asked) and sum(asked) == 17  # both answered: one budget between them


class Asking(BackgroundLoad):
    """Questions and readiness probes through the proxy from a few threads, nonstop, counting failures."""

    def __init__(self, endpoint, threads: int = 4):
        super().__init__(threads)
        self.endpoint = endpoint

    def request(self, n: int):
        if n % 4 == 0:
            return self.endpoint.request("GET", "/readyz")
        return self.endpoint.ask(["does ketamine help fibro", "is magnesium safe", "bladder"][n % 3], timeout=20)


def test_one_instance_killed_behind_the_proxy_fails_no_request(folders, tmp_path):  # noqa: F811
    with redis(tmp_path) as url, \
            gunicorn(tmp_path / "a", *folders, workers=1, BOT_REDIS_URL=url) as a, \
            gunicorn(tmp_path / "b", *folders, workers=1, BOT_REDIS_URL=url) as b, \
            nginx(tmp_path, [a.port, b.port]) as proxy:
        with Asking(proxy) as load:
            wait_for(lambda: load.done >= 100, what="100 requests before the kill")
            os.killpg(a.pid, signal.SIGKILL)  # the whole instance at once: master and worker, mid-request
            killed_at = load.done
            wait_for(lambda: a.process.poll() is not None, what="the instance to die")
            wait_for(lambda: load.done >= killed_at + 200, what="200 requests after the kill")
        assert load.failures == [], load.failures[:5]
        assert proxy.request("GET", "/readyz").status == 200
        print(f"\n{load.done} requests through nginx, {load.done - killed_at} after one of two instances was "
              "killed with SIGKILL: 0 failed")


def test_redis_shares_the_budget_between_apps_and_its_loss_is_no_error(engine, tmp_path):
    def app(url):
        return create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": "5 per minute", "REDIS_URL": url})

    with redis(tmp_path) as url:
        clients = [app(url).test_client() for _ in range(2)]
        statuses = [clients[n % 2].post("/api/ask", json={"question": "side effects?"}).status_code for n in range(8)]
        assert statuses == [200] * 5 + [429] * 3
        assert int(clients[0].post("/api/ask", json={"question": "side effects?"}).headers["Retry-After"]) >= 1
    # Redis has stopped: the limit falls back to this process's own counts, and nobody gets an error.
    statuses = [clients[0].post("/api/ask", json={"question": "side effects?"}).status_code for _ in range(7)]
    assert set(statuses) <= {200, 429} and 200 in statuses
    fresh = app(url).test_client()  # an app started while Redis is down starts and answers too
    assert fresh.post("/api/ask", json={"question": "side effects?"}).status_code == 200
