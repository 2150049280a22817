"""The serving configuration: gunicorn reads the one settings object and binds to loopback only;
nginx's rendered config passes `nginx -t` and carries the defences docs/deploy.md describes."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys

import pytest

from bot.errors import SettingsError
from bot.settings import ROOT, Settings
from deploy.serve import TEMPLATE, nginx_binary, render

CONF = ROOT / "web" / "gunicorn.conf.py"


def check_conf(**env) -> subprocess.CompletedProcess:
    """`python web/gunicorn.conf.py`: what `make run` and `make serve` run before starting anything."""
    clean = {k: v for k, v in __import__("os").environ.items() if not k.startswith("BOT_")}
    return subprocess.run([sys.executable, str(CONF)], env={**clean, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.org"])
def test_gunicorn_refuses_any_address_but_loopback_with_one_line_pointing_to_make_serve(host):
    result = check_conf(BOT_HOST=host)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: BOT_HOST={host!r}") and "make serve" in result.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_gunicorn_binds_loopback(host):
    assert check_conf(BOT_HOST=host).returncode == 0


@pytest.mark.parametrize("var,value", [("BOT_WORKERS", "two"), ("BOT_PORT", "70000"), ("BOT_KEEPALIVE", "0"),
                                       ("BOT_LOG_LEVEL", "loud"), ("BOT_REDIS_URL", "http://cache:6379")])
def test_a_bad_setting_stops_gunicorn_with_one_line_naming_it(var, value):
    result = check_conf(**{var: value})
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {var}=")
    assert "Traceback" not in result.stderr


def test_gunicorn_reads_the_settings_object(monkeypatch):
    for name, value in {"BOT_PORT": "9100", "BOT_WORKERS": "3", "BOT_THREADS": "2", "BOT_TIMEOUT": "30",
                        "BOT_KEEPALIVE": "90", "BOT_LOG_LEVEL": "warning"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BOT_EMBED_THREADS", raising=False)
    conf = runpy.run_path(str(CONF))
    assert (conf["bind"], conf["workers"], conf["threads"], conf["timeout"], conf["keepalive"], conf["loglevel"]) == \
        ("127.0.0.1:9100", 3, 2, 30, 90, "warning")
    assert __import__("os").environ["BOT_EMBED_THREADS"] == "1"  # one ONNX thread per worker unless set


def test_keep_alive_outlasts_the_proxy_which_outlasts_its_clients():
    text = TEMPLATE.read_text()
    upstream = re.search(r"upstream bot \{.*?\}", text, re.S).group(0)
    proxy_upstream = int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))
    client_side = int(re.search(r"^    keepalive_timeout (\d+)s;", text, re.M).group(1))
    assert Settings().keepalive > proxy_upstream  # nginx closes idle upstream connections first
    assert client_side >= 300  # longer than browsers keep theirs (Chromium: 300 s)


def test_settings_for_serving_are_checked():
    assert Settings.from_env({"BOT_REDIS_URL": "redis://127.0.0.1:6379/0"}).redis_url == "redis://127.0.0.1:6379/0"
    assert Settings.from_env({"BOT_REDIS_URL": ""}).redis_url == ""
    with pytest.raises(SettingsError, match="BOT_PROXY_PORT"):
        Settings.from_env({"BOT_PROXY_PORT": "0"})


def test_the_rendered_nginx_config_passes_nginx_t_and_holds_the_defences(tmp_path):
    text = render("127.0.0.1:18080", ["127.0.0.1:18000", "127.0.0.1:18001"], tmp_path, 16384)
    assert not re.search(r"@[A-Z_]+@", text)  # every placeholder filled
    for line in ("server_tokens off;", "client_header_timeout 10s;", "client_body_timeout 10s;", "send_timeout 10s;",
                 "client_max_body_size 16384;", "client_body_buffer_size 16384;", "proxy_request_buffering on;",
                 "proxy_buffering on;", "proxy_max_temp_file_size 0;", "proxy_set_header X-Forwarded-For $remote_addr;",
                 "server 127.0.0.1:18000 max_fails=1 fail_timeout=5s;", "server 127.0.0.1:18001 max_fails=1 fail_timeout=5s;",
                 "listen 127.0.0.1:18080 default_server;", "non_idempotent;", "Strict-Transport-Security"):
        assert line in text, line
    assert "$remote_addr" not in re.search(r"log_format private .*", text).group(0)  # no address in the log
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "tmp" / name).mkdir(parents=True)
    (tmp_path / "nginx.conf").write_text(text)
    result = subprocess.run([nginx_binary(), "-t", "-q", "-e", str(tmp_path / "error.log"), "-p", str(tmp_path),
                             "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
