"""The web layer: Flask app factory, page and API blueprints over the engine in bot/.

The engine is loaded once per process, in `create_app`, never at import time. When it cannot
be loaded (stale or missing index, broken knowledge) the app still starts: /healthz answers,
/readyz and /api/ask say why with 503, and pages show a friendly "not ready" message. A rebuilt
index is picked up without a restart (web/state.py). docs/security.md: threats, defences, tests.
"""

from __future__ import annotations

import logging
import os

from flask import Flask

from bot.settings import ROOT
from web import api, errors, feedback, logs, pages, security, state
from web.handoff import HandOff

log = logging.getLogger(__name__)
MIN_WARNING_SECONDS = 20  # WCAG 2.2.1: at least 20 seconds to ask for more time


def default_config(env=None) -> dict:
    """Defaults, overridable by environment variables (documented in README, section Web)."""
    env = os.environ if env is None else env
    return {
        "MAX_CONTENT_LENGTH": 16 * 1024,  # request bodies; larger gets 413
        "MAX_QUESTION_CHARS": 2000,
        "MAX_HISTORY": 5,
        "KIOSK_IDLE_SECONDS": _seconds(env, "BOT_KIOSK_IDLE_SECONDS", 90, minimum=10),
        "KIOSK_WARNING_SECONDS": _seconds(env, "BOT_KIOSK_WARNING_SECONDS", 30, minimum=MIN_WARNING_SECONDS),
        "RATE_LIMIT": env.get("BOT_RATE_LIMIT", "60 per minute"),  # per client address; "" turns it off
        "RATE_LIMIT_STORAGE": env.get("BOT_RATE_LIMIT_STORAGE", "memory://"),  # per worker; redis://... to share
        "TRUSTED_PROXIES": _whole(env, "BOT_TRUSTED_PROXIES", 0),  # reverse proxies in front (X-Forwarded-For)
        # The clinic's public deployment of this app (https://...): the kiosk's QR code opens its
        # /take-home page. Without it, the kiosk shows one code per cited source instead.
        "PUBLIC_URL": _public_url(env.get("BOT_PUBLIC_URL", "")),
        "FEEDBACK_STORE": env.get("BOT_FEEDBACK_STORE") or None,  # default: var/feedback.sqlite3 (bot/feedback.py)
        "FEEDBACK": None,  # an object with record() and counts() (tests)
        # The kiosk's one-time hand-off from a form POST to the page it redirects to (web/handoff.py).
        "HANDOFF_DB": env.get("BOT_HANDOFF_DB") or str(ROOT / ".cache" / "run" / "kiosk-handoff.sqlite3"),
        "WATCH_INDEX": True,  # pick up a rebuilt index without a restart (web/state.py)
        "ENGINE": None,  # an already loaded bot.engine.Engine (tests)
        "EMBEDDER": None,  # an embedder to load the engine with (tests: the fake one)
        "RETRIEVAL": None,  # a bot.retrieve.RetrievalConfig (tests: a lower bar for the fake embedder)
        "KNOWLEDGE_DIR": None,  # default: BOT_KNOWLEDGE_DIR or knowledge/
        "INDEX_DIR": None,  # default: BOT_INDEX_DIR or index/
    }


class App(Flask):
    def log_exception(self, exc_info) -> None:
        logs.log_exception(exc_info)  # without the message: it could quote the question


def create_app(test_config: dict | None = None) -> Flask:
    app = App(__name__)
    app.config.from_mapping(default_config())
    if test_config:
        app.config.from_mapping(test_config)
    if os.environ.get("BOT_PUBLIC_URL", "").strip() and not app.config["PUBLIC_URL"]:
        log.warning("BOT_PUBLIC_URL is not an http:// or https:// address, so the kiosk shows one QR code "
                    "per source instead of one for the take-home page")
    state.init_app(app)
    app.extensions["kiosk_handoff"] = HandOff(app.config["HANDOFF_DB"])
    feedback.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feedback.bp)
    security.limit_asking(app, ["api.ask", "api.check", "pages.home", "pages.kiosk", "pages.clinician",
                                "feedback.vote"])
    return app


def _public_url(value: str) -> str:
    """BOT_PUBLIC_URL without its trailing slash; anything but an http(s) address is ignored."""
    value = value.strip().rstrip("/")
    return value if value.startswith(("https://", "http://")) and " " not in value else ""


def _seconds(env, name: str, default: int, minimum: int) -> int:
    """A whole number of seconds from the environment, never below `minimum`."""
    return max(_whole(env, name, default), minimum)


def _whole(env, name: str, default: int) -> int:
    try:
        return int(env.get(name, default))
    except ValueError:
        return default
