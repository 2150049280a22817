"""The engine, loaded once per process in create_app, whether it is ready, and hot reload.

Every process serves the index generation that index/current names (bot/index/generations.py),
with the copy of the knowledge that generation was built from: a worker that starts or restarts
loads what its siblings serve, and editing knowledge/ without a rebuild changes nothing served
(/readyz says `knowledge_behind`). A rebuild publishes a new generation and swaps the pointer; each
process notices on its next request (one readlink) and loads the new engine while the other
requests go on with the old one; then one reference is swapped. A request keeps the engine it
started with (pinned in flask.g), so it sees the old generation or the new one, never a mix.

Nothing that fails verification is ever served: if the generation named by `current` cannot be
loaded, a process that serves one keeps it (/readyz warns), and a process that has none stays not
ready. If it is damaged (a file missing or changed) while the previous generation is intact, the
pointer is rolled back to the previous one, so every process serves the same intact generation.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace

from flask import Flask, current_app, g

from bot.engine import Engine, rebuild_command
from bot.errors import BotError, IndexStaleError, KnowledgeError
from bot.index import generations
from bot.knowledge.load import content_hash
from bot.knowledge.messages import Messages, load_messages
from bot.settings import Settings

log = logging.getLogger(__name__)

# Run once on every engine before it serves: the engine builds its clinician checker on first use
# (about a second, holding the interpreter), which would otherwise stall the first requests after a
# start or a reload while several threads built it at once.
WARM_UP_TEXT = "Ketamine may help some people with nerve pain."
BEHIND_TTL = 5.0  # seconds between two hashes of knowledge/ for /readyz's knowledge_behind


@dataclass(frozen=True)
class EngineState:
    settings: Settings  # the app's settings: knowledge/ and index/ as configured
    engine: Engine | None = None
    problem: str = ""  # why the engine is not ready, with the command that fixes it
    stamp: object = None  # generations.stamp(index_dir) when this state was loaded
    reload_problem: str = ""  # the generation now current could not be loaded (the one above serves)
    generation: str | None = None  # the id of the generation served (None: a plain folder, or a test engine)
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
    """This process's current EngineState; picks up a new generation without a restart."""

    def __init__(self, config):
        self.config = config
        self.watch = config.get("ENGINE") is None and bool(config.get("WATCH_INDEX", True))
        self._loading = threading.Lock()
        self._behind: tuple[float, str, str] = (0.0, "", "")  # (when, knowledge folder, its hash)
        self.state = load(config)

    def current(self) -> EngineState:
        state = self.state
        if self.watch and generations.stamp(state.settings.index_dir) != state.stamp:
            state = self._reload(state)
        return state

    def _reload(self, seen: EngineState) -> EngineState:
        if not self._loading.acquire(blocking=False):
            return seen  # another thread is loading the new generation: keep serving the old one
        try:
            if self.state is not seen:
                return self.state
            index_dir = seen.settings.index_dir
            stamp = generations.stamp(index_dir)
            folder = generations.resolve(index_dir)
            if seen.ready and seen.generation and folder is not None and folder.name == seen.generation:
                new = replace(seen, stamp=stamp, reload_problem="")  # back to the one we serve (a roll-back)
            else:
                new = load(self.config, embedder=seen.engine.embedder if seen.engine else None, quiet=seen.ready)
                if new.ready:
                    log.info("index reloaded: generation %s built at %s", new.generation,
                             new.engine.index.manifest.get("built_at"))
                elif seen.ready:
                    log.error("index reload failed, still serving generation %s built at %s: %s", seen.generation,
                              seen.engine.index.manifest.get("built_at"), new.problem)
                    new = replace(seen, stamp=new.stamp, reload_problem=new.problem)
            self.state = new  # one reference swap: requests already running keep `seen`
            return new
        finally:
            self._loading.release()

    def knowledge_behind(self, state: EngineState) -> bool | None:
        """Whether knowledge/ was edited since the served generation was built (hashed every few seconds)."""
        if state.engine is None or not state.settings.knowledge_dir.is_dir():
            return None  # an app node that serves shipped generations may have no knowledge/ at all
        folder = str(state.settings.knowledge_dir)
        when, seen_folder, digest = self._behind
        if seen_folder != folder or time.monotonic() - when > BEHIND_TTL:
            try:
                digest = content_hash(folder)
            except OSError:
                return None
            self._behind = (time.monotonic(), folder, digest)
        return digest != state.engine.knowledge.content_hash


def init_app(app: Flask) -> None:
    app.extensions["bot"] = EngineHolder(app.config)


def app_settings(config) -> Settings:
    return (config.get("SETTINGS") or Settings.from_env()).replace(
        **{k: v for k, v in (("knowledge_dir", config.get("KNOWLEDGE_DIR")), ("index_dir", config.get("INDEX_DIR"))) if v})


def load(config, embedder=None, quiet: bool = False) -> EngineState:
    """The engine of the generation `current` names; if that one is damaged and the previous one
    loads, the previous one (and `current` is pointed back at it, so every process follows)."""
    engine = config.get("ENGINE")
    if engine is not None:
        return EngineState(engine.settings, engine)
    settings = app_settings(config)
    state = EngineState(settings)
    for _ in range(3):
        stamp = generations.stamp(settings.index_dir)  # taken first: a swap during the load is seen next time
        state, damaged = _load_generation(config, settings, stamp, embedder)
        if damaged:
            state = _roll_back(config, settings, state, damaged, embedder) or state
        if state.ready or generations.stamp(settings.index_dir) == stamp:
            break  # otherwise the pointer moved while this one loaded: load what it names now
    if state.ready:
        log.info("engine ready: generation %s, %d snippets, %d sources, built at %s", state.generation,
                 len(state.engine.knowledge.snippets), len(state.engine.knowledge.sources),
                 state.engine.index.manifest.get("built_at"))
    else:
        state = replace(state, fallback_messages=_messages_or_none(settings))
        if not quiet:
            log.error("engine not ready: %s", state.problem)
    return state


def _roll_back(config, settings: Settings, bad: EngineState, damaged: str, embedder) -> EngineState | None:
    """The previous generation's state, once it has loaded and `current` points at it again; None when
    there is none, it does not load with this code and model, or `current` has moved on meanwhile."""
    index_dir = settings.index_dir
    previous = generations.pointer_id(index_dir, generations.PREVIOUS)
    if previous is None or previous == bad.generation:
        return None
    state, _ = _load_generation(config, settings, bad.stamp, embedder, index_dir / generations.GENERATIONS / previous)
    if not state.ready or generations.roll_back(index_dir, bad.generation, damaged) != previous:
        return None
    log.error("index generation %s is damaged (%s): set aside, serving generation %s instead; run %s",
              bad.generation, damaged, previous, rebuild_command(settings))
    return replace(state, stamp=generations.stamp(index_dir))


def _messages_or_none(settings: Settings) -> Messages | None:
    try:
        return load_messages(settings.knowledge_dir)
    except Exception:  # noqa: BLE001 - broken wording: pages go without the help box rather than fail
        return None


def _load_generation(config, settings: Settings, stamp, embedder, folder=None) -> tuple[EngineState, str | None]:
    """(the state of the generation `current` names, or of `folder`; why it is damaged, or None)."""
    fix = rebuild_command(settings)
    folder = folder or generations.resolve(settings.index_dir)
    if folder is None:
        return EngineState(settings, problem=f"no index at {settings.index_dir}. Fix it with: {fix}", stamp=stamp), None
    generation = folder.name if generations.is_generation(folder) else None
    snapshot = folder / generations.KNOWLEDGE
    serving = settings.replace(index_dir=folder, knowledge_dir=snapshot if snapshot.is_dir() else settings.knowledge_dir)
    not_ready = EngineState(settings, stamp=stamp, generation=generation)
    try:
        with generations.pinned(folder):
            engine = Engine(serving, embedder=embedder or config.get("EMBEDDER"), retrieval=config.get("RETRIEVAL"))
    except KnowledgeError as exc:
        if snapshot.is_dir():
            problem = f"the knowledge of index generation {folder.name} cannot be loaded ({exc}). Rebuild it with: {fix}"
        else:
            problem = f"{exc}. Fix the file (python -m bot lint lists every problem), then run: {fix}"
        return replace(not_ready, problem=problem), _damage(folder)
    except IndexStaleError as exc:
        return replace(not_ready, problem=f"{exc.reason}. Fix it with: {fix}"), _damage(folder)
    except BotError as exc:
        return replace(not_ready, problem=str(exc)), None
    except Exception as exc:  # noqa: BLE001 - a broken file must leave the server up and not ready
        log.warning("engine load failed", exc_info=True)
        problem = f"the index or knowledge could not be loaded ({type(exc).__name__}). Fix it with: {fix}"
        return replace(not_ready, problem=problem), _damage(folder)
    try:
        engine.check(WARM_UP_TEXT)
    except Exception as exc:  # noqa: BLE001 - the engine still answers questions; the check will say why
        log.warning("engine warm-up failed: %s: %s", type(exc).__name__, exc)
    return replace(not_ready, engine=engine), None


def _damage(folder) -> str | None:
    return generations.damage(folder) if generations.is_generation(folder) else None


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
