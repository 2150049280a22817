"""Frozen records built from the validated knowledge files: snippets, the lexicon, the scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.enums import Certainty, Finding
from bot.knowledge.models import LexiconFile, ScopeFile, SnippetMeta


@dataclass(frozen=True)
class Snippet:
    id: str
    topic: str
    path: str
    title: str
    body: str
    sources: tuple[str, ...]
    certainty: Certainty
    finding: Finding
    drugs: tuple[str, ...]
    routes: tuple[str, ...]
    conditions: tuple[str, ...]
    outcomes: tuple[str, ...]
    questions: tuple[str, ...]
    checked: dt.date

    @classmethod
    def from_meta(cls, snippet_id: str, topic: str, path: str, body: str, meta: SnippetMeta) -> Snippet:
        lists = {k: tuple(getattr(meta, k)) for k in ("sources", "drugs", "routes", "conditions", "outcomes",
                                                       "questions")}
        return cls(id=snippet_id, topic=topic, path=path, title=meta.title, body=body, certainty=meta.certainty,
                   finding=meta.finding, checked=meta.checked, **lists)

    def search_text(self) -> str:
        """What both BM25 and the embedding see: title, lay questions, then the body."""
        return " ".join([self.title + ".", *self.questions, self.body])

    def compact_text(self) -> str:
        """Title and lay questions only: the short text embedded for very large bases."""
        return " ".join([self.title + ".", *self.questions])


@dataclass(frozen=True)
class Lexicon:
    expansions: tuple[tuple[str, tuple[str, ...]], ...]  # lay term -> clinical terms
    jargon: tuple[tuple[str, str], ...]  # clinical term -> plain words

    @classmethod
    def from_file(cls, data: LexiconFile) -> Lexicon:
        expansions = tuple((term.lower().strip(), (targets,) if isinstance(targets, str) else tuple(targets))
                           for term, targets in data.expansions.items())
        jargon = tuple((term.lower().strip(), plain) for term, plain in data.jargon.items())
        return cls(expansions, jargon)


@dataclass(frozen=True)
class Scope:
    """What the evidence base is about, and what it is not (knowledge/scope.yaml)."""

    domain_terms: tuple[str, ...]  # words that show a question is about our topic at all
    other_treatments: tuple[str, ...]  # treatments the base does not cover
    covered_targets: tuple[str, ...] = ()  # what "ketamine for X" may name and still be covered
    uncovered_topics: tuple[str, ...] = ()  # questions about these get "no evidence" ("drug test")
    known_words: tuple[str, ...] = ()  # neither a topic nor a name we lack ("United States")

    @classmethod
    def from_file(cls, data: ScopeFile) -> Scope:
        return cls(*(tuple(t.lower() for t in getattr(data, key)) for key in
                     ("domain_terms", "other_treatments", "covered_targets", "uncovered_topics", "known_words")))
