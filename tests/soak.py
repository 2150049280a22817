"""Soak test: the real server (gunicorn, tests/live.py) at a steady request rate, on loopback.

    python -m tests.soak [--seconds 300] [--rate 50] [--workers 2] [--proxy] [--knowledge DIR] [--index DIR]

`make soak` runs 5 minutes at 50 requests a second on the real knowledge base through nginx
(`--proxy`: deploy/nginx.conf in front, as `make serve` runs it; nginx's memory is sampled too). The mix is what
people send: questions (some follow-ups), clinician checks, form posts, pages, probes, and a few
bad requests whose 4xx is the expected answer. Before the clock starts every distinct request is
sent twice, so the per-worker answer caches are warm; then worker memory (VmRSS) is sampled. An
error is a failed connection, a 5xx, or any status other than the one expected. Exit 1 on any
error, or when a worker's memory grew by more than 10% between the start and the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from tests.live import ROOT, children, gunicorn, nginx, rss_kib

DATA = ROOT / "tests" / "data"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    body: object = None
    headers: tuple = ()
    expect: int = 200


def request_mix(seed: int = 7) -> list[Req]:
    """A fixed list of requests in the proportions of real use (questions first)."""
    from urllib.parse import urlencode

    rows = [json.loads(line) for line in (DATA / "dev_questions.jsonl").read_text().splitlines() if line.strip()]
    checks = [json.loads(line)["text"] for line in (DATA / "check_questions.jsonl").read_text().splitlines() if line.strip()]
    rng = random.Random(seed)
    mix = []
    for row in rows:
        body = {"question": row["question"], **({"history": row["history"]} if row.get("history") else {})}
        mix.append(Req("POST", "/api/ask", body))
    for text in checks[:40]:
        mix.append(Req("POST", "/api/check", {"text": text}))
    for row in rng.sample(rows, 40):
        form = urlencode({"question": row["question"], "card": "1"}).encode()
        mix.append(Req("POST", "/", form, (*FORM.items(), ("X-Fragment", "answer"))))
    for text in checks[40:55]:
        mix.append(Req("POST", "/clinician", urlencode({"text": text}).encode(), tuple(FORM.items())))
    mix += [Req("GET", path) for path in ("/", "/kiosk", "/about", "/sources", "/healthz", "/readyz") * 4]
    mix += [Req("POST", "/api/ask", {"question": 5}, expect=400), Req("POST", "/api/ask", {"q": "x"}, expect=400),
            Req("POST", "/api/ask", b"question=x", tuple(FORM.items()), expect=415),
            Req("GET", "/api/ask", expect=405)] * 3
    rng.shuffle(mix)
    return mix


def run(seconds: float, rate: float, workers: int = 2, knowledge: Path | None = None, index: Path | None = None,
        workdir: Path | None = None, say=print, proxy: bool = False) -> dict:
    knowledge = knowledge or ROOT / "knowledge"
    index = index or ROOT / "index"
    workdir = workdir or Path(tempfile.mkdtemp(prefix="soak-"))
    mix = request_mix()
    with gunicorn(workdir, knowledge, index, workers=workers, threads=4, rate_limit="",
                  BOT_TRUSTED_PROXIES=int(proxy)) as server, \
            (nginx(workdir, [server.port]) if proxy else nullcontext()) as front:
        target = front or server
        if target.request("GET", "/readyz").status != 200:
            raise SystemExit(f"the server is not ready: {target.request('GET', '/readyz').body.decode()}")
        say(f"warming up: {len(mix)} distinct requests, twice{' (through nginx)' if proxy else ''}")
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda r: send(target, r), mix * 2))
        pids = server.workers()
        proxies = _nginx_pids(front)
        start_rss = {pid: rss_kib(pid) for pid in pids}
        start_proxy = {pid: rss_kib(pid) for pid in proxies}
        say(f"soak: {rate:g} requests/s for {seconds:g} s; worker RSS at start (KiB): {start_rss}"
            + (f"; nginx: {start_proxy}" if proxy else ""))
        results = steady(target, mix, seconds, rate, say)
        end_rss = {pid: rss_kib(pid) for pid in pids}
        end_proxy = {pid: rss_kib(pid) for pid in proxies}
        replaced = server.workers() != pids
    result = report(results, start_rss, end_rss, replaced, seconds, rate)
    if proxy:
        result.update({"through": "nginx", "nginx_rss_kib_start": start_proxy, "nginx_rss_kib_end": end_proxy,
                       "nginx_rss_growth_percent": _growth(start_proxy, end_proxy)})
    return result


def _nginx_pids(front) -> list[int]:
    """nginx's master and its workers (from its pid file), or none."""
    if front is None:
        return []
    master = int((front.state_dir / "nginx.pid").read_text())
    return [master, *children(master)]


def _growth(start: dict, end: dict) -> dict:
    return {pid: round(100.0 * (end[pid] - start[pid]) / start[pid], 1) for pid in start if start[pid]}


def send(server, req: Req) -> tuple[bool, float, str]:
    started = time.perf_counter()
    try:
        reply = server.request(req.method, req.path, req.body, dict(req.headers), timeout=30)
        ok, what = reply.status == req.expect, f"{req.method} {req.path} -> {reply.status} (expected {req.expect})"
    except (OSError, http.client.HTTPException) as exc:
        ok, what = False, f"{req.method} {req.path} -> {exc!r}"
    return ok, (time.perf_counter() - started) * 1000.0, what


def steady(server, mix: list[Req], seconds: float, rate: float, say) -> list[tuple[bool, float, str]]:
    results: list = []
    lock = threading.Lock()

    def one(req: Req):
        outcome = send(server, req)
        with lock:
            results.append(outcome)

    total = int(seconds * rate)
    started = time.monotonic()
    with ThreadPoolExecutor(32) as pool:
        for i in range(total):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, mix[i % len(mix)])
            if i and i % int(rate * 30) == 0:
                say(f"  {time.monotonic() - started:5.0f} s: {i} sent, {sum(not ok for ok, _, _ in results)} errors")
    return results


def report(results, start_rss: dict, end_rss: dict, replaced: bool, seconds: float, rate: float) -> dict:
    latencies = sorted(ms for _, ms, _ in results)
    errors = [what for ok, _, what in results if not ok]
    growth = _growth(start_rss, end_rss)
    return {
        "seconds": seconds, "rate": rate, "requests": len(results), "errors": len(errors), "error_examples": errors[:5],
        "latency_ms": {"p50": round(statistics.median(latencies), 1), "p95": round(latencies[int(len(latencies) * 0.95)], 1),
                       "p99": round(latencies[int(len(latencies) * 0.99)], 1), "max": round(latencies[-1], 1)},
        "worker_rss_kib_start": start_rss, "worker_rss_kib_end": end_rss, "worker_rss_growth_percent": growth,
        "workers_replaced": replaced,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--rate", type=float, default=50, help="requests per second")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--proxy", action="store_true", help="through nginx (deploy/nginx.conf), as make serve runs it")
    parser.add_argument("--knowledge", type=Path)
    parser.add_argument("--index", type=Path)
    args = parser.parse_args(argv)
    result = run(args.seconds, args.rate, args.workers, args.knowledge, args.index,
                 say=lambda m: print(m, file=sys.stderr, flush=True), proxy=args.proxy)
    print(json.dumps(result, indent=2))
    growth = [*result["worker_rss_growth_percent"].values(), *result.get("nginx_rss_growth_percent", {}).values()]
    flat = all(abs(g) <= 10.0 for g in growth)
    return 0 if result["errors"] == 0 and flat and not result["workers_replaced"] else 1


if __name__ == "__main__":
    sys.exit(main())
