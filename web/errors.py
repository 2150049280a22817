"""Errors as JSON {"error": {"code", "message"}} for the API, as a friendly page elsewhere.

Never a stack trace, never HTML for /api, never a 500 for bad input. Request bodies are read whole
(at most MAX_CONTENT_LENGTH bytes) before the app sees them (BodyGuard): a malformed chunked
encoding or a body cut short is a 400 and a body over the limit a 413, chunked or not, on every
path: as JSON, or as the error page for a page's form or a client that prefers HTML.
"""

from __future__ import annotations

import io
import logging

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from web import logs
from web.questions import BadField
from web.state import NotReady

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
    415: "not_json", 429: "rate_limited", 500: "internal", 503: "not_ready",
}
MESSAGES = {
    404: "There is no such endpoint.",
    405: "This endpoint does not accept that method.",
    413: "The request body is too large.",
    429: "Too many questions in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side.",
}
API_PATHS = ("/api/", "/healthz", "/readyz")  # these always answer in JSON


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_error(status: int, code: str, message: str):
    logs.note(code)
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith(API_PATHS)


def init_app(app: Flask) -> None:
    app.wsgi_app = BodyGuard(app.wsgi_app, lambda: app.config.get("MAX_CONTENT_LENGTH"))  # type: ignore[method-assign]
    app.before_request(_refuse_unreadable_body)
    app.register_error_handler(ApiError, lambda e: json_error(e.status, e.code, e.message))
    app.register_error_handler(BadField, _bad_field)
    app.register_error_handler(NotReady, _not_ready)
    app.register_error_handler(HTTPException, _http_error)


def _bad_field(exc: BadField):
    logs.note("bad_field")
    if wants_json():
        return json_error(400, "bad_field", str(exc))
    return render_error(400, exc.for_people)


def _not_ready(exc: NotReady):
    logs.note("not_ready")
    if wants_json():
        # The details (paths, the fix command) are for operators, on /readyz only.
        return json_error(503, "not_ready", "The evidence index is not ready yet. Please try again later.")
    if request.headers.get("X-Fragment") == "answer":
        message = "The chatbot is not ready yet. Please try again in a few minutes."
        return render_template("_error_fragment.html", message=message), 503
    return render_template("not_ready.html"), 503


def _http_error(exc: HTTPException):
    status = exc.code or 500
    if status >= 500:
        log.error("server error %s on %s %s", status, request.method, request.path)
    message = MESSAGES.get(status) or exc.description or "Request failed."
    logs.note(CODES.get(status, "error"))
    if wants_json():
        response = json_error(status, CODES.get(status, "error"), message)
        if status == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return response
    return render_error(status, message)


def render_error(status: int, message: str):
    """A full HTML page for a page error (a short fragment when the page's script asked)."""
    if request.headers.get("X-Fragment") == "answer":
        return render_template("_error_fragment.html", message=message), status
    return render_template("error.html", status=status, message=message), status


BODY_PROBLEM = "bot.body_problem"  # WSGI environ key: (status, message) when the body could not be used


class BodyGuard:
    """WSGI middleware: read the request body whole, up to the limit, before the app sees it.

    gunicorn raises its own parse errors (a bad chunk size line, a missing terminator, a client that
    hangs up) from the middle of `wsgi.input.read()`, wherever the app happens to read the body: the
    form parser, get_json... which made them 500s. Here they are caught once: the app gets the body
    as bytes with a Content-Length, or an empty one and a note that becomes a 400 or 413.
    """

    def __init__(self, app, limit):
        self.app, self.limit = app, limit

    def __call__(self, environ, start_response):
        problem = self.buffer(environ, self.limit())
        if problem is not None:
            environ[BODY_PROBLEM] = problem
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(b""), "0"
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    @staticmethod
    def buffer(environ, limit: int | None) -> tuple[int, str] | None:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        declared = environ.get("CONTENT_LENGTH", "").strip()
        if not chunked and not declared:
            return None
        if not chunked:
            if not declared.isascii() or not declared.isdigit():
                return 400, "The Content-Length header is not a number."
            if limit is not None and int(declared) > limit:
                return 413, f"The request body is larger than {limit:,} bytes."
            if int(declared) == 0:
                return None
        wanted = int(declared) if not chunked else None
        cap = (limit + 1) if limit is not None else None
        parts, size = [], 0
        stream = environ["wsgi.input"]
        try:
            while wanted is None or size < wanted:
                step = 65536 if wanted is None else min(65536, wanted - size)
                if cap is not None:
                    step = min(step, cap - size)
                part = stream.read(step)
                if not part:
                    break
                parts.append(part)
                size += len(part)
                if cap is not None and size >= cap:
                    return 413, f"The request body is larger than {limit:,} bytes."
        except Exception:  # noqa: BLE001 - the server's parse errors (bad chunk size, cut short...)
            return 400, "The request body could not be read (a malformed chunked encoding, or cut short)."
        if wanted is not None and size < wanted:
            return 400, "The request body is shorter than its Content-Length."
        body = b"".join(parts)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)
        return None


def _refuse_unreadable_body():
    problem = request.environ.get(BODY_PROBLEM)
    if problem is None:
        return None
    status, message = problem
    if wants_json() or not _wants_a_page():
        return json_error(status, CODES[status], message)  # gunicorn then closes the connection
    logs.note(CODES[status])
    return make_response(render_error(status, message))


def _wants_a_page() -> bool:
    """A page's form, or a client that prefers HTML, gets the page; any other client gets JSON."""
    form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    return form or request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
