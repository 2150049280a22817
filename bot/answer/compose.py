"""Compose answers from retrieved snippets and fixed messages: nothing here invents a sentence.

An answer is a lead snippet, up to two supporting snippets that add something, numbered
citations to registry sources, a GRADE certainty line, a "Studies disagree" note when cited
snippets differ on the same outcome, a general-information reminder and follow-up questions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.answer.render import Citation, describe, render_block
from bot.enums import GRADED, TRIAL_DESIGNS, Certainty, Design, Finding, Kind
from bot.knowledge.load import Knowledge, Snippet
from bot.knowledge.messages import Messages
from bot.knowledge.models import Contact
from bot.search.retrieve import Hit, Retrieval
from bot.text import tokenize

KINDS = tuple(Kind)
# Findings that pull in opposite directions on the same outcome ("uncertain" counts against a
# claimed benefit, but only against a harm when the uncertain snippet is not about benefit).
NOT_SHOWN = {Finding.NO_CLEAR_BENEFIT, Finding.UNCERTAIN}


@dataclass(frozen=True)
class Part:
    snippet: Snippet
    score: float
    numbers: tuple[int, ...]  # citation numbers for this snippet's sources

    @property
    def markdown(self) -> str:
        return f"{self.snippet.body} {''.join(f'[{n}]' for n in self.numbers)}"


@dataclass(frozen=True)
class Answer:
    kind: str
    understood_as: str
    intro: str = ""  # a fixed message shown before any evidence (safety, no evidence)
    parts: tuple[Part, ...] = ()
    certainty: str = Certainty.NONE
    certainty_line: str = ""
    disagreement: str = ""
    notes: tuple[str, ...] = ()  # extra caveats: help numbers, or the question's words the evidence never mentions
    reminder: str = ""
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()  # what the bot can answer, shown with no_evidence
    contacts: tuple[Contact, ...] = ()  # emergency and crisis numbers, for a banner
    closing: str = ""  # the last paragraph: where to get help (no evidence, out of scope)
    html_id: str = "a"
    timings: dict = field(default_factory=dict, compare=False)
    retrieval: Retrieval | None = field(default=None, compare=False, repr=False)
    route: object = field(default=None, compare=False, repr=False)  # the router's reading, for eval
    reason: str = field(default="", compare=False)  # the table row or floor rule that chose the kind

    @property
    def markdown(self) -> str:
        blocks = [self.intro] if self.intro else []
        blocks += [p.markdown for p in self.parts]
        if self.covers:
            blocks.append("\n".join(f"- {c}" for c in self.covers))
        if self.closing:
            blocks.append(self.closing)
        return "\n\n".join(blocks)

    @property
    def html(self) -> str:
        # Block by block: the same snippet (with the same citation numbers) renders once per process.
        return "\n".join(render_block(block, self.html_id) for block in self.markdown.split("\n\n"))

    @property
    def caveats(self) -> list[str]:
        return [c for c in (self.certainty_line, self.disagreement, *self.notes, self.reminder) if c]

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "answer": self.markdown,
            "answer_html": self.html,
            "certainty": self.certainty,
            "caveats": self.caveats,
            "citations": [c.to_json() for c in self.citations],
            "snippets": [{"id": p.snippet.id, "score": round(float(p.score), 6),
                          "source_ids": list(p.snippet.sources)} for p in self.parts],
            "suggestions": list(self.suggestions),
            "understood_as": self.understood_as,
        }


@dataclass(frozen=True)
class ComposerConfig:
    max_parts: int = 3
    support_margin: float = 0.15  # a supporting snippet's similarity may trail the lead's by this
    duplicate_overlap: float = 0.6  # token overlap above which a snippet adds nothing new
    max_suggestions: int = 3


class Composer:
    def __init__(self, knowledge: Knowledge, messages: Messages, config: ComposerConfig | None = None):
        self.knowledge, self.messages = knowledge, messages
        self.config = config or ComposerConfig()
        # The words of each body and of each first lay question, worked out once, when first needed.
        self.body_tokens: dict[str, frozenset[str]] = {}
        self.question_tokens: dict[str, frozenset[str]] = {}

    def evidence(self, retrieval: Retrieval, kind: str = Kind.ANSWER, intro: str = "",
                 notes: tuple[str, ...] = ()) -> Answer:
        """An answer (or personal-advice reply) built from the retrieval's hits."""
        parts_hits = self.select(retrieval)
        numbers: dict[str, int] = {}
        parts = []
        for hit in parts_hits:
            for source_id in hit.snippet.sources:
                numbers.setdefault(source_id, len(numbers) + 1)
            parts.append(Part(hit.snippet, hit.score, tuple(numbers[s] for s in hit.snippet.sources)))
        citations = tuple(Citation(n, self.knowledge.source(sid), describe(self.knowledge.source(sid)))
                          for sid, n in numbers.items())
        snippets = [p.snippet for p in parts]
        certainty = overall_certainty(snippets)
        return Answer(
            kind=kind, understood_as=retrieval.query.understood_as, intro=intro, parts=tuple(parts),
            certainty=certainty, certainty_line=self.certainty_line(certainty, snippets),
            disagreement=self.disagreement(snippets), notes=notes,
            reminder=" ".join(self.messages["reminder"].split()), citations=citations,
            suggestions=self.suggestions(retrieval, snippets), html_id=_html_id(snippets))

    def no_evidence(self, understood_as: str, kind: str = Kind.NO_EVIDENCE, intro: str | None = None,
                    closing: str = "", notes: tuple[str, ...] = ()) -> Answer:
        text = intro if intro is not None else " ".join(self.messages["no_evidence"].split())
        covers = tuple(self.messages["covers"]) if kind == Kind.NO_EVIDENCE else ()
        return Answer(kind=kind, understood_as=understood_as, intro=text, covers=covers, closing=closing,
                      notes=notes, suggestions=tuple(self.messages["starter_questions"][: self.config.max_suggestions]))

    def fixed(self, kind: str, understood_as: str, text: str, contacts: tuple[Contact, ...] = (),
              closing: str = "") -> Answer:
        return Answer(kind=kind, understood_as=understood_as, intro=text, contacts=contacts, closing=closing)

    def select(self, retrieval: Retrieval) -> list[Hit]:
        """The lead hit, then supporting hits that are close enough and add something new."""
        if not retrieval.hits:
            return []
        lead = retrieval.hits[0]
        chosen = [lead]
        floor = lead.relevance - self.config.support_margin
        for hit in retrieval.hits[1:]:
            if len(chosen) >= self.config.max_parts:
                break
            if hit.relevance >= floor and not any(self._duplicate(hit.snippet, c.snippet) for c in chosen):
                chosen.append(hit)
        counterpart = self._counterpart(chosen, retrieval)
        if counterpart is not None:
            chosen = chosen[: self.config.max_parts - 1] + [counterpart]
        return chosen

    def _counterpart(self, chosen: list[Hit], retrieval: Retrieval) -> Hit | None:
        """When the lead has an effect finding and no opposite view is shown, the closest
        relevant snippet with the opposite finding on the same drug and outcome, if any."""
        lead = chosen[0].snippet
        shown = {h.snippet.id for h in chosen}
        if any(_opposed(lead, h.snippet) for h in chosen[1:]):
            return None
        pool = [h for h in retrieval.ranked if h.relevance >= retrieval.bar]
        for hit in pool:
            if hit.snippet.id in shown or not _opposed(lead, hit.snippet):
                continue
            if set(lead.conditions) & set(hit.snippet.conditions) or not lead.conditions or not hit.snippet.conditions:
                return hit
        return None

    def _duplicate(self, a: Snippet, b: Snippet) -> bool:
        ta, tb = _tokens_of(self.body_tokens, a.id, a.body), _tokens_of(self.body_tokens, b.id, b.body)
        return len(ta & tb) / max(1, min(len(ta), len(tb))) >= self.config.duplicate_overlap

    def certainty_line(self, certainty: str, snippets: list[Snippet]) -> str:
        if certainty == Certainty.NONE:
            return ""
        text = self.messages["certainty"][certainty]
        if certainty == Certainty.MIXED:
            labels = self.messages["certainty_labels"]
            levels = [labels[c].lower() for c in GRADED if any(s.certainty == c for s in snippets)]
            text = text.format(levels=" and ".join(levels))
        return f"{self.messages['certainty_heading']} {text}"

    def disagreement(self, snippets: list[Snippet]) -> str:
        for i, a in enumerate(snippets):
            for b in snippets[i + 1:]:
                if _opposed(a, b):
                    reason = self._why(a, b)
                    text = " ".join(self.messages["disagreement"][reason].split())
                    return f"{self.messages['disagreement_heading']}: {text}"
        return ""

    def _why(self, a: Snippet, b: Snippet) -> str:
        def kinds(s: Snippet) -> set[str]:
            return {self.knowledge.source(x).design for x in s.sources}
        da, db = kinds(a), kinds(b)
        trials_a, trials_b = bool(da & TRIAL_DESIGNS), bool(db & TRIAL_DESIGNS)
        if (Design.OBSERVATIONAL in da and trials_b and not trials_a) or (Design.OBSERVATIONAL in db and trials_a and not trials_b):
            return "trial_vs_observational"
        if trials_a and trials_b:
            return "reviews_differ"
        return "other"

    def suggestions(self, retrieval: Retrieval, shown: list[Snippet]) -> tuple[str, ...]:
        asked = set(tokenize(retrieval.query.normalized))
        lead = shown[0] if shown else None
        shown_ids = {s.id for s in shown}
        scored = []
        for rank, hit in enumerate(retrieval.ranked):
            snip = hit.snippet
            if snip.id in shown_ids or not snip.questions:
                continue
            related = lead is None or bool(set(snip.drugs) & set(lead.drugs)) or snip.topic == lead.topic
            if not related:
                continue
            question = snip.questions[0]
            words_ = _tokens_of(self.question_tokens, snip.id, question)
            if not words_ - asked:
                continue
            scored.append((rank, _as_question(question)))
        out: list[str] = []
        for _, question in sorted(scored):
            if question not in out:
                out.append(question)
            if len(out) == self.config.max_suggestions:
                break
        return tuple(out)


def overall_certainty(snippets: list[Snippet]) -> str:
    if not snippets:
        return Certainty.NONE
    graded = {s.certainty for s in snippets if s.certainty in GRADED}
    if not graded:
        return Certainty.NOT_GRADED
    return graded.pop() if len(graded) == 1 else Certainty.MIXED


def _tokens_of(cache: dict[str, frozenset[str]], key: str, text: str) -> frozenset[str]:
    found = cache.get(key)
    if found is None:
        found = cache[key] = frozenset(tokenize(text))  # a dict store is atomic: safe across threads
    return found


def _opposed(a: Snippet, b: Snippet) -> bool:
    shared = set(a.outcomes) & set(b.outcomes)
    if not shared:
        return False
    if a.drugs and b.drugs and not set(a.drugs) & set(b.drugs):
        return False
    for x, y in ((a, b), (b, a)):
        if x.finding == Finding.BENEFIT and y.finding in NOT_SHOWN:
            return True
        if x.finding == Finding.HARM and (y.finding == Finding.NO_CLEAR_HARM or
                                          (y.finding == Finding.UNCERTAIN and "pain" not in y.outcomes)):
            return True
    return False


def _as_question(text: str) -> str:
    text = text.strip().rstrip("?.! ")
    return text[:1].upper() + text[1:] + "?"


def _html_id(snippets: list[Snippet]) -> str:
    key = "|".join(s.id for s in snippets) or "none"
    return "a" + hashlib.sha1(key.encode()).hexdigest()[:8]
