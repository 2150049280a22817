"""Security headers, privacy (no question in URLs, logs or cookies), config, serving, asset budget."""

import logging
import re
import runpy
from pathlib import Path

import pytest

from bot.errors import SettingsError
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.fakes import HashEmbedder
from web import create_app, default_config

WEB = Path(__file__).resolve().parent.parent / "web"
ROOT = WEB.parent
SECRET_QUESTION = "does ketamine help my zebrafish elbow pain"


@pytest.fixture
def app(engine):
    return create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": ""})


def responses(client, not_ready):
    yield client.get("/")
    yield client.post("/", data={"question": "side effects?"})
    yield client.post("/", data={"question": "side effects?"}, headers={"X-Fragment": "answer"})
    yield client.get("/kiosk")
    yield client.get("/sources")
    yield client.get("/about")
    yield client.get("/clinician")
    yield client.get("/static/css/site.css")
    yield client.get("/static/js/app.js")
    yield client.post("/api/ask", json={"question": "side effects?"})
    yield client.post("/api/ask", data="x", content_type="text/plain")
    yield client.get("/api/ask")
    yield client.get("/api/nope")
    yield client.get("/nope")
    yield client.get("/healthz")
    yield not_ready.get("/readyz")
    yield not_ready.get("/")


def test_every_response_has_the_security_headers(app, tmp_path):
    not_ready = create_app({"KNOWLEDGE_DIR": FIXTURE_KNOWLEDGE, "INDEX_DIR": tmp_path / "none",
                            "EMBEDDER": HashEmbedder(), "TESTING": True}).test_client()
    for response in responses(app.test_client(), not_ready):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in headers


def test_answers_are_never_cached(app):
    client = app.test_client()
    assert client.post("/", data={"question": "side effects?"}).headers["Cache-Control"] == "no-store"
    assert client.post("/api/ask", json={"question": "side effects?"}).headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_style_or_handlers():
    for path in (WEB / "templates").glob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"<style\b|\sstyle=", text), path
        assert not re.search(r"\son[a-z]+=", text), path


def test_rendered_pages_have_no_inline_script_or_style(app):
    client = app.test_client()
    for response in (client.get("/"), client.post("/kiosk", data={"question": "Does ketamine help fibro?"},
                                                  follow_redirects=True),
                     client.post("/", data={"question": "I want to end my life"}), client.get("/evidence"),
                     client.get("/take-home?s=fibro"), client.get("/clinician")):
        html = response.get_data(as_text=True)
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts == ['<script src="/static/js/app.js" defer>', '<script src="/static/js/answer-actions.js" defer>']
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=|javascript:", html)


def test_forms_only_post_so_no_question_lands_in_a_url(app):
    client = app.test_client()
    for html in (client.get("/").get_data(as_text=True), client.get("/kiosk").get_data(as_text=True),
                 client.post("/", data={"question": "side effects?"}).get_data(as_text=True)):
        forms = re.findall(r"<form\b[^>]*>", html)
        assert forms and all('method="post"' in form for form in forms)
    assert "method: \"POST\"" in (WEB / "static/js/app.js").read_text()
    assert "pushState" not in (WEB / "static/js/app.js").read_text()


def test_questions_are_not_logged(app, caplog):
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    client.post("/api/ask", json={"question": SECRET_QUESTION})
    client.post("/", data={"question": SECRET_QUESTION})
    client.post("/api/ask", json={"question": SECRET_QUESTION * 100})  # a 400
    assert SECRET_QUESTION not in caplog.text


def test_no_external_resources_are_referenced(app):
    client = app.test_client()
    html = client.post("/", data={"question": "side effects?"}).get_data(as_text=True)
    for attr in re.findall(r'(?:src|href)="([^"]+)"', html):
        if attr.startswith("http"):
            assert 'rel="noopener noreferrer"' in html  # source links only, never loaded resources
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="https?:', html)
    assert "http" not in (WEB / "static/css/site.css").read_text()


def test_own_assets_stay_under_100_kb(app):
    client = app.test_client()
    html = client.post("/", data={"question": "Does ketamine help fibro?"}).data
    assets = [client.get(f"/static/{name}").data for name in ("css/site.css", "js/app.js", "favicon.svg")]
    total = len(html) + sum(len(a) for a in assets)
    print(f"page HTML with an answer + CSS + JS + icon: {total / 1024:.1f} KB")
    assert total < 100 * 1024


def test_config_from_environment():
    config = default_config({"BOT_KIOSK_IDLE_SECONDS": "120", "BOT_KIOSK_WARNING_SECONDS": "45",
                             "BOT_RATE_LIMIT": "10 per minute"})
    assert config["KIOSK_IDLE_SECONDS"] == 120 and config["KIOSK_WARNING_SECONDS"] == 45
    assert config["RATE_LIMIT"] == "10 per minute"
    defaults = default_config({})
    assert defaults["KIOSK_IDLE_SECONDS"] == 90 and defaults["KIOSK_WARNING_SECONDS"] == 30


def test_a_bad_value_in_the_environment_is_one_line_naming_the_variable():
    for value in ("5", "soon"):  # under 20 s (WCAG 2.2.1), and not a number: never a silent default
        with pytest.raises(SettingsError) as err:
            default_config({"BOT_KIOSK_WARNING_SECONDS": value})
        assert str(err.value).startswith(f"BOT_KIOSK_WARNING_SECONDS={value!r}:") and "\n" not in str(err.value)


def test_engine_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BOT_MODE", "kiosk")
    monkeypatch.setenv("BOT_LOCALE", "uk")
    app = create_app({"KNOWLEDGE_DIR": FIXTURE_KNOWLEDGE, "INDEX_DIR": tmp_path, "EMBEDDER": HashEmbedder()})
    settings = app.extensions["bot"].state.settings
    assert settings.mode == "kiosk" and settings.locale == "uk"


def test_gunicorn_config_binds_loopback_by_default_and_logs_no_details(monkeypatch):
    for name in ("BOT_HOST", "BOT_PORT", "BOT_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(WEB / "gunicorn.conf.py"))
    assert conf["bind"] == "127.0.0.1:8000" and conf["wsgi_app"] == "web.wsgi:app"
    fmt = conf["access_log_format"]
    for detail in ("%(h)s", "%(r)s", "%(q)s", "%(a)s", "%(f)s", "%(u)s", "%(U)s"):  # address, path, query, agent...
        assert detail not in fmt
    assert re.findall(r"%\(\{([^}]*)\}(\w)\)s", fmt) == [("bot.route", "e")]  # no header; the matched route
    assert "%(m)s" in fmt and "%({bot.route}e)s" in fmt and "%(s)s" in fmt and "%(U)s" not in fmt
    monkeypatch.setenv("BOT_HOST", "127.0.0.2")
    monkeypatch.setenv("BOT_PORT", "9001")
    monkeypatch.setenv("BOT_WORKERS", "3")
    conf = runpy.run_path(str(WEB / "gunicorn.conf.py"))
    assert conf["bind"] == "127.0.0.2:9001" and conf["workers"] == 3
    monkeypatch.setenv("BOT_HOST", "0.0.0.0")  # never gunicorn on a network: nginx in front (make serve)
    with pytest.raises(SystemExit):
        runpy.run_path(str(WEB / "gunicorn.conf.py"))


def test_make_run_uses_gunicorn_and_make_dev_the_flask_server():
    makefile = (ROOT / "Makefile").read_text()
    run = re.search(r"^run:.*?(?=^\S)", makefile, re.S | re.M).group(0)
    dev = re.search(r"^dev:.*?(?=^\S)", makefile, re.S | re.M).group(0)
    assert run.startswith("run: index") and "gunicorn" in run and "web/gunicorn.conf.py" in run
    assert "flask" in dev
