"""gunicorn settings for `make run` and `make serve`, from the one settings object (bot/settings.py).

BOT_HOST (127.0.0.1), BOT_PORT (8000), BOT_WORKERS (2), BOT_THREADS (4), BOT_TIMEOUT (60 s),
BOT_KEEPALIVE (75 s), BOT_LOG_LEVEL (info), BOT_PIDFILE (.cache/run/gunicorn.pid: `python -m bot
reload` reads it). A bad value stops gunicorn with one line naming the variable (exit 2), and so
does an address other than loopback: gunicorn's threads read a request with no time limit once its
first byte arrives, so a few slow clients can starve it. Anything others can reach goes through
nginx (`make serve`, deploy/nginx.conf, docs/deploy.md); gunicorn binds to loopback behind it.
`python web/gunicorn.conf.py` checks the settings alone (`make run` does that first).

The access log has method, route, status and duration only: no address, no path as typed, no query
string, no referrer, no user agent, and never a request body (questions are POSTed).
The app's own lines (logger "web") say what kind of answer went out and how long it took, never
what was asked. A worker that dies is replaced by the master; SIGHUP to the master (that is what
`python -m bot reload` sends, after checking the index) starts new workers and lets the old ones
finish their requests.
"""

import ipaddress
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project, when run as a script

from bot.errors import SettingsError  # noqa: E402
from bot.settings import Settings  # noqa: E402


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _settings() -> Settings:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if not _loopback(settings.host):
        print(f"error: BOT_HOST={settings.host!r}: gunicorn binds to loopback only (slow clients can starve it); "
              "to serve other machines run `make serve` (nginx in front, BOT_PROXY_HOST), see docs/deploy.md",
              file=sys.stderr)
        raise SystemExit(2)
    return settings


def _one_write_per_response() -> None:
    """gunicorn sends a response's head and its body in two calls, and another thread may hold the
    interpreter for milliseconds in between. A worker killed there (SIGKILL, the OOM killer, a lost
    machine) leaves nginx a head without a body: already sent to the client, it can no longer be
    retried on another instance. So the head is held and sent with the first body bytes, in one call
    (or alone at the end, for a response without a body). Applied once, in the master, before fork.
    """
    from gunicorn.http import wsgi

    response = wsgi.Response
    if getattr(response, "bot_one_write", False):
        return
    send_headers, emit_body, sendfile, close = (response.send_headers, response._emit_body, response.sendfile,
                                                response.close)

    class _Held:
        def __init__(self):
            self.data = b""

        def sendall(self, data):
            self.data += data

    def held_send_headers(self):
        if self.headers_sent:
            return
        sock, self.sock = self.sock, _Held()
        try:
            send_headers(self)
        finally:
            self.sock, self.bot_head = sock, self.sock.data

    def flush_head(self, more: bytes = b"") -> None:
        head, self.bot_head = getattr(self, "bot_head", b""), b""
        if head or more:
            self.sock.sendall(head + more)

    def held_emit_body(self, data):
        if getattr(self, "bot_head", b""):
            framed = b"%X\r\n%s\r\n" % (len(data), data) if self.chunked else data  # util.write_chunk's framing
            return flush_head(self, framed)
        return emit_body(self, data)

    def held_sendfile(self, respiter):
        flush_head(self)  # sendfile writes to the socket itself: nothing may stay held
        self.send_headers = lambda: (held_send_headers(self), flush_head(self))
        try:
            return sendfile(self, respiter)
        finally:
            del self.send_headers

    def held_close(self):
        if not self.headers_sent:
            held_send_headers(self)
        sock, self.sock = self.sock, _Held()  # what close writes (the last chunk) goes with the head
        try:
            close(self)
        finally:
            self.sock, tail = sock, self.sock.data
        flush_head(self, tail)

    response.send_headers, response._emit_body = held_send_headers, held_emit_body
    response.sendfile, response.close, response.bot_one_write = held_sendfile, held_close, True


settings = _settings()
_one_write_per_response()
bind = f"[{settings.host}]:{settings.port}" if ":" in settings.host else f"{settings.host}:{settings.port}"
# One ONNX Runtime thread per worker: two workers then share two cores without oversubscription.
# Measured with `python -m bot loadtest` (docs/performance.md): 2 workers x 4 threads gave about
# 200 answers/s with the runtime's default (one thread per core) and 305-334 with one thread.
if "embed_threads" not in settings.model_fields_set:
    os.environ["BOT_EMBED_THREADS"] = "1"  # read by the workers' Settings.from_env()
workers = settings.workers
worker_class = "gthread"
threads = settings.threads
# Each worker loads the engine (knowledge, index, model) when it starts: allow for that.
timeout = settings.timeout
graceful_timeout = 20
# Longer than nginx keeps its idle upstream connections (60 s, deploy/nginx.conf) and than most
# clients keep theirs, so the server is never the side that closes a connection about to be reused.
keepalive = settings.keepalive
wsgi_app = "web.wsgi:app"
pidfile = str(settings.pidfile)
Path(pidfile).parent.mkdir(parents=True, exist_ok=True)
# No control socket ($HOME/.gunicorn/gunicorn.ctl by default): one less way in, and no clash between
# two servers of one user. Reload with a signal instead (`python -m bot reload`).
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = settings.log_level
# The route, not the raw path (web/logs.py sets bot.route): a path typed by hand is never logged.
access_log_format = '%(t)s "%(m)s %({bot.route}e)s" %(s)s %(M)sms'
limit_request_line = 4094
limit_request_fields = 50

_stream = {"class": "logging.StreamHandler", "formatter": "line"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"},
        "access": {"format": "[%(process)d] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stdout"},
        "error_console": {**_stream, "stream": "ext://sys.stderr"},
    },
    "root": {"level": "WARNING", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "web": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
        "bot": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
    },
}
