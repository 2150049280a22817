"""The engine, loaded once per process in create_app, and whether it is ready."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, current_app

from bot.engine import Engine
from bot.errors import BotError
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineState:
    settings: Settings
    engine: Engine | None = None
    problem: str = ""  # why the engine is not ready, with the command that fixes it

    @property
    def ready(self) -> bool:
        return self.engine is not None


class NotReady(Exception):
    """The engine could not be loaded; `problem` says why."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def init_app(app: Flask) -> None:
    app.extensions["bot"] = load(app.config)


def load(config) -> EngineState:
    engine = config.get("ENGINE")
    if engine is not None:
        return EngineState(engine.settings, engine)
    settings = Settings.from_env(knowledge_dir=config.get("KNOWLEDGE_DIR"), index_dir=config.get("INDEX_DIR"))
    try:
        engine = Engine(settings, embedder=config.get("EMBEDDER"), retrieval=config.get("RETRIEVAL"))
    except BotError as exc:
        log.error("engine not ready: %s", exc)
        return EngineState(settings, problem=str(exc))
    log.info("engine ready: %d snippets, %d sources", len(engine.knowledge.snippets), len(engine.knowledge.sources))
    return EngineState(settings, engine)


def current() -> EngineState:
    return current_app.extensions["bot"]


def require_engine() -> Engine:
    """The loaded engine, or NotReady (mapped to 503 by web.errors)."""
    loaded = current()
    if loaded.engine is None:
        raise NotReady(loaded.problem)
    return loaded.engine
