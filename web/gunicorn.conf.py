"""gunicorn settings for `make run`; every value can be changed by an environment variable.

BOT_HOST (127.0.0.1), BOT_PORT (8000), BOT_WORKERS (2), BOT_THREADS (4), BOT_TIMEOUT (60 s).
The access log has method, path, status and duration only: no address, no query string, no
referrer, no user agent, and never a request body (questions are POSTed, so paths hold none).
"""

import os

bind = f"{os.environ.get('BOT_HOST', '127.0.0.1')}:{os.environ.get('BOT_PORT', '8000')}"
workers = int(os.environ.get("BOT_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("BOT_THREADS", "4"))
# Each worker loads the engine (knowledge, index, model) when it starts: allow for that.
timeout = int(os.environ.get("BOT_TIMEOUT", "60"))
graceful_timeout = 20
wsgi_app = "web.wsgi:app"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("BOT_LOG_LEVEL", "info")
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(M)sms'
limit_request_line = 4094
limit_request_fields = 50
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
