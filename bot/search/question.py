"""The parsed question: made once per request and handed to every stage, so none parses again.

`QuestionParser.parse` normalises the text (NFKC, whitespace), folds it (lower case, no accents),
splits words and BM25 tokens, expands lay terms through the lexicon ("nerve pain" -> neuropathic
pain), finds the medicine, route and condition it names (from knowledge/vocabulary.yaml) and the
rare words the knowledge base does not know. The embedding is added when retrieval computes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from bot.knowledge.load import Knowledge
from bot.knowledge.records import Lexicon
from bot.knowledge.vocabulary import Vocabulary
from bot.search.known_words import KnownWords
from bot.text import fold, normalize, tokenize, words


@dataclass(frozen=True)
class Query:
    """A text as searched: the question, or the question with terms carried from earlier turns."""

    original: str
    normalized: str
    expanded: str  # the normalised text plus the clinical terms of any lay terms in it
    understood_as: str  # what the user is shown: lay terms replaced by what we read them as
    expansions: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Focus:
    """The medicine, route and condition a text names (vocabulary ids), or carries from earlier turns."""

    drug: str | None = None
    route: str | None = None
    condition: str | None = None
    earlier: str | None = None  # the earlier question a vague follow-up leans on
    assumed: bool = False  # the drug is the service's subject, not something the user said


@dataclass(frozen=True)
class Question:
    raw: str
    text: str  # normalised, case kept (names and acronyms need it)
    folded: str  # lower case, accents removed: the form every pattern reads
    words: tuple[str, ...]
    query: Query
    tokens: tuple[str, ...]  # BM25 tokens of the expanded text
    named: Focus  # what the question itself names
    rare: tuple[str, ...]  # rare words nothing in the knowledge base knows ("tinnitus")
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)  # set by retrieval


class Expander:
    """Finds lay terms from the lexicon as whole words, longest first, without overlaps."""

    def __init__(self, lexicon: Lexicon):
        self.targets = dict(lexicon.expansions)
        terms = sorted(self.targets, key=len, reverse=True)
        alternatives = "|".join(re.escape(t) for t in terms) or r"(?!x)x"
        self.pattern = re.compile(rf"(?<![\w'])({alternatives})(?![\w'])")

    def expand(self, text: str) -> Query:
        normalized = normalize(text)
        folded = fold(normalized)
        found, pieces, last = [], [], 0
        for match in self.pattern.finditer(folded):
            term = match.group(1)
            targets = self.targets[term]
            found.append((term, targets))
            if match.start() < last:
                continue  # a repeated word already dropped from what is shown (below)
            pieces.append(folded[last:match.start()])
            shown = _shown_as(term, targets)
            pieces.append(shown)
            last = match.end()
            # "neuropathic pain" read as "nerve pain": the shown words already end with "pain".
            repeat = re.match(rf"\s+{re.escape(shown.split()[-1])}(?![\w'])", folded[last:])
            if len(targets) == 1 and repeat:
                last += repeat.end()
        pieces.append(folded[last:])
        extra = [t for _, targets in found for t in targets]
        expanded = " ".join([normalized, *extra]) if extra else normalized
        understood = "".join(pieces) if found else folded
        return Query(text, normalized, expanded, understood, tuple(found))


def _shown_as(term: str, targets: tuple[str, ...]) -> str:
    if len(targets) == 1:
        return targets[0]
    others = [t for t in targets if t != term]  # "nerve pain (neuropathic pain)", not "(..., nerve pain)"
    return f"{term} ({', '.join(others)})" if others else term


class FacetFinder:
    """The vocabulary values a text names, searched in the vocabulary's order (first match wins)."""

    def __init__(self, vocabulary: Vocabulary, expander: Expander):
        self.expander = expander
        self.patterns = {
            kind: [(f.id, re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(f.names, key=len, reverse=True))
                                     + r")\b")) for f in values if f.names]
            for kind, values in vocabulary.facets.items()
        }

    def find(self, expanded: str) -> Focus:
        folded, found = fold(expanded), {}
        for kind, patterns in self.patterns.items():
            for value, pattern in patterns:
                if pattern.search(folded):
                    found[kind] = value
                    break
        return Focus(**found)

    def of_text(self, text: str) -> Focus:
        return self.find(self.expander.expand(text).expanded)


class QuestionParser:
    def __init__(self, knowledge: Knowledge, known: KnownWords | None = None):
        self.vocabulary = knowledge.vocabulary
        self.expander = Expander(knowledge.lexicon)
        self.facets = FacetFinder(knowledge.vocabulary, self.expander)
        self.known = known

    def parse(self, raw: str) -> Question:
        text = normalize(raw)
        query = self.expander.expand(text)
        folded = fold(text)
        folded_words = tuple(words(folded))
        rare = self.known.rare_terms(text, folded_words) if self.known else ()
        return Question(raw, text, folded, folded_words, query, tuple(tokenize(query.expanded)),
                        self.facets.find(query.expanded), rare)

    def expand(self, text: str) -> Query:
        return self.expander.expand(text)
