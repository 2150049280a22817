"""The engine: knowledge, index, embedder, triage, retrieval and composition wired together.

Data flows one way: knowledge -> index -> (safety -> retrieve -> answer) -> web/cli.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.answer.compose import Answer, Composer
from bot.answer.context import ContextTracker
from bot.cache import LRU
from bot.errors import IndexStaleError, InputError
from bot.index import store as index_mod
from bot.index.embed import Embedder, load_embedder
from bot.knowledge.load import load_knowledge
from bot.knowledge.messages import load_messages
from bot.search.retrieve import RetrievalConfig, Retriever
from bot.settings import Settings
from bot.text import normalize
from bot.triage.coverage import Coverage, load_scope, wordpiece_vocabulary
from bot.triage.safety import Triager, labelled_examples, load_examples

MAX_HISTORY = 5
# With an unknown rare word in the question, answer only when a snippet is at least this close
# (set on the dev set: covered synonyms such as "tumour" score 0.66-0.80, uncovered topics 0.35-0.53).
UNCOVERED_TERM_BAR = 0.55
# A question with no word of our subject (no medicine, no pain word: "what causes kidney stones?")
# is answered only when a snippet or its lay question is at least this close. Set on all question
# sets: questions about the chatbot itself score 0.53-0.94, off-topic health questions up to 0.49.
OFF_DOMAIN_BAR = 0.5


def default_embedder(settings: Settings) -> Embedder:
    return load_embedder(settings.model_dir, settings.embed_backend, settings.model_cache,
                         threads=settings.embed_threads, variant=settings.embed_variant)


def build_index(settings: Settings, embedder: Embedder | None = None,
                progress: Callable[[str], None] | None = None) -> dict:
    """Build the index for settings.knowledge_dir into settings.index_dir."""
    embedder = embedder or default_embedder(settings)
    examples = load_examples(settings.knowledge_dir)
    load_messages(settings.knowledge_dir)  # fail the build early on broken fixed wording
    load_scope(settings.knowledge_dir)
    return index_mod.build(settings.knowledge_dir, settings.index_dir, embedder,
                           extras={"safety": labelled_examples(examples)}, progress=progress)


def _tokenizer_file(settings: Settings):
    from bot.index.embed import packaged_model_dir

    try:
        return (settings.model_dir or packaged_model_dir()) / "tokenizer.json"
    except Exception:  # noqa: BLE001 - no model package: the rarity signal is simply absent
        return None


def rebuild_command(settings: Settings) -> str:
    """The build command for these settings' folders (defaults left out)."""
    defaults = Settings()
    parts = ["python -m bot build"]
    if settings.knowledge_dir != defaults.knowledge_dir:
        parts.append(f"--knowledge {settings.knowledge_dir}")
    if settings.index_dir != defaults.index_dir:
        parts.append(f"--index {settings.index_dir}")
    return " ".join(parts)


def index_is_fresh(settings: Settings, embedder: Embedder) -> bool:
    return index_mod.is_fresh(settings.index_dir, load_knowledge(settings.knowledge_dir), embedder.model_id)


class Engine:
    """Loaded once per process; `ask` is safe to call from several threads."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 retrieval: RetrievalConfig | None = None):
        self.settings = settings
        self.knowledge = load_knowledge(settings.knowledge_dir)
        self.messages = load_messages(settings.knowledge_dir)
        self.embedder = embedder or default_embedder(settings)
        try:
            self.index = index_mod.load(settings.index_dir, self.knowledge, self.embedder.model_id)
        except IndexStaleError as exc:
            raise IndexStaleError(exc.reason, rebuild_command(settings)) from None
        examples, vectors = self.index.extras.get("safety", ((), None))
        self.coverage = Coverage(self.knowledge, load_scope(settings.knowledge_dir),
                                 wordpiece_vocabulary(_tokenizer_file(settings)), self.index.bm25.vocab)
        self.triager = Triager(examples, vectors, self.coverage.mentions_domain)
        self.retriever = Retriever(self.knowledge, self.index, self.embedder, retrieval)
        self.composer = Composer(self.knowledge, self.messages)
        self.context = ContextTracker(self.retriever.expander)
        self.answers: LRU[Answer] = LRU(settings.answer_cache)
        self._checker = None
        self._checker_lock = threading.Lock()

    def ask(self, question: str, history: Sequence[str] = (), mode: str | None = None,
            locale: str | None = None) -> Answer:
        if not isinstance(question, str) or not normalize(question):
            raise InputError("the question is empty")
        started = time.perf_counter()
        mode = mode or self.settings.mode
        locale = locale or self.settings.locale
        history = tuple(normalize(h) for h in history if isinstance(h, str) and normalize(h))[-MAX_HISTORY:]
        key = (normalize(question).lower(), tuple(h.lower() for h in history), mode, locale)
        cached = self.answers.get(key)
        if cached is not None:
            return replace(cached, timings={"cached": 1.0, "total": (time.perf_counter() - started) * 1000.0})
        answer = self._answer(question, history, mode, locale)
        self.answers.put(key, answer)
        return replace(answer, timings={**answer.timings, "total": (time.perf_counter() - started) * 1000.0})

    def _answer(self, question: str, history: Sequence[str], mode: str, locale: str) -> Answer:
        clock = time.perf_counter()
        early = self.triager.by_pattern(question)
        if early is not None and early.kind in ("crisis", "emergency"):
            return self._urgent(early.kind, question, mode, locale)
        focus = self.context.resolve(question, history)
        triage_ms = (time.perf_counter() - clock) * 1000.0
        context = focus.values() + ([focus.earlier] if focus.earlier else [])
        dense = ([focus.drug] if focus.drug and not focus.assumed else []) + ([focus.earlier] if focus.earlier else [])
        asked_drug = focus.drug if focus.drug and not focus.assumed else None
        retrieval = self.retriever.search(question, context=context, dense_context=dense, drug=asked_drug)
        clock = time.perf_counter()
        triage = early or self.triager.triage(question, retrieval.vector, follow_up=bool(context and not focus.assumed),
                                              patterns_checked=True)
        kind = triage.kind
        in_domain = self.coverage.mentions_domain(retrieval.query.expanded)
        by_meaning_only = triage.similarity < 1.0  # illicit patterns ("mix k at a festival") stand on their own
        if (kind == "personal_advice" or (kind == "illicit" and by_meaning_only)) \
                and not (context and not focus.assumed) and not in_domain:
            kind = "out_of_scope"  # "how much water should I drink" asks for advice about nothing we cover
        triage_ms += (time.perf_counter() - clock) * 1000.0
        if kind in ("crisis", "emergency"):
            return self._urgent(kind, question, mode, locale)
        clock = time.perf_counter()
        answer = self._compose(kind, question, retrieval, locale, in_domain)
        timings = {"triage": triage_ms, **retrieval.timings,
                   "composition": (time.perf_counter() - clock) * 1000.0}
        return replace(answer, timings=timings, retrieval=retrieval)

    def _compose(self, kind: str, question: str, retrieval, locale: str, in_domain: bool) -> Answer:
        understood = retrieval.query.understood_as
        if kind in ("illicit", "out_of_scope"):
            return self.composer.fixed(kind, understood, self.messages.safety_text(kind, locale))
        rare = self.coverage.rare_terms(question)
        answerable = retrieval.relevant and not self._uncovered(question, retrieval, in_domain, rare)
        if kind == "personal_advice":
            if answerable:
                return self.composer.evidence(retrieval, "personal_advice",
                                              self.messages.safety_text("personal_advice", locale),
                                              notes=self._unmatched_note(rare))
            return self.composer.fixed("personal_advice", understood,
                                       self.messages.safety_text("personal_advice_no_evidence", locale))
        if answerable:
            return self.composer.evidence(retrieval, notes=self._unmatched_note(rare)
                                          + self._soft_notes(question, locale))
        if in_domain:
            return self.composer.no_evidence(understood)
        return self.composer.fixed("out_of_scope", understood, self.messages.safety_text("out_of_scope", locale))

    def check(self, text: str):
        """The clinician phrasing check (bot/check.py) on this engine's evidence."""
        from bot.check.checker import Checker

        with self._checker_lock:  # built once, on first use, even when many threads ask at once
            if self._checker is None:
                self._checker = Checker(self)
        return self._checker.check(text)

    def _urgent(self, kind: str, question: str, mode: str, locale: str) -> Answer:
        text = self.messages.safety_text(kind, locale)
        if mode == "kiosk":
            text = f"{text} {self.messages['kiosk_staff']}"
        contacts = self.messages.contacts(locale)
        order = ("emergency", "advice") if kind == "emergency" else ("crisis", "emergency")
        understood = normalize(question)
        return self.composer.fixed(kind, understood, text, tuple(contacts[r] for r in order))

    def _uncovered(self, question: str, retrieval, in_domain: bool, rare: list[str]) -> bool:
        """The question is about a treatment or topic the evidence base does not cover: it names a
        treatment we lack, or a rare word we do not know (`rare`) while no snippet is a close match."""
        coverage = self.coverage
        if (coverage.other_treatment(question) or coverage.unknown_names(question)
                or coverage.uncovered_target(question) or coverage.about_children(question)
                or coverage.uncovered_topic(question)):
            return True
        if not in_domain and max((h.relevance for h in retrieval.hits), default=0.0) < OFF_DOMAIN_BAR:
            return True
        close = any(h.similarity >= UNCOVERED_TERM_BAR for h in retrieval.hits)
        return not close and bool(rare)

    def _unmatched_note(self, rare: list[str]) -> tuple[str, ...]:
        """Words of the question the evidence never mentions ("trigeminal", "sertraline"): the answer
        is the closest evidence there is, and the user is told so rather than left to assume a fit."""
        terms = rare[:3]
        if not terms:
            return ()
        quoted = [f"“{t}”" for t in terms]
        listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        return (self.messages["unmatched_terms"].format(terms=listed),)

    def _soft_notes(self, question: str, locale: str) -> tuple[str, ...]:
        """A line with help numbers when an answered question touches on suicide or overdose."""
        signal = self.triager.soft_signal(question)
        if signal is None:
            return ()
        contact = self.messages.contacts(locale)[signal]
        return (self.messages["soft_help"].format(action=contact.action),)
