"""The web layer: Flask app factory, page and API blueprints over the engine in bot/.

The engine is loaded once per process, in `create_app`, never at import time. When it cannot
be loaded (stale or missing index, broken knowledge) the app still starts: /healthz answers,
/readyz and /api/ask say why with 503, and pages show a friendly "not ready" message. A rebuilt
index is picked up without a restart (web/state.py). docs/security.md: threats, defences, tests.
"""

from __future__ import annotations

import logging

from flask import Flask

from bot.settings import Settings
from web import api, errors, feedback, logs, pages, security, state
from web.handoff import open_handoff

log = logging.getLogger(__name__)


def default_config(env=None) -> dict:
    """Flask config from the one settings object (bot/settings.py): BOT_* variables of `env`
    (default: the environment). A bad value raises SettingsError naming the variable."""
    settings = Settings.from_env(env)
    return {
        "SETTINGS": settings,
        "MAX_CONTENT_LENGTH": settings.max_body_bytes,  # request bodies; larger gets 413
        "MAX_QUESTION_CHARS": settings.max_question_chars,
        "MAX_HISTORY": settings.max_history,
        "MAX_CHECK_CHARS": settings.max_check_chars,
        "KIOSK_IDLE_SECONDS": settings.kiosk_idle_seconds,
        "KIOSK_WARNING_SECONDS": settings.kiosk_warning_seconds,
        "RATE_LIMIT": settings.rate_limit,  # per client address; "" turns it off
        "RATE_LIMIT_STORAGE": settings.rate_limit_storage,  # per worker; redis://... to share
        "TRUSTED_PROXIES": settings.trusted_proxies,  # reverse proxies in front (X-Forwarded-For)
        # The clinic's public deployment of this app (https://...): the kiosk's QR code opens its
        # /take-home page. Without it, the kiosk shows one code per cited source instead.
        "PUBLIC_URL": settings.public_url,
        "FEEDBACK_STORE": str(settings.feedback_store),  # bot/feedback.py
        "FEEDBACK": None,  # an object with record() and counts() (tests)
        # The kiosk's one-time hand-off from a form POST to the page it redirects to (web/handoff.py).
        "HANDOFF_DB": str(settings.handoff_db),
        "WATCH_INDEX": True,  # pick up a rebuilt index without a restart (web/state.py)
        "ENGINE": None,  # an already loaded bot.engine.Engine (tests)
        "EMBEDDER": None,  # an embedder to load the engine with (tests: the fake one)
        "RETRIEVAL": None,  # a bot.search.retrieve.RetrievalConfig (tests: a lower bar for the fake embedder)
        "KNOWLEDGE_DIR": None,  # default: the settings' knowledge folder
        "INDEX_DIR": None,  # default: the settings' index folder
    }


class App(Flask):
    def log_exception(self, exc_info) -> None:
        logs.log_exception(exc_info)  # without the message: it could quote the question


def create_app(test_config: dict | None = None) -> Flask:
    app = App(__name__)
    app.config.from_mapping(default_config())
    if test_config:
        app.config.from_mapping(test_config)
    state.init_app(app)
    settings = app.config.get("SETTINGS")
    redis_url = app.config.get("REDIS_URL") or (settings.redis_url if settings is not None else "")
    app.extensions["kiosk_handoff"] = open_handoff(app.config["HANDOFF_DB"], redis_url)
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
