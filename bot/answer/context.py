"""Follow-up questions: keep the drug, route and condition of earlier turns in focus.

"what about side effects?" after "does ketamine help fibro?" is read as being about ketamine
and fibromyalgia; a new full question that names its own drug starts afresh.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge.vocabulary import Vocabulary
from bot.search.question import FacetFinder, Focus, Question
from bot.text import STOPWORDS, fold, tokenize, words

_LEADS = re.compile(r"^(and|but|also|so|what about|how about|what if|then|ok|okay|and what about|"
                    r"is it|does it|do they|can it|will it|would it|are they|is that|what about it|it|they|this|that)\b")
# Words that ask about something without naming it: "how sure", "does it last", "is it safe".
GENERIC_WORDS = frozenset("sure certain long last lasts lasting safe safety work works working worth help helps "
                          "good bad true right ok okay well often much evidence research say said mean means".split())
SHORT_QUESTION_WORDS = 4  # content words at or below which a question leans on the earlier turn
FACETS = ("drug", "route", "condition")


@dataclass(frozen=True)
class FollowUp:
    """What a follow-up's answer is about: the drug, route and condition in focus (named by the
    question, else carried from earlier turns), and the question's own topic words, if any
    ("what about side effects?" asks about side effects; "and memantine?" only swaps the drug)."""

    drug: str | None = None
    route: str | None = None
    condition: str | None = None
    asks: frozenset[str] = frozenset()  # stems of its own words, minus names of drugs, routes, conditions


def focus_values(focus: Focus, vocabulary: Vocabulary) -> list[str]:
    """The carried facets in words, for the search and for "understood as"."""
    return [vocabulary.label(v) for v in (focus.drug, focus.route, focus.condition) if v]


class ContextTracker:
    def __init__(self, facets: FacetFinder, vocabulary: Vocabulary, max_history: int = 5):
        self.facets = facets
        self.subject = vocabulary.subject
        self.max_history = max_history
        names = [n for group in vocabulary.facets.values() for f in group for n in (f.id, f.label, *f.names)]
        self.plain = frozenset(tokenize(" ".join([*names, *GENERIC_WORDS])))

    def is_follow_up(self, question: Question) -> bool:
        content = [w for w in question.words if w not in STOPWORDS]
        return bool(_LEADS.match(question.folded.strip())) or len(content) <= SHORT_QUESTION_WORDS

    @staticmethod
    def is_vague(folded_words: Sequence[str]) -> bool:
        """No topic words of its own ("how sure are they about that?", "is it safe?")."""
        return not [w for w in folded_words if w not in STOPWORDS and w not in GENERIC_WORDS]

    def resolve(self, question: Question, history: Sequence[str], assume_subject: bool = False) -> Focus:
        """What to carry over from earlier turns: drug, route, condition and, for a vague
        follow-up, the earlier question itself (empty for a new full question).
        `assume_subject`: the router reads the question as about our subject; with no medicine
        named and nothing before, it is about the service's subject ("what does it actually do?")."""
        now = question.named
        if not history:
            # "is it worth it?" with nothing before: "it" is the subject of this service.
            leads = bool(_LEADS.match(question.folded.strip())) or assume_subject
            return Focus(drug=self.subject, assumed=True) if leads and not now.drug else Focus()
        if not self.is_follow_up(question):
            return Focus()
        carried: dict[str, str] = {}
        recent = list(history)[-self.max_history:]
        for earlier in reversed(recent):
            past = self.facets.of_text(earlier)
            for facet in FACETS:
                if getattr(now, facet) is None and facet not in carried and getattr(past, facet):
                    carried[facet] = getattr(past, facet)
        topical = [h for h in recent if not self.is_vague(words(h)) and not _LEADS.match(fold(h).strip())]
        earlier = (topical or recent)[-1] if self.is_vague(question.words) else None
        return Focus(**carried, earlier=earlier)

    def in_focus(self, question: Question, focus: Focus) -> FollowUp | None:
        """For a follow-up that carries a drug, route or condition from earlier turns, what its
        answer is about: each facet the question names, else the one carried (None otherwise)."""
        if focus.assumed or not any(getattr(focus, facet) for facet in FACETS):
            return None
        named = question.named
        asks = frozenset(tokenize(question.text)) - self.plain
        return FollowUp(**{facet: getattr(named, facet) or getattr(focus, facet) for facet in FACETS}, asks=asks)
