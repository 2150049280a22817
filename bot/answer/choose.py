"""Which snippets an answer shows: the lead, supporting snippets on the same drug and question,
and the opposite finding on the lead's question of benefit or harm when there is one.

- The lead is the best hit, except that a snippet about only other medicines than the question
  names never leads (when no close candidate is about the medicine asked, there is no answer),
  and a follow-up leads with the candidate that answers the new question while naming the drug,
  route and condition in focus.
- A supporting snippet is shown only when it is about the lead's medicine and question (front
  matter: drugs, outcomes, conditions; bot/answer/relate.py) and has the question's own topic
  words that the lead has ("breastfeed"), is close enough, and adds something new.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.context import GENERIC_WORDS, FollowUp
from bot.answer.relate import DrugNames, about, on_topic, opposed, same_outcome
from bot.knowledge.load import Snippet
from bot.knowledge.vocabulary import Vocabulary
from bot.search.retrieve import Hit, Retrieval
from bot.text import tokenize

FOCUS_FIELDS = (("drug", "drugs"), ("route", "routes"), ("condition", "conditions"))


@dataclass(frozen=True)
class ComposerConfig:
    max_parts: int = 3
    support_margin: float = 0.15  # a supporting snippet's similarity may trail the lead's by this
    duplicate_overlap: float = 0.6  # token overlap above which a snippet adds nothing new
    max_suggestions: int = 3
    max_points: int = 3  # key points under the lead
    max_words: int = 110  # lead and key points together, as far as whole sentences allow
    focus_pool: int = 6  # a lead is chosen among this many relevant candidates (the first, but for a
    # follow-up or a question naming a medicine the best hit is not about)


class Chooser:
    def __init__(self, vocabulary: Vocabulary, config: ComposerConfig):
        self.config = config
        self.drug_names = DrugNames(vocabulary)
        names = [n for group in vocabulary.facets.values() for f in group for n in (f.id, f.label, *f.names)]
        # Stems that say nothing about what a question asks: medicine, route and condition names, "help".
        self.plain_words = frozenset(tokenize(" ".join([*names, *GENERIC_WORDS])))
        # The words of each snippet's search text and body, worked out once, when first needed.
        self.search_tokens: dict[str, frozenset[str]] = {}
        self.body_tokens: dict[str, frozenset[str]] = {}

    def select(self, retrieval: Retrieval, focus: FollowUp | None = None, asked: frozenset[str] = frozenset()
               ) -> list[Hit]:
        """The lead hit, then supporting hits on the same drug and question that are close enough
        and add something new, and the opposite finding on the lead's question when there is one."""
        if not retrieval.hits:
            return []
        lead = self._lead(retrieval, focus, asked)
        chosen = [lead]
        floor = lead.relevance - self.config.support_margin
        wanted = self._asked_words(retrieval) & self._words(lead.snippet)
        for hit in retrieval.hits:
            if len(chosen) >= self.config.max_parts:
                break
            if hit is lead or hit.relevance < floor or not on_topic(hit.snippet, lead.snippet, asked):
                continue
            if not wanted <= self._words(hit.snippet):
                continue  # it shares the lead's outcome but not what the question asks ("breastfeed")
            if not any(self._duplicate(hit.snippet, c.snippet) for c in chosen):
                chosen.append(hit)
        counterpart = self._counterpart(chosen, retrieval, asked)
        if counterpart is not None:
            chosen = chosen[: self.config.max_parts - 1] + [counterpart]
        return chosen

    def answers(self, retrieval: Retrieval) -> bool:
        """Whether the evidence can answer at all: when the question names one of our medicines, a
        snippet about only other medicines is never the answer ("is memantine safe while
        breastfeeding" is not answered by the ketamine snippet on breastfeeding)."""
        return bool(retrieval.hits) and bool(self._candidates(retrieval, self.drug_names(retrieval.query.expanded)))

    def _candidates(self, retrieval: Retrieval, asked: frozenset[str]) -> list[Hit]:
        """The hits a lead may be taken from: the relevant candidates near the top (for a follow-up
        the best may be further down). When the question names medicines, only those about one of
        them (or about none in particular); when the best hit is about other medicines only, a
        candidate close to it stands in for it only if it also has the words of the question that
        made the best hit match ("breastfeeding" in "is memantine safe while
        breastfeeding"), so that it answers the same question about the medicine asked."""
        pool = [h for h in retrieval.ranked if h.relevance >= retrieval.bar][: self.config.focus_pool]
        if not asked or not pool:
            return pool
        top = pool[0]
        if about(top.snippet, asked):
            return [h for h in pool if about(h.snippet, asked)]
        floor = top.relevance - self.config.support_margin
        wanted = self._asked_words(retrieval) & self._words(top.snippet)
        return [h for h in pool[1:] if about(h.snippet, asked) and h.relevance >= floor
                and wanted <= self._words(h.snippet)]

    def _asked_words(self, retrieval: Retrieval) -> frozenset[str]:
        """The question's own topic words, not the clinical terms its lay words were expanded with: a
        snippet that says "side effects" answers "what are the side effects of DXM?" without also
        saying "adverse events"."""
        return self._topic_words(retrieval.query.normalized)

    def _topic_words(self, text: str) -> frozenset[str]:
        """The question's words (stems) that say what it is about, beyond which medicine, route or
        condition: no such names, no words that fit any topic ("safe", "work", "help")."""
        return frozenset(tokenize(text)) - self.plain_words

    def _words(self, snippet: Snippet) -> frozenset[str]:
        return tokens_of(self.search_tokens, snippet.id, snippet.search_text())

    def _lead(self, retrieval: Retrieval, focus: FollowUp | None, asked: frozenset[str]) -> Hit:
        """The best hit about the medicine asked about. For a follow-up, among the candidates that
        answer the new question (the best hit's outcome, when the question asks something of its
        own), the one naming most of the drug, route and condition in focus (the better ranked of
        equals)."""
        pool = self._candidates(retrieval, asked) or [retrieval.hits[0]]
        if focus is None:
            return pool[0]
        if focus.asks:
            pool = [h for h in pool if h is pool[0] or same_outcome(h.snippet, pool[0].snippet)]

        def named(hit: Hit) -> int:
            return sum(1 for facet, field in FOCUS_FIELDS
                       if getattr(focus, facet) and getattr(focus, facet) in getattr(hit.snippet, field))
        return max(pool, key=named)  # the first of equals: the better fused rank

    def _counterpart(self, chosen: list[Hit], retrieval: Retrieval, asked: frozenset[str]) -> Hit | None:
        """When the lead has an effect finding and no opposite view is shown, the closest relevant
        snippet answering the lead's question of benefit or harm the opposite way, if any."""
        lead = chosen[0].snippet
        shown = {h.snippet.id for h in chosen}
        if any(opposed(lead, h.snippet) for h in chosen[1:]):
            return None
        pool = [h for h in retrieval.ranked if h.relevance >= retrieval.bar]
        return next((h for h in pool if h.snippet.id not in shown and opposed(lead, h.snippet)
                     and on_topic(h.snippet, lead, asked)), None)

    def _duplicate(self, a: Snippet, b: Snippet) -> bool:
        ta, tb = tokens_of(self.body_tokens, a.id, a.body), tokens_of(self.body_tokens, b.id, b.body)
        return len(ta & tb) / max(1, min(len(ta), len(tb))) >= self.config.duplicate_overlap


def tokens_of(cache: dict[str, frozenset[str]], key: str, text: str) -> frozenset[str]:
    found = cache.get(key)
    if found is None:
        found = cache[key] = frozenset(tokenize(text))  # a dict store is atomic: safe across threads
    return found
