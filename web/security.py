"""Security headers on every response, and a per-client limit on asking."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

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


def init_app(app: Flask) -> None:
    app.after_request(add_headers)


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Answers are about someone's health: no copy in caches or the back/forward cache.
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("X-Fragment")
    return response


def limit_asking(app: Flask, endpoints: list[str]) -> None:
    """Apply RATE_LIMIT (e.g. "60 per minute", per client address) to the POSTs that ask."""
    rate = app.config.get("RATE_LIMIT") or ""
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", enabled=bool(rate.strip()),
                      headers_enabled=False)
    if not rate.strip():
        return
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(rate, methods=["POST"])(view)
