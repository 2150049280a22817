"""The JSON API of DESIGN.md section 4: POST /api/ask, POST /api/check, GET /healthz, GET /readyz.

web/openapi.json describes it exactly (served at /api/openapi.json; tests hold the two together).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from bot.errors import InputError
from bot.index import generations
from web import logs, state
from web.errors import ApiError
from web.questions import ASK_FIELDS, CHECK_FIELDS, BadField, only_fields, read_history, read_question, read_text

bp = Blueprint("api", __name__)
OPENAPI = Path(__file__).with_name("openapi.json")


@bp.post("/api/ask")
def ask():
    body = json_body()
    only_fields(body, ASK_FIELDS)
    question = read_question(body.get("question"))
    history = read_history(body.get("history", []))  # an explicit null is not a list: 400
    engine = state.require_engine()
    try:
        answer = engine.ask(question, history=history)
    except InputError as exc:
        raise BadField("question", str(exc)) from None
    logs.note(answer.kind, citations=len(answer.citations), history=len(history))
    return jsonify(answer.to_json())


@bp.post("/api/check")
def check():
    body = json_body()
    only_fields(body, CHECK_FIELDS)
    text = read_text(body.get("text"))
    engine = state.require_engine()
    try:
        result = engine.check(text)
    except InputError as exc:
        raise BadField("text", str(exc)) from None
    logs.note(result.verdict, sentences=len(result.claims), citations=len(result.citations))
    return jsonify(result.to_json())


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(_openapi())


@cache
def _openapi() -> dict:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """Ready when an index generation is loaded; which one, so a load balancer can check that every
    node and worker serves the same generation."""
    loaded = state.current()
    if not loaded.ready:
        message = f"The evidence index is not ready: {loaded.problem}"
        return jsonify({"status": "not_ready", "error": {"code": "not_ready", "message": message}}), 503
    engine = loaded.engine
    manifest = engine.index.manifest
    body = {
        "status": "ready",
        "generation": loaded.generation,
        "knowledge_version": engine.knowledge.content_hash,
        "index_built_at": manifest.get("built_at"),
        "model_id": manifest.get("model_id"),
        "snippets": len(engine.knowledge.snippets),
        "sources": len(engine.knowledge.sources),
        "mode": engine.settings.mode,
        "locale": engine.settings.locale,
    }
    behind = current_app.extensions["bot"].knowledge_behind(loaded)
    if behind is not None:
        body["knowledge_behind"] = behind  # knowledge/ edited since this generation was built: rebuild to serve it
    warnings = []
    if loaded.reload_problem:  # the generation now current is broken: still serving the one above
        warnings.append(f"The current index generation could not be loaded, so the one above is still served: "
                        f"{loaded.reload_problem}")
    note = generations.set_aside(loaded.settings.index_dir) if loaded.generation else None
    if note and note.get("serving") == loaded.generation:
        warnings.append(f"Index generation {note.get('generation')} was set aside as damaged ({note.get('reason')}) "
                        f"on {note.get('at')}; the previous generation is served. Rebuild with: python -m bot build")
    if warnings:
        body["warning"] = " ".join(warnings)
    return jsonify(body)


def json_body() -> dict:
    """The request's JSON object, after the size and content-type checks."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"The request body is larger than {limit:,} bytes.")
    if not request.is_json:
        raise ApiError(415, "not_json", "Send the body as JSON with Content-Type: application/json.")
    raw = request.get_data(cache=False)  # raises 413 for a body over the limit without a length
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[... nested too deep
        raise ApiError(400, "bad_json", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", 'The body must be a JSON object such as {"question": "..."}.')
    return body
