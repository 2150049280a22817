"""Rate limiting per client address (Flask-Limiter, in memory by default): 429 with Retry-After."""

import pytest

from tests.openapi import check_response
from web import create_app, default_config


def limited(engine, rate="3 per minute", **config):
    return create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": rate, **config})


def ask(client, address="10.0.0.1", **headers):
    return client.post("/api/ask", json={"question": "side effects?"}, environ_base={"REMOTE_ADDR": address},
                       headers=headers)


def test_over_the_limit_is_429_json_with_retry_after(engine):
    client = limited(engine).test_client()
    assert [ask(client).status_code for _ in range(3)] == [200, 200, 200]
    response = ask(client)
    assert response.status_code == 429
    check_response("/api/ask", "POST", 429, response.get_json())
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 61  # the window's end, rounded up
    assert "Retry-After" not in ask(client, "10.0.0.2").headers  # 200s carry no limiter headers


def test_pages_over_the_limit_get_a_429_page_with_retry_after(engine):
    client = limited(engine, "1 per minute").test_client()
    assert client.post("/", data={"question": "side effects?"}).status_code == 200
    response = client.post("/", data={"question": "side effects?"}, headers={"X-Fragment": "answer"})
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert "Too many questions" in response.get_data(as_text=True) and int(response.headers["Retry-After"]) >= 1
    assert client.post("/clinician", data={"text": "Ketamine works."}).status_code == 429  # one budget for asking
    assert ask(client, "127.0.0.1").status_code == 429


def test_each_client_address_has_its_own_budget(engine):
    client = limited(engine, "2 per minute").test_client()
    assert [ask(client, "10.0.0.1").status_code for _ in range(3)] == [200, 200, 429]
    assert ask(client, "10.0.0.2").status_code == 200


def test_reading_pages_and_probes_is_not_limited(engine):
    client = limited(engine, "1 per minute").test_client()
    ask(client), ask(client)
    for path in ("/", "/kiosk", "/sources", "/about", "/healthz", "/readyz", "/static/js/app.js"):
        assert client.get(path, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200, path


def test_a_forged_forwarded_for_does_not_escape_the_limit(engine):
    client = limited(engine, "2 per minute").test_client()
    codes = [ask(client, "10.0.0.1", **{"X-Forwarded-For": f"192.0.2.{i}"}).status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_counts(engine):
    client = limited(engine, "2 per minute", TRUSTED_PROXIES=1).test_client()
    for visitor in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        codes = [ask(client, "127.0.0.1", **{"X-Forwarded-For": visitor}).status_code for _ in range(2)]
        assert codes == [200, 200], visitor
    assert ask(client, "127.0.0.1", **{"X-Forwarded-For": "192.0.2.1"}).status_code == 429


def test_the_default_is_generous_enough_for_a_kiosk(engine):
    """A kiosk is one client address: a busy person asks far fewer than 60 questions a minute."""
    config = default_config({})
    assert config["RATE_LIMIT"] == "60 per minute" and config["RATE_LIMIT_STORAGE"] == "memory://"
    client = create_app({"ENGINE": engine, "TESTING": True}).test_client()
    assert all(ask(client).status_code == 200 for _ in range(40))


@pytest.mark.parametrize("env, rate, storage", [
    ({"BOT_RATE_LIMIT": "10 per second"}, "10 per second", "memory://"),
    ({"BOT_RATE_LIMIT": ""}, "", "memory://"),
    ({"BOT_RATE_LIMIT_STORAGE": "memory://?x=1"}, "60 per minute", "memory://?x=1"),
])
def test_limit_and_storage_come_from_the_environment(env, rate, storage):
    config = default_config(env)
    assert config["RATE_LIMIT"] == rate and config["RATE_LIMIT_STORAGE"] == storage


def test_an_empty_limit_turns_limiting_off(engine):
    client = limited(engine, "").test_client()
    assert all(ask(client).status_code == 200 for _ in range(70))
