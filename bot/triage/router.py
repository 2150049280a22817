"""The one place that decides the reply kind.

1. The safety floor (audited crisis and emergency patterns, knowledge/safety_floor.yaml) first.
2. A trained classifier reads the question as a route (info, symptom, out_of_scope, personal_advice,
   substance_help, illicit, emergency, crisis, abuse) from its vector and a few signals.
3. The decision table below turns the route and the evidence into a reply kind: first matching row
   wins. `on_topic`: the question uses a word of our subject, the router reads it as about our
   subject, or it follows up an earlier turn. `answerable`: retrieval found close evidence and the
   coverage checks found nothing the evidence lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.enums import Kind, Route
from bot.search.question import Question
from bot.triage.coverage import Coverage
from bot.triage.features import SIGNALS, features, signals
from bot.triage.floor import Floor, FloorHit
from bot.triage.model import RouterModel

# Routes that read the question as being about our subject even without a word of it.
SUBJECT_ROUTES = frozenset({Route.INFO, Route.SYMPTOM})


@dataclass(frozen=True)
class Row:
    id: str
    routes: frozenset[Route] | None  # None: any route
    kind: Kind
    reply: str  # which fixed reply or note goes with it (knowledge/messages.yaml)
    on_topic: bool | None = None  # None: either
    follow_up: bool | None = None
    answerable: bool | None = None

    def matches(self, route: Route, on_topic: bool, follow_up: bool, answerable: bool) -> bool:
        return ((self.routes is None or route in self.routes)
                and self.on_topic in (None, on_topic) and self.follow_up in (None, follow_up)
                and self.answerable in (None, answerable))


def _row(id_, routes, kind, reply, **conditions) -> Row:
    return Row(id_, frozenset(routes) if routes is not None else None, kind, reply, **conditions)


TABLE = (
    _row("crisis", {Route.CRISIS}, Kind.CRISIS, "crisis"),
    _row("abuse", {Route.ABUSE}, Kind.CRISIS, "abuse"),
    _row("emergency", {Route.EMERGENCY}, Kind.EMERGENCY, "emergency"),
    _row("substance-help", {Route.SUBSTANCE_HELP}, Kind.PERSONAL_ADVICE, "substance_help"),
    _row("illicit", {Route.ILLICIT}, Kind.ILLICIT, "illicit", on_topic=True),
    _row("advice", {Route.PERSONAL_ADVICE}, Kind.PERSONAL_ADVICE, "personal_advice", on_topic=True),
    _row("advice-elsewhere", {Route.PERSONAL_ADVICE, Route.ILLICIT}, Kind.OUT_OF_SCOPE, "out_of_scope"),
    _row("symptom", {Route.SYMPTOM}, Kind.ANSWER, "symptom", answerable=True),
    _row("symptom-unknown", {Route.SYMPTOM}, Kind.NO_EVIDENCE, "symptom"),
    _row("off-topic", {Route.OUT_OF_SCOPE}, Kind.OUT_OF_SCOPE, "out_of_scope", follow_up=False),
    _row("answer", None, Kind.ANSWER, "answer", answerable=True),
    _row("no-evidence", None, Kind.NO_EVIDENCE, "no_evidence", on_topic=True),
    _row("elsewhere", None, Kind.OUT_OF_SCOPE, "out_of_scope"),
)


@dataclass(frozen=True)
class Reading:
    """What the router read: the route and each route's probability."""

    route: Route
    probabilities: dict[Route, float]


@dataclass(frozen=True)
class Decision:
    kind: Kind
    reply: str
    reason: str  # the table row or floor rule that decided, for logs and eval


def decide(route: Route, on_topic: bool, follow_up: bool, answerable: bool) -> Decision:
    for row in TABLE:
        if row.matches(route, on_topic, follow_up, answerable):
            return Decision(row.kind, row.reply, f"row {row.id} ({route})")
    raise AssertionError("the last row matches everything")


class Router:
    def __init__(self, model: RouterModel | None, floor: Floor, coverage: Coverage,
                 relevance: Callable[[np.ndarray], float]):
        self.model, self.floor, self.coverage, self.relevance = model, floor, coverage, relevance

    def floor_check(self, question: Question) -> Decision | None:
        hit: FloorHit | None = self.floor.check(question)
        if hit is None:
            return None
        return Decision(hit.kind, hit.reply, f"floor {hit.rule} '{hit.matched}'")

    def read(self, question: Question) -> Reading:
        """The route of a question whose vector is set. Without a trained model: info."""
        if self.model is None or question.vector is None:
            return Reading(Route.INFO, {})
        seen = signals(question, self.coverage, self.relevance(question.vector))
        probabilities = self.model.probabilities(features(question.vector, seen))[0]
        subject_words = bool(seen[SIGNALS.index("domain_word")] or seen[SIGNALS.index("names_medicine")]
                             or self.coverage.refers_without_naming(question))
        return Reading(self.model.route(probabilities, question.vector, subject_words),
                       dict(zip(self.model.labels, (round(float(p), 4) for p in probabilities), strict=True)))
