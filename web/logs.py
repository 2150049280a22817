"""What the logs say about a request: endpoint, status, latency, answer kind and counts. No text.

Questions and clinician text are health information: no log line, file or cookie carries them.
One event line per question asked or sentence checked, e.g.
    api.ask status=200 kind=answer ms=12.4 citations=2 history=1
The access log (web/gunicorn.conf.py) shows the route matched, not the path asked for: someone who
types a question into the address bar gets a 404 whose log line says "(no such page)".
Unexpected errors are logged with their type and stack frames, but not their message: a message
can quote the input (KeyError('...'), UnicodeError on the text...).
"""

from __future__ import annotations

import logging
import time
import traceback

from flask import Flask, g, request

log = logging.getLogger("web.events")
error_log = logging.getLogger("web.errors")

ASKING = frozenset({"api.ask", "api.check", "pages.home", "pages.kiosk", "pages.clinician", "feedback.vote"})
# The kiosk's answer page after its post/redirect/get: the answer is made on this GET.
ANSWERING_GETS = frozenset({"pages.kiosk_answer"})


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_event)


def note(kind: str, **counts: int) -> None:
    """Record the answer's kind (or verdict) and some counts for this request's event line."""
    g.event = (kind, counts)


def _start() -> None:
    g.started = time.perf_counter()


def _event(response):
    rule = request.url_rule
    request.environ["bot.route"] = rule.rule if rule is not None else "(no such page)"
    asking = request.endpoint in ASKING and request.method == "POST"
    if not asking and request.endpoint not in ANSWERING_GETS:
        return response
    kind, counts = g.get("event", ("-", {}))
    ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000.0
    extra = "".join(f" {name}={int(value)}" for name, value in counts.items())
    log.info("%s status=%d kind=%s ms=%.1f%s", request.endpoint, response.status_code, kind, ms, extra)
    return response


def log_exception(exc_info) -> None:
    """Flask's log_exception without the exception's message (it may quote the question)."""
    exc_type, _, tb = exc_info
    name = exc_type.__name__ if exc_type else "error"
    frames = "".join(traceback.format_tb(tb)) if tb else ""
    error_log.error("unexpected %s on %s %s (message withheld: it may quote the input)\n%s",
                    name, request.method, request.path, frames.rstrip())
