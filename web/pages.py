"""HTML pages. They work without JavaScript: the ask form POSTs and gets the whole page back.

With JavaScript, web/static/js/app.js posts the same form with the header `X-Fragment: answer`
and the same view answers with just the new card (one partial, `_card.html`, for both).
The kiosk's form POST without JavaScript is a post/redirect/get through a one-time hand-off
(web/handoff.py), so neither Reload nor Back brings an earlier person's question back.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from bot.errors import InputError
from web import logs, state
from web.check_view import make_check_view
from web.evidence import evidence_grid
from web.evidence_chart import chart_svg
from web.handoff import HandOff
from web.questions import BadField, clean, follow_up_history, read_history, read_question, read_text
from web.takehome import BadTakeHome, take_home, take_home_path
from web.view import make_card, public_summary, public_text, source_groups

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def page_context():
    loaded = state.current()
    messages = loaded.messages
    locale = loaded.settings.locale
    return {
        "ready": loaded.ready,
        "messages": messages,
        "contacts": messages.contacts(locale) if messages else {},
        "lang": "en-GB" if locale == "uk" else "en-US",
        "max_check_chars": current_app.config["MAX_CHECK_CHARS"],
    }


@bp.app_template_filter("public")
def public_filter(text: str | None) -> str:
    return public_text(text)


@bp.route("/", methods=["GET", "POST"])
def home():
    mode = "kiosk" if state.current().settings.mode == "kiosk" else "patient"
    return chat_page(mode)


@bp.route("/kiosk", methods=["GET", "POST"])
def kiosk():
    return chat_page("kiosk")


def chat_page(mode: str):
    engine = state.require_engine()
    if request.method != "POST":  # GET or HEAD
        return render_chat(mode, cards=[])
    fragment = request.headers.get("X-Fragment") == "answer"
    history: list[str] = []
    try:
        history = read_history(request.form.getlist("history"))
        question = read_question(request.form.get("question"))
    except BadField as exc:
        if fragment:
            return render_template("_error_fragment.html", message=exc.for_people), 400
        draft = clean(request.form.get("question", ""))[:current_app.config["MAX_QUESTION_CHARS"]]
        return render_chat(mode, conversation(engine, mode, history), error=exc.for_people, draft=draft), 400
    if fragment:
        card = ask_card(engine, mode, card_number(len(history) + 1), question, history)
        logs.note(card.answer.kind, citations=len(card.answer.citations), history=len(history))
        return render_template("_card.html", card=card, mode=mode)
    if mode == "kiosk":  # post/redirect/get: the questions go through a one-time hand-off, not the URL
        token = handoff().put([*history, question])
        logs.note("handoff", history=len(history))
        return redirect(url_for("pages.kiosk_answer", token=token), 303)
    cards = conversation(engine, mode, [*history, question])
    logs.note(cards[-1].answer.kind, citations=len(cards[-1].answer.citations), history=len(history))
    return render_chat(mode, cards)


@bp.get("/kiosk/answer/<token>")
def kiosk_answer(token: str):
    """The kiosk answer page, shown once: a second visit (Reload, Back) finds a blank kiosk."""
    engine = state.require_engine()
    questions = handoff().take(token)
    if not questions:
        return redirect(url_for("pages.kiosk"), 303)
    try:
        cards = conversation(engine, "kiosk", questions)
    except BadField:
        return redirect(url_for("pages.kiosk"), 303)
    logs.note(cards[-1].answer.kind, citations=len(cards[-1].answer.citations), history=len(questions) - 1)
    return render_chat("kiosk", cards)


def handoff() -> HandOff:
    return current_app.extensions["kiosk_handoff"]


def render_chat(mode: str, cards: list, error: str = "", draft: str = ""):
    template = "kiosk.html" if mode == "kiosk" else "chat.html"
    history = list(cards[-1].history) if cards else []
    config = current_app.config
    return render_template(template, mode=mode, cards=cards, history=history, error=error, draft=draft,
                           clears_after=in_words(config["KIOSK_IDLE_SECONDS"] + config["KIOSK_WARNING_SECONDS"]))


def in_words(seconds: int) -> str:
    """120 -> "2 minutes", 45 -> "45 seconds"."""
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"


def conversation(engine, mode: str, questions: list[str]) -> list:
    """One card per question, each answered with the questions before it as history."""
    return [ask_card(engine, mode, i + 1, q, questions[:i]) for i, q in enumerate(questions)]


def ask_card(engine, mode: str, number: int, question: str, history: list[str]):
    try:
        answer = engine.ask(question, history=history, mode=mode)
    except InputError as exc:
        raise BadField("question", str(exc), "Please type a question first.") from None
    return make_card(engine, number, question, answer, follow_up_history(history, question),
                     kiosk=mode == "kiosk", public_url=current_app.config["PUBLIC_URL"])


def card_number(default: int) -> int:
    """The card's position on the page, sent by the script so every card gets its own ids."""
    value = request.form.get("card", "")
    # isascii: "²".isdigit() is true too, and int("²") fails.
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 10_000 else default


@bp.route("/clinician", methods=["GET", "POST"])
def clinician():
    """The phrasing check: paste a sentence or a handout, get a verdict per sentence with the reason, the
    sources and a safer wording; with view=print, the same result as a printable report."""
    evidence = evidence_view(state.current().engine)
    if request.method != "POST":
        return render_template("clinician.html", text="", result=None, error="", evidence=evidence)
    engine = state.require_engine()
    raw = request.form.get("text", "")
    try:
        text = read_text(raw)
        result = engine.check(text)
    except (BadField, InputError) as exc:
        message = exc.for_people if isinstance(exc, BadField) else f"{str(exc)[:1].upper()}{str(exc)[1:]}."
        draft = clean(raw, newlines=True)[:current_app.config["MAX_CHECK_CHARS"]]
        return render_template("clinician.html", text=draft, result=None, error=message, evidence=evidence), 400
    logs.note(result.verdict, sentences=len(result.claims), citations=len(result.citations))
    page = "clinician_print.html" if request.form.get("view") == "print" else "clinician.html"
    return render_template(page, text=text, result=make_check_view(engine, result), error="", evidence=evidence)


@bp.get("/sources")
def sources():
    engine = state.require_engine()
    return render_template("sources.html", groups=source_groups(engine.knowledge.sources),
                           total=len(engine.knowledge.sources), summary=public_summary)


@bp.get("/evidence")
def evidence():
    return render_template("evidence.html", evidence=evidence_view(state.require_engine()))


def evidence_view(engine) -> dict | None:
    """What the evidence chart partial needs (None when the engine is not ready)."""
    if engine is None:
        return None
    grid = evidence_grid(engine.knowledge)
    labels = engine.messages["certainty_labels"]

    def link(ids):
        return take_home_path(engine.knowledge, ids)

    return {"grid": grid, "svg": chart_svg(grid, link, labels.__getitem__), "link": link,
            "certainty_label": labels.__getitem__}


@bp.get("/take-home")
def take_home_page():
    """Snippets named by id, with their sources: printable, and never holding a question."""
    engine = state.require_engine()
    try:
        view = take_home(engine.knowledge, engine.messages, request.args.get("s"), request.args.get("v"))
    except BadTakeHome as exc:
        return render_template("take_home.html", view=None, error=str(exc)), 400
    return render_template("take_home.html", view=view, error=""), 200 if view.summaries else 404


@bp.get("/about")
def about():
    return render_template("about.html")
