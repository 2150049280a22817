"""The engine, loaded once per process in create_app, whether it is ready, and hot reload.

A rebuild (`python -m bot build`) swaps a complete new index folder in atomically. Each process
notices the new index/manifest.json on its next request (one stat call) and loads the new engine
while the other requests go on with the old one; then one reference is swapped. A request keeps
the engine it started with until it ends (pinned in flask.g), so it sees the old index or the new
one, never a mix. If the new index cannot be loaded the old engine keeps serving, /readyz says
why and the log has a line; a process that had no engine stays not ready.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from flask import Flask, current_app, g

from bot.engine import Engine
from bot.errors import BotError, KnowledgeError
from bot.knowledge.messages import Messages, load_messages
from bot.settings import Settings

log = logging.getLogger(__name__)

Stamp = tuple[int, int, int, int] | None  # the manifest file's device, inode, mtime and size
# Run once on every engine before it serves: the engine builds its clinician checker on first use
# (about a second, holding the interpreter), which would otherwise stall the first requests after a
# start or a reload while several threads built it at once.
WARM_UP_TEXT = "Ketamine may help some people with nerve pain."


@dataclass(frozen=True)
class EngineState:
    settings: Settings
    engine: Engine | None = None
    problem: str = ""  # why the engine is not ready, with the command that fixes it
    stamp: Stamp = None  # index/manifest.json as it was when this state was loaded
    reload_problem: str = ""  # a newer index on disk that could not be loaded (the old one serves)
    fallback_messages: Messages | None = None  # without an engine: the fixed wording, if it loads

    @property
    def ready(self) -> bool:
        return self.engine is not None

    @property
    def messages(self) -> Messages | None:
        """The fixed wording (help numbers on every page, even when the index is not ready)."""
        return self.engine.messages if self.engine else self.fallback_messages


class NotReady(Exception):
    """The engine could not be loaded; `problem` says why."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


class EngineHolder:
    """This process's current EngineState; picks up a rebuilt index without a restart."""

    def __init__(self, config):
        self.config = config
        self.watch = config.get("ENGINE") is None and bool(config.get("WATCH_INDEX", True))
        self._loading = threading.Lock()
        self.state = load(config)

    def current(self) -> EngineState:
        state = self.state
        if self.watch and manifest_stamp(state.settings.index_dir) != state.stamp:
            state = self._reload(state)
        return state

    def _reload(self, seen: EngineState) -> EngineState:
        if not self._loading.acquire(blocking=False):
            return seen  # another thread is loading the new index: keep serving the old one
        try:
            if self.state is not seen:
                return self.state
            embedder = seen.engine.embedder if seen.engine else None
            new = load(self.config, embedder=embedder)
            if new.ready:
                log.info("index reloaded: built at %s", new.engine.index.manifest.get("built_at"))
            elif seen.ready:
                log.error("index reload failed, still serving the index built at %s: %s",
                          seen.engine.index.manifest.get("built_at"), new.problem)
                new = replace(seen, stamp=new.stamp, reload_problem=new.problem)
            self.state = new  # one reference swap: requests already running keep `seen`
            return new
        finally:
            self._loading.release()


def init_app(app: Flask) -> None:
    app.extensions["bot"] = EngineHolder(app.config)


def manifest_stamp(index_dir) -> Stamp:
    try:
        st = os.stat(Path(index_dir) / "manifest.json")
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def load(config, embedder=None) -> EngineState:
    engine = config.get("ENGINE")
    if engine is not None:
        return EngineState(engine.settings, engine)
    settings = (config.get("SETTINGS") or Settings.from_env()).replace(
        **{k: v for k, v in (("knowledge_dir", config.get("KNOWLEDGE_DIR")), ("index_dir", config.get("INDEX_DIR"))) if v})
    stamp = manifest_stamp(settings.index_dir)  # taken first: a swap during the load is seen next time
    fallback = _messages_or_none(settings)
    try:
        engine = Engine(settings, embedder=embedder or config.get("EMBEDDER"), retrieval=config.get("RETRIEVAL"))
    except KnowledgeError as exc:
        problem = f"{exc}. Fix the file (python -m bot lint lists every problem), then run: python -m bot build"
        log.error("engine not ready: %s", problem)
        return EngineState(settings, problem=problem, stamp=stamp, fallback_messages=fallback)
    except BotError as exc:
        log.error("engine not ready: %s", exc)
        return EngineState(settings, problem=str(exc), stamp=stamp, fallback_messages=fallback)
    except Exception as exc:  # noqa: BLE001 - a broken file must leave the server up and not ready
        problem = f"the index or knowledge could not be loaded ({type(exc).__name__}). Fix it with: python -m bot build"
        log.error("engine not ready: %s", problem, exc_info=True)
        return EngineState(settings, problem=problem, stamp=stamp, fallback_messages=fallback)
    try:
        engine.check(WARM_UP_TEXT)
    except Exception as exc:  # noqa: BLE001 - the engine still answers questions; the check will say why
        log.warning("engine warm-up failed: %s: %s", type(exc).__name__, exc)
    log.info("engine ready: %d snippets, %d sources, index built at %s", len(engine.knowledge.snippets),
             len(engine.knowledge.sources), engine.index.manifest.get("built_at"))
    return EngineState(settings, engine, stamp=stamp)


def _messages_or_none(settings: Settings) -> Messages | None:
    try:
        return load_messages(settings.knowledge_dir)
    except Exception:  # noqa: BLE001 - broken wording: pages go without the help box rather than fail
        return None


def current() -> EngineState:
    """The state for this request: looked up once, then the same for the whole request."""
    pinned = g.get("bot_state")
    if pinned is None:
        pinned = g.bot_state = current_app.extensions["bot"].current()
    return pinned


def require_engine() -> Engine:
    """The loaded engine, or NotReady (mapped to 503 by web.errors)."""
    loaded = current()
    if loaded.engine is None:
        raise NotReady(loaded.problem)
    return loaded.engine
