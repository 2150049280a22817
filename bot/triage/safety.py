"""Safety triage: runs before retrieval, and no retrieval score can override it.

Two signals, either is enough:
- patterns: hand-written expressions for each kind, checked first (crisis and emergency
  need no model at all, so they also work if the index is down);
- meaning: the question's embedding compared with curated examples in knowledge/safety.yaml;
  the nearest examples vote, and `in_scope` examples hold back near-misses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot.search.question import Question
from bot.triage.patterns import (
    ADVICE_CUES,
    FIRST_PERSON,
    ONGOING,
    PAST,
    PATTERNS,
    PERSON,
    PROFESSIONAL,
    SOFT_SIGNALS,
    informational,
)

KINDS = ("crisis", "emergency", "illicit", "personal_advice", "out_of_scope")  # precedence order
EXAMPLE_KINDS = KINDS + ("in_scope",)


@dataclass(frozen=True)
class Triage:
    kind: str  # one of KINDS, or "answer" when nothing fires
    reason: str
    similarity: float = 0.0


@dataclass(frozen=True)
class SafetyConfig:
    neighbours: int = 3
    # Similarity to the nearest examples needed to route by meaning alone, per kind.
    thresholds: tuple[tuple[str, float], ...] = (
        ("crisis", 0.62), ("emergency", 0.68), ("illicit", 0.78), ("personal_advice", 0.76),
        ("out_of_scope", 0.60))


def labelled_examples(examples: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(kind, phrase) pairs: what the index embeds and stores for triage."""
    return [(kind, phrase) for kind in EXAMPLE_KINDS for phrase in examples.get(kind, [])]


class Triager:
    def __init__(self, examples: tuple[tuple[str, str], ...] = (), vectors: np.ndarray | None = None,
                 in_domain: Callable[[str], bool] = lambda text: False, config: SafetyConfig | None = None,
                 medicines: Sequence[str] = ()):
        self.labels = [kind for kind, _ in examples]
        self.phrases = [phrase for _, phrase in examples]
        self.vectors = vectors if vectors is not None and len(self.labels) else None
        self.config = config or SafetyConfig()
        self.in_domain = in_domain
        self.informational = informational(medicines)

    def by_pattern(self, question: Question) -> Triage | None:
        text = question.folded
        for kind in KINDS:
            for pattern in PATTERNS.get(kind, ()):
                match = pattern.search(text)
                if match is None:
                    continue
                if kind == "emergency" and (PAST.search(text) or (self.informational.search(text) and not ONGOING.search(text))):
                    continue
                if kind == "personal_advice" and PROFESSIONAL.search(text):
                    break  # a clinician asking about patients wants the evidence
                return Triage(kind, f"pattern '{match.group(0).strip()}'", 1.0)
        return None

    def by_meaning(self, vector: np.ndarray, question: Question) -> Triage | None:
        if self.vectors is None:
            return None
        sims = self.vectors @ vector
        top = np.argsort(-sims)[: self.config.neighbours]
        votes: dict[str, float] = {}
        for i in top:
            votes[self.labels[i]] = max(votes.get(self.labels[i], 0.0), float(sims[i]))
        best = self.labels[top[0]]
        if best == "in_scope":
            return None
        threshold = dict(self.config.thresholds).get(best, 1.1)
        if votes[best] < threshold or votes[best] <= votes.get("in_scope", 0.0) + 0.02:
            return None
        text = question.folded
        if best == "personal_advice" and (not (FIRST_PERSON.search(text) and ADVICE_CUES.search(text))
                                          or PROFESSIONAL.search(text)):
            return None  # advice is about the asker's own care: "ketamine lozenges" asks for none
        if best == "emergency" and (self.informational.search(text) or PAST.search(text)
                                    or not re.search(rf"\b{PERSON}\b", text)):
            return None  # "what happens if someone takes too much" asks about a harm, it reports none
        return Triage(best, f"close to example '{self.phrases[top[0]]}'", votes[best])

    def triage(self, question: Question, vector: np.ndarray | None = None, follow_up: bool = False,
               patterns_checked: bool = False) -> Triage:
        """`follow_up`: the question carries a drug or condition from earlier turns, so it is in scope.
        `patterns_checked`: the caller already ran by_pattern and it found nothing."""
        found = None if patterns_checked else self.by_pattern(question)
        if found is None and vector is not None:
            found = self.by_meaning(vector, question)
            if found is not None and found.kind == "out_of_scope" and (follow_up or self.in_domain(question.text)):
                found = None
        return found or Triage("answer", "no safety signal")

    def soft_signal(self, question: Question) -> str | None:
        """'crisis' or 'emergency' when an ordinary question touches those subjects."""
        text = question.folded
        for kind, pattern in SOFT_SIGNALS.items():
            if pattern.search(text):
                return kind
        return None

