"""gunicorn settings for `make run`; every value can be changed by an environment variable.

BOT_HOST (127.0.0.1), BOT_PORT (8000), BOT_WORKERS (2), BOT_THREADS (4), BOT_TIMEOUT (60 s),
BOT_LOG_LEVEL (info), BOT_PIDFILE (.cache/run/gunicorn.pid: `python -m bot reload` reads it).
The access log has method, route, status and duration only: no address, no path as typed, no query
string, no referrer, no user agent, and never a request body (questions are POSTed).
The app's own lines (logger "web") say what kind of answer went out and how long it took, never
what was asked. A worker that dies is replaced by the master; SIGHUP to the master (that is what
`python -m bot reload` sends) starts new workers and lets the old ones finish their requests.
"""

import os
from pathlib import Path

bind = f"{os.environ.get('BOT_HOST', '127.0.0.1')}:{os.environ.get('BOT_PORT', '8000')}"
# One ONNX Runtime thread per worker: two workers then share two cores without oversubscription.
# Measured with `python -m bot loadtest` (docs/performance.md): 2 workers x 4 threads gave about
# 200 answers/s with the runtime's default (one thread per core) and 305-334 with one thread.
os.environ.setdefault("BOT_EMBED_THREADS", "1")
workers = int(os.environ.get("BOT_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("BOT_THREADS", "4"))
# Each worker loads the engine (knowledge, index, model) when it starts: allow for that.
timeout = int(os.environ.get("BOT_TIMEOUT", "60"))
graceful_timeout = 20
wsgi_app = "web.wsgi:app"
pidfile = os.environ.get("BOT_PIDFILE") or str(Path(__file__).resolve().parent.parent / ".cache" / "run" / "gunicorn.pid")
Path(pidfile).parent.mkdir(parents=True, exist_ok=True)
# No control socket ($HOME/.gunicorn/gunicorn.ctl by default): one less way in, and no clash between
# two servers of one user. Reload with a signal instead (`python -m bot reload`).
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("BOT_LOG_LEVEL", "info")
# The route, not the raw path (web/logs.py sets bot.route): a path typed by hand is never logged.
access_log_format = '%(t)s "%(m)s %({bot.route}e)s" %(s)s %(M)sms'
limit_request_line = 4094
limit_request_fields = 50
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

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
