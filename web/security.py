"""Security headers on every response, HTML-safe JSON, and a per-client limit on asking."""

from __future__ import annotations

import math
import time

from flask import Flask, Response, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
# Characters that matter to an HTML parser, written as JSON escapes: the value is the same, but a
# JSON body never carries a raw "<script" even when it quotes what someone typed.


class HtmlSafeJSONProvider(DefaultJSONProvider):
    ensure_ascii = True
    sort_keys = False  # keep the order of the DESIGN.md contract

    def dumps(self, obj, **kwargs) -> str:
        # Outside strings JSON has none of these characters, so this only touches strings.
        # (Three str.replace calls: several times faster than str.translate on a long answer.)
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def init_app(app: Flask) -> None:
    app.json = HtmlSafeJSONProvider(app)
    app.after_request(add_headers)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:  # behind N reverse proxies: the client address comes from X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Answers are about someone's health: no copy in caches or the back/forward cache.
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("X-Fragment")
    if response.status_code == 429:
        response.headers["Retry-After"] = str(retry_after())
    return response


def retry_after() -> int:
    """Whole seconds until the client's window frees a request (at least 1)."""
    limiter = current_app.extensions.get("bot_limiter")
    limit = limiter.current_limit if limiter is not None else None
    if limit is None:
        return 60
    return max(1, math.ceil(limit.reset_at - time.time()))


def limit_asking(app: Flask, endpoints: list[str]) -> None:
    """Apply RATE_LIMIT (e.g. "60 per minute", per client address) to the POSTs that ask.

    One budget for all of them (a shared limit), so moving between the API and the forms gains nothing.

    Counters live in rate_limit_storage(): per worker process by default, or in Redis (BOT_REDIS_URL)
    for one count across workers, gunicorn instances and machines. If Redis cannot be reached the
    limit falls back to per-worker counts until it can (never an error for the person asking).
    """
    rate = (app.config.get("RATE_LIMIT") or "").strip()
    storage = rate_limit_storage(app.config)
    shared = not storage.startswith("memory://")
    limiter = Limiter(get_remote_address, app=app, storage_uri=storage, enabled=bool(rate), headers_enabled=False,
                      key_prefix="bot", swallow_errors=shared, in_memory_fallback_enabled=shared,
                      storage_options=REDIS_OPTIONS if storage.startswith(("redis", "rediss", "unix")) else {})
    app.extensions["bot_limiter"] = limiter
    if not rate:
        return
    asking = limiter.shared_limit(rate, scope="asking", methods=["POST"])
    for endpoint in endpoints:
        app.view_functions[endpoint] = asking(app.view_functions[endpoint])


# Short timeouts: a Redis that hangs must not hold a request (the limit then falls back to memory).
REDIS_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "health_check_interval": 30}


def rate_limit_storage(config) -> str:
    """RATE_LIMIT_STORAGE when set to something other than memory://, else REDIS_URL (BOT_REDIS_URL)
    when set, else memory:// (per worker)."""
    storage = (config.get("RATE_LIMIT_STORAGE") or "memory://").strip()
    settings = config.get("SETTINGS")
    redis_url = config.get("REDIS_URL") or (settings.redis_url if settings is not None else "")
    if storage.startswith("memory://") and redis_url:
        return redis_url
    return storage
