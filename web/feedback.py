"""'Was this helpful?' under each answer: yes/no counts per snippet id and reply kind.

The form sends only the answer's snippet ids, its reply kind and yes or no; ids and kinds are checked
against the evidence library, so nothing else (and never a question) can be stored. No cookie, no
address, no time. Without JavaScript the POST redirects to a thank-you page (so Reload cannot count
twice); with it, the script gets a short fragment. A vote from another site is refused (403).
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, url_for

from bot.enums import Kind
from bot.errors import InputError
from bot.feedback import FeedbackStore, open_feedback_store
from web import logs, state

bp = Blueprint("feedback", __name__)


def init_app(app: Flask) -> None:
    settings = app.config.get("SETTINGS")
    redis_url = app.config.get("REDIS_URL") or (settings.redis_url if settings is not None else "")
    app.extensions["feedback"] = app.config.get("FEEDBACK") or open_feedback_store(app.config.get("FEEDBACK_STORE"),
                                                                                  redis_url)


def store() -> FeedbackStore:
    return current_app.extensions["feedback"]


@bp.post("/feedback")
def vote():
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)
    engine = state.require_engine()
    fragment = request.headers.get("X-Fragment") == "feedback"
    helpful = request.form.get("helpful")
    kind = request.form.get("kind", "")
    ids = [i for i in request.form.get("snippets", "").split(",") if i]
    known = engine.knowledge.snippets_by_id
    if helpful not in ("yes", "no") or kind not in tuple(Kind) or not all(i in known for i in ids) or len(ids) > 10:
        logs.note("bad_field")
        message = "Sorry, that answer could not be counted."
        if fragment:
            return render_template("_feedback_thanks.html", message=message), 400
        return render_template("error.html", status=400, message=message), 400
    try:
        store().record(ids, kind, helpful == "yes")
    except InputError:
        abort(400)
    logs.note("feedback", snippets=len(ids))
    if fragment:
        return render_template("_feedback_thanks.html", message="")
    kiosk = request.form.get("mode") == "kiosk"
    return redirect(url_for("feedback.thanks", kiosk=1) if kiosk else url_for("feedback.thanks"), 303)


@bp.get("/feedback/thanks")
def thanks():
    return render_template("feedback_thanks.html", mode="kiosk" if request.args.get("kiosk") == "1" else "patient")
