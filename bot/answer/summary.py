"""The short form of an answer: a plain lead and at most three key points, every one of them whole
sentences cut from the snippets shown (never rewritten), the full snippets one click away.

- The lead: the lead snippet's first sentence (two when the first is very short, as in "No."),
  plus the sentence that carries its certainty hedge when the first one does not (GRADE wording:
  "may" for low, "very uncertain" for very low), so a claim is never shown without its hedge.
- Key points: each supporting snippet's own lead, in the same way; then, while there is room,
  more sentences of the lead snippet: plain ones (reading grade at most 8) before hard ones, those
  sharing more words with the question first. A sentence that leans on the one before it ("These
  trials were small...") is shown only after it; none repeats a line already shown.
- When the question names some of a snippet's medicines, a sentence about only its other
  medicines is not picked ("ketamine for back pain" does not show the magnesium sentence of a
  snippet on ketamine and magnesium).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.knowledge.lint import HEDGES, reading_grade
from bot.knowledge.load import Snippet
from bot.text import tokenize

SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-Z0-9])")
# Sentences that open by pointing back at the one before them.
LEANS_BACK = re.compile(r"^(?:this|that|these|those|it|its|they|their|them|he|she|his|her|so|but|and|or|"
                        r"also|such|both|then|there|here|of them|of these|of those)\b", re.I)
MIN_LEAD_WORDS = 8  # a first sentence shorter than this ("No.") takes the next one with it
REPLY_WORDS = 2  # a key point leaves out an opening this short ("No."): it answers another question
SAME_POINT = 0.5  # word overlap above which a sentence repeats a line already shown
PLAIN_GRADE = 8.0  # the top of the reading band answers aim for (grade 6-8): a harder sentence comes last


@dataclass(frozen=True)
class Summary:
    lead: tuple[int, ...]  # sentence positions in the lead snippet's body
    points: tuple[tuple[int, tuple[int, ...]], ...]  # (snippet index, sentence positions) per key point


@lru_cache(maxsize=4096)
def sentences(body: str) -> tuple[str, ...]:
    """The body's sentences, as written."""
    return tuple(s.strip() for s in SENTENCE_BREAK.split(body.strip()) if s.strip())


def text_of(snippet: Snippet, positions: Sequence[int]) -> str:
    said = sentences(snippet.body)
    return " ".join(said[i] for i in positions)


@dataclass(frozen=True)
class Cutter:
    """Cuts the short form for one answer. `drugs`: the medicines in focus (those the question names
    among the lead snippet's); `names`: the medicines a sentence names (vocabulary ids); `plain`:
    stems left out when comparing sentences for repeats."""

    question: str
    drugs: frozenset[str] = frozenset()
    names: Callable[[str], frozenset[str]] | None = None
    max_points: int = 3
    max_words: int = 110
    plain: frozenset[str] = frozenset()  # stems that say nothing new (medicine, condition names; "help")
    asked: frozenset[str] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "asked", frozenset(tokenize(self.question)))

    def summarise(self, snippets: Sequence[Snippet]) -> Summary:
        """The lead (from snippets[0]) and the key points; snippets[1:] are the supporting snippets,
        each of which gets one key point of its own."""
        lead = self.opening(snippets[0])
        points = [(i, self.opening(s, as_point=True)) for i, s in enumerate(snippets[1:self.max_points + 1], start=1)]
        shown = [text_of(snippets[0], lead)] + [text_of(snippets[i], p) for i, p in points]
        room = self.max_points - len(points)
        budget = self.max_words - sum(len(line.split()) for line in shown)
        extra = self._details(snippets[0], lead, shown, room, budget) if room > 0 else []
        return Summary(lead, tuple([(0, group) for group in extra] + points))

    def opening(self, snippet: Snippet, as_point: bool = False) -> tuple[int, ...]:
        """The positions of a snippet's own lead: its first sentence (or two, when the first is very
        short), and its hedge sentence when the lead lacks the hedge its certainty needs. As a key
        point under another snippet's lead, a bare reply such as "No." is left out, and it opens at
        the first sentence about the medicines in focus when its first names only others."""
        said = sentences(snippet.body)
        first = 1 if as_point and len(said) > 1 and len(said[0].split()) <= REPLY_WORDS else 0
        if as_point and self._elsewhere(said[first]):
            first = next((i for i, s in enumerate(said) if not self._elsewhere(s) and self.names
                          and self.names(s) and not LEANS_BACK.match(s)), first)
        chosen = [first]
        while len(" ".join(said[i] for i in chosen).split()) < MIN_LEAD_WORDS and chosen[-1] + 1 < len(said):
            chosen.append(chosen[-1] + 1)
        hedge = HEDGES.get(snippet.certainty)
        if hedge is not None and not any(hedge.search(said[i]) for i in chosen):
            chosen += [i for i, s in enumerate(said)
                       if i not in chosen and hedge.search(s) and not self._elsewhere(s)][:1]
        return tuple(sorted(chosen))

    def _elsewhere(self, sentence: str) -> bool:
        """The sentence names medicines, none of them in focus."""
        if not self.drugs or self.names is None:
            return False
        named = self.names(sentence)
        return bool(named) and not named & self.drugs

    def _rank(self, said: Sequence[str], i: int) -> tuple:
        """Plain sentences before hard ones; then those sharing more words with the question; then
        the earlier (snippets are written most important first)."""
        return _grade(said[i]) > PLAIN_GRADE, -len(self.asked & set(tokenize(said[i]))), i

    def _details(self, snippet: Snippet, lead: Sequence[int], shown: list[str], room: int,
                 budget: int) -> list[tuple[int, ...]]:
        """Up to `room` more key points from the lead snippet within `budget` words, in the order
        of `_rank`, each after the sentence it leans on, none repeating a line already shown."""
        said = sentences(snippet.body)
        order = sorted((i for i in range(len(said)) if i not in lead), key=lambda i: self._rank(said, i))
        taken: set[int] = set(lead)
        seen = [frozenset(tokenize(line)) - self.plain for line in shown]
        groups: list[tuple[int, ...]] = []
        for i in order:
            if len(groups) >= room or i in taken:
                continue
            group = (i - 1, i) if LEANS_BACK.match(said[i]) and i - 1 not in taken else (i,)
            if len(group) == 2 and LEANS_BACK.match(said[i - 1]) and i - 2 not in taken:
                continue  # it leans on a sentence that leans back itself
            if any(self._elsewhere(said[j]) for j in group):
                continue
            words = frozenset(tokenize(" ".join(said[j] for j in group))) - self.plain
            if any(len(words & line) >= SAME_POINT * max(1, min(len(words), len(line))) for line in seen):
                continue
            size = sum(len(said[j].split()) for j in group)
            if size > budget:
                continue
            groups.append(group)
            taken.update(group)
            seen.append(words)
            budget -= size
        return sorted(groups)


@lru_cache(maxsize=8192)
def _grade(sentence: str) -> float:
    return reading_grade(sentence)
