"""The engine: wires the stages together. Nothing else knows more than one stage.

Data flows one way: knowledge -> index -> (triage -> search -> answer | check) -> web/cli.
A question is parsed once into a `Question` record that every stage reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from threadpoolctl import threadpool_limits

from bot.answer.compose import Answer, Composer
from bot.answer.context import ContextTracker, FollowUp, focus_values
from bot.cache import LRU
from bot.check.checker import Checker, CheckResult
from bot.enums import Kind
from bot.errors import IndexStaleError, InputError
from bot.index import store
from bot.index.embed import Embedder, load_embedder, packaged_model_dir
from bot.knowledge.load import load_knowledge
from bot.search.known_words import KnownWords, wordpiece_vocabulary
from bot.search.question import Question, QuestionParser
from bot.search.retrieve import Retrieval, RetrievalConfig, Retriever
from bot.settings import Settings
from bot.text import normalize
from bot.triage.coverage import Coverage
from bot.triage.floor import Floor
from bot.triage.model import FILES as ROUTER_FILES
from bot.triage.model import RouterModel
from bot.triage.router import SUBJECT_ROUTES, Decision, Router, decide

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
    """Build the index for settings.knowledge_dir into settings.index_dir, with the router trained
    on the labelled routing examples and question sets (knowledge/routing.yaml)."""
    from bot.triage import train  # scikit-learn: needed to build, never to serve

    embedder = embedder or default_embedder(settings)
    knowledge = load_knowledge(settings.knowledge_dir)  # fails early on any broken knowledge file
    rows = knowledge.routing.rows()
    known = KnownWords(knowledge, wordpiece_vocabulary(_tokenizer_file(settings)))
    parser, coverage = QuestionParser(knowledge, known), Coverage(knowledge, known)

    def derive(vectors) -> dict[str, bytes]:
        x = train.feature_rows([text for text, _ in rows], vectors["routing"], parser, coverage,
                               vectors["snippets"], vectors["questions"])
        model = train.fit(x, [label for _, label in rows], knowledge.routing.training_hash(), progress=progress)
        return model.to_files()

    return store.build(settings.knowledge_dir, settings.index_dir, embedder,
                       extras={"routing": [(str(label), text) for text, label in rows]}, progress=progress,
                       derive=derive)


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
    return store.is_fresh(settings.index_dir, load_knowledge(settings.knowledge_dir), embedder.model_id)


def _tokenizer_file(settings: Settings):
    try:
        return (settings.model_dir or packaged_model_dir()) / "tokenizer.json"
    except Exception:  # noqa: BLE001 - no model package: the rarity signal is simply absent
        return None


# The help lines shown with each urgent reply, in order.
URGENT_LINES = {"crisis": ("crisis", "emergency"), "abuse": ("domestic_violence", "sexual_assault", "emergency"),
                "emergency": ("emergency", "advice")}


def router_model(index: store.Index) -> RouterModel | None:
    """The router trained with this index, or None for an index built without one."""
    if not all(name in index.derived for name in ROUTER_FILES):
        return None
    try:
        return RouterModel.from_files(dict(index.derived))
    except (ValueError, KeyError) as exc:
        raise IndexStaleError(f"the router in {index.path} cannot be read ({exc})", "python -m bot build") from None


class Engine:
    """Loaded once per process; `ask` and `check` are safe to call from several threads."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 retrieval: RetrievalConfig | None = None):
        # One BLAS thread for the whole process: every product on the request path is one vector
        # against a small matrix, where OpenBLAS's spinning threads only fight ONNX Runtime's own
        # (measured: with two, a question took twice as long on two cores).
        threadpool_limits(limits=1, user_api="blas")
        self.settings = settings
        self.knowledge = knowledge = load_knowledge(settings.knowledge_dir)
        self.messages = knowledge.messages
        self.embedder = embedder or default_embedder(settings)
        try:
            self.index = store.load(settings.index_dir, knowledge, self.embedder.model_id)
        except IndexStaleError as exc:
            raise IndexStaleError(exc.reason, rebuild_command(settings)) from None
        known = KnownWords(knowledge, wordpiece_vocabulary(_tokenizer_file(settings)), self.index.bm25.vocab)
        self.parser = QuestionParser(knowledge, known)
        self.coverage = Coverage(knowledge, known)
        self.retriever = Retriever(knowledge, self.index, self.embedder, retrieval, self.parser)
        self.floor = Floor(knowledge.floor)
        self.router = Router(router_model(self.index), self.floor, self.coverage, self.retriever.nearest)
        self.composer = Composer(knowledge, self.messages)
        self.context = ContextTracker(self.parser.facets, knowledge.vocabulary, settings.max_history)
        self.answers: LRU[Answer] = LRU(settings.answer_cache)
        self._checker: Checker | None = None
        self._checker_lock = threading.Lock()

    def ask(self, question: str, history: Sequence[str] = (), mode: str | None = None,
            locale: str | None = None) -> Answer:
        started = time.perf_counter()
        text = normalize(question) if isinstance(question, str) else ""
        if not text:
            raise InputError("the question is empty")
        if len(text) > self.settings.max_question_chars:
            raise InputError(f"the question is too long (at most {self.settings.max_question_chars:,} characters)")
        mode = mode or self.settings.mode
        locale = locale or self.settings.locale
        history = tuple(h for h in (normalize(h) for h in history if isinstance(h, str)) if h)
        history = history[-self.settings.max_history:] if self.settings.max_history else ()
        key = (text.lower(), tuple(h.lower() for h in history), mode, locale)
        cached = self.answers.get(key)
        if cached is not None:
            return replace(cached, timings={"cached": 1.0, "total": (time.perf_counter() - started) * 1000.0})
        answer = self._answer(self.parser.parse(text), history, mode, locale)
        self.answers.put(key, answer)
        return replace(answer, timings={**answer.timings, "total": (time.perf_counter() - started) * 1000.0})

    def _answer(self, question: Question, history: Sequence[str], mode: str, locale: str) -> Answer:
        clock = time.perf_counter()
        urgent = self.router.floor_check(question)  # the audited floor: no model needed
        if urgent is not None:
            return self._urgent(urgent, question, mode, locale)
        question = replace(question, vector=self.retriever.embed(question.text))
        reading = self.router.read(question)
        triage_ms = (time.perf_counter() - clock) * 1000.0
        focus = self.context.resolve(question, history, assume_subject=reading.route in SUBJECT_ROUTES)
        values = focus_values(focus, self.knowledge.vocabulary)
        context = values + ([focus.earlier] if focus.earlier else [])
        asked_drug = focus.drug if focus.drug and not focus.assumed else None
        dense = ([self.knowledge.vocabulary.label(asked_drug)] if asked_drug else []) + \
            ([focus.earlier] if focus.earlier else [])
        retrieval = self.retriever.search(question, context=context, dense_context=dense, drug=asked_drug)
        clock = time.perf_counter()
        follow_up = bool(context and not focus.assumed)
        in_domain = self.coverage.mentions_domain(retrieval.query.expanded)
        # Whether the evidence may answer weighs the question's own words (and a real earlier
        # turn's), never the subject assumed for it: "what causes kidney stones?" read as info is
        # not about ketamine because we assumed so; "what does it actually do?" points at it.
        own_words = in_domain if follow_up else (self.coverage.mentions_domain(question.query.expanded)
                                                 or self.coverage.refers_without_naming(question))
        answerable = self.composer.answers(retrieval) and not self._uncovered(question, retrieval, own_words)
        on_topic = in_domain or follow_up or reading.route in SUBJECT_ROUTES
        decision = decide(reading.route, on_topic, follow_up, answerable)
        triage_ms += (time.perf_counter() - clock) * 1000.0
        if decision.kind.urgent:
            return self._urgent(decision, question, mode, locale)
        clock = time.perf_counter()
        answer = self._compose(decision, question, retrieval, locale, answerable, self.context.in_focus(question, focus))
        timings = {"triage": triage_ms, **retrieval.timings,
                   "composition": (time.perf_counter() - clock) * 1000.0}
        return replace(answer, timings=timings, retrieval=retrieval, route=reading, reason=decision.reason)

    def _compose(self, decision: Decision, question: Question, retrieval: Retrieval, locale: str,
                 answerable: bool, focus: FollowUp | None = None) -> Answer:
        understood = retrieval.query.understood_as
        messages, kind = self.messages, decision.kind
        closing = messages.help_line(locale)
        if kind in (Kind.ILLICIT, Kind.OUT_OF_SCOPE):
            return self.composer.fixed(kind, understood, messages.safety_text(kind, locale), closing=closing)
        notes = self._unmatched_note(question.rare) if answerable else ()
        if decision.reply == "symptom":
            notes = (messages.safety_text("symptom", locale), *notes)
        if kind == Kind.PERSONAL_ADVICE:
            reply = "substance_help" if decision.reply == "substance_help" else "personal_advice"
            contacts = self._contacts(locale, ("substance_use", "crisis")) if reply == "substance_help" else ()
            if answerable:
                evidence = self.composer.evidence(retrieval, kind, messages.safety_text(reply, locale), notes=notes,
                                                  focus=focus)
                return replace(evidence, contacts=contacts)
            text = messages.safety_text(reply if reply == "substance_help" else "personal_advice_no_evidence", locale)
            return self.composer.fixed(kind, understood, text, contacts)
        if kind == Kind.ANSWER:
            return self.composer.evidence(retrieval, notes=notes + self._soft_notes(question, locale), focus=focus)
        return self.composer.no_evidence(understood, closing=closing, notes=notes)

    @property
    def checker(self) -> Checker:
        """The clinician phrasing check on this engine's evidence, built on first use."""
        with self._checker_lock:  # built once, even when many threads ask at once
            if self._checker is None:
                self._checker = Checker(self.knowledge, self.retriever, self.coverage, UNCOVERED_TERM_BAR)
        return self._checker

    def check(self, text: str) -> CheckResult:
        if isinstance(text, str) and len(text) > self.settings.max_check_chars:
            raise InputError(f"the text is too long (at most {self.settings.max_check_chars:,} characters)")
        return self.checker.check(text)

    def _urgent(self, decision: Decision, question: Question, mode: str, locale: str) -> Answer:
        """Crisis (suicide, self-harm, abuse) and emergency replies, with the help lines that fit."""
        reply = decision.reply if decision.reply in URGENT_LINES else str(decision.kind)
        text = self.messages.safety_text(reply, locale)
        if mode == "kiosk":
            text = f"{text} {self.messages['kiosk_staff']}"
        answer = self.composer.fixed(decision.kind, question.text, text, self._contacts(locale, URGENT_LINES[reply]))
        return replace(answer, reason=decision.reason)

    def _contacts(self, locale: str, roles: Sequence[str]):
        contacts = self.messages.contacts(locale)
        return tuple(contacts[r] for r in roles)

    def _uncovered(self, question: Question, retrieval: Retrieval, in_domain: bool) -> bool:
        """The question is about a treatment or topic the evidence base does not cover: it names a
        treatment we lack, or a rare word we do not know while no snippet is a close match."""
        coverage = self.coverage
        if (coverage.other_treatment(question) or coverage.unknown_names(question)
                or coverage.uncovered_target(question) or coverage.about_children(question)
                or coverage.uncovered_topic(question)):
            return True
        if not in_domain and max((h.relevance for h in retrieval.hits), default=0.0) < OFF_DOMAIN_BAR:
            return True
        close = any(h.similarity >= UNCOVERED_TERM_BAR for h in retrieval.hits)
        return not close and bool(question.rare)

    def _unmatched_note(self, rare: Sequence[str]) -> tuple[str, ...]:
        """Words of the question the evidence never mentions ("trigeminal", "sertraline"): the answer
        is the closest evidence there is, and the user is told so rather than left to assume a fit."""
        terms = rare[:3]
        if not terms:
            return ()
        quoted = [f"“{t}”" for t in terms]
        listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        return (self.messages["unmatched_terms"].format(terms=listed),)

    def _soft_notes(self, question: Question, locale: str) -> tuple[str, ...]:
        """A line with help numbers when an answered question touches on suicide or overdose."""
        signal = self.floor.soft(question)
        if signal is None:
            return ()
        contact = self.messages.contacts(locale)[signal]
        return (self.messages["soft_help"].format(action=contact.action),)
