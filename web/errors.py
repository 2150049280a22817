"""Errors as JSON {"error": {"code", "message"}} for the API, as a friendly page elsewhere.

Never a stack trace, never HTML for /api, never a 500 for bad input.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
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
