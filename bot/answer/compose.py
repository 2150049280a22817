"""Compose answers from retrieved snippets and fixed messages: nothing here invents a sentence.

An answer is a lead snippet, up to two supporting snippets about the same drug and question that
add something, numbered citations to registry sources, a GRADE certainty line, a "Studies
disagree" note when two shown snippets answer the same question of benefit or harm in opposite
ways (saying why they may differ), a general-information reminder and follow-up questions.

What is shown (the JSON `answer`) is short: a plain lead and at most three key points, whole
sentences cut from those snippets (bot/answer/summary.py); the full snippets stay in `parts`
(`Answer.details`) for a reader who wants them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.answer import summary
from bot.answer.choose import Chooser, ComposerConfig, tokens_of
from bot.answer.context import FollowUp
from bot.answer.relate import opposed, why_they_differ
from bot.answer.render import Citation, describe, render_block
from bot.enums import GRADED, Certainty, Kind
from bot.knowledge.load import Knowledge, Snippet
from bot.knowledge.messages import Messages
from bot.knowledge.models import Contact
from bot.search.retrieve import Retrieval
from bot.text import tokenize

KINDS = tuple(Kind)


@dataclass(frozen=True)
class Part:
    snippet: Snippet
    score: float
    numbers: tuple[int, ...]  # citation numbers for this snippet's sources

    @property
    def cites(self) -> str:
        return "".join(f"[{n}]" for n in sorted(self.numbers))

    @property
    def markdown(self) -> str:
        """The whole snippet with its citation marks: the detail behind the key points."""
        return f"{self.snippet.body} {self.cites}"

    def lines(self, positions: tuple[int, ...]) -> str:
        """Whole sentences of the snippet, with its citation marks."""
        return f"{summary.text_of(self.snippet, positions)} {self.cites}"


@dataclass(frozen=True)
class Answer:
    kind: str
    understood_as: str
    intro: str = ""  # a fixed message shown before any evidence (safety, no evidence)
    parts: tuple[Part, ...] = ()  # the snippets shown, lead first, in full (see `details`)
    lead: str = ""  # the lead sentence(s) with citation marks
    points: tuple[str, ...] = ()  # at most three key points, each with its citation marks
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
        """What the JSON `answer` holds: any fixed intro, the lead, the key points as a list."""
        blocks = [self.intro] if self.intro else []
        if self.lead:
            blocks.append(self.lead)
        if self.points:
            blocks.append("\n".join(f"- {p}" for p in self.points))
        if self.covers:
            blocks.append("\n".join(f"- {c}" for c in self.covers))
        if self.closing:
            blocks.append(self.closing)
        return "\n\n".join(blocks)

    @property
    def html(self) -> str:
        return _html(self.markdown, self.html_id)

    @property
    def details(self) -> tuple[str, ...]:
        """Each shown snippet in full, with its citation marks (Markdown), lead first: the detail a
        page may fold away behind the short answer."""
        return tuple(p.markdown for p in self.parts)

    @property
    def details_html(self) -> str:
        return _html("\n\n".join(self.details), self.html_id)

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


class Composer:
    def __init__(self, knowledge: Knowledge, messages: Messages, config: ComposerConfig | None = None):
        self.knowledge, self.messages = knowledge, messages
        self.config = config or ComposerConfig()
        self.chooser = Chooser(knowledge.vocabulary, self.config)
        # The words of each first lay question, worked out once, when first needed.
        self.question_tokens: dict[str, frozenset[str]] = {}

    def evidence(self, retrieval: Retrieval, kind: str = Kind.ANSWER, intro: str = "",
                 notes: tuple[str, ...] = (), focus: FollowUp | None = None) -> Answer:
        """An answer (or personal-advice reply) built from the retrieval's hits. `focus`: for a
        follow-up, the drug, route and condition it names or carries from earlier turns."""
        asked = self.chooser.drug_names(retrieval.query.expanded)
        parts_hits = self.chooser.select(retrieval, focus, asked)
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
        lead, points = self.short_form(parts, retrieval.query.expanded, asked)
        return Answer(
            kind=kind, understood_as=retrieval.query.understood_as, intro=intro, parts=tuple(parts),
            lead=lead, points=points,
            certainty=certainty, certainty_line=self.certainty_line(certainty, snippets),
            disagreement=self.disagreement(snippets), notes=notes,
            reminder=" ".join(self.messages["reminder"].split()), citations=citations,
            suggestions=self.suggestions(retrieval, snippets), html_id=_html_id(snippets))

    def short_form(self, parts: list[Part], question: str, asked: frozenset[str] = frozenset()
                   ) -> tuple[str, tuple[str, ...]]:
        """The lead and the key points, each whole sentences of a shown snippet with its citations.
        `asked`: the medicines the question names (a key point opens on them)."""
        if not parts:
            return "", ()
        cutter = summary.Cutter(question, frozenset(parts[0].snippet.drugs) & asked, self.chooser.drug_names,
                                self.config.max_points, self.config.max_words, self.chooser.plain_words)
        cut = cutter.summarise([p.snippet for p in parts])
        return parts[0].lines(cut.lead), tuple(parts[i].lines(positions) for i, positions in cut.points)

    def answers(self, retrieval: Retrieval) -> bool:
        """Whether the evidence can answer at all (see `Chooser.answers`)."""
        return self.chooser.answers(retrieval)

    def no_evidence(self, understood_as: str, kind: str = Kind.NO_EVIDENCE, intro: str | None = None,
                    closing: str = "", notes: tuple[str, ...] = ()) -> Answer:
        text = intro if intro is not None else " ".join(self.messages["no_evidence"].split())
        covers = tuple(self.messages["covers"]) if kind == Kind.NO_EVIDENCE else ()
        return Answer(kind=kind, understood_as=understood_as, intro=text, covers=covers, closing=closing,
                      notes=notes, suggestions=tuple(self.messages["starter_questions"][: self.config.max_suggestions]))

    def fixed(self, kind: str, understood_as: str, text: str, contacts: tuple[Contact, ...] = (),
              closing: str = "") -> Answer:
        return Answer(kind=kind, understood_as=understood_as, intro=text, contacts=contacts, closing=closing)

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
        """The "Studies disagree" note, when two shown snippets answer the same question of benefit
        or harm in opposite ways, saying why such studies may differ."""
        for i, a in enumerate(snippets):
            for b in snippets[i + 1:]:
                if opposed(a, b):
                    reason = why_they_differ(a, b, self.knowledge)
                    text = " ".join(self.messages["disagreement"][reason].split())
                    return f"{self.messages['disagreement_heading']}: {text}"
        return ""

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
            words_ = tokens_of(self.question_tokens, snip.id, question)
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


def _html(markdown: str, html_id: str) -> str:
    # Block by block: the same snippet lines (with the same citation numbers) render once per process.
    return "\n".join(render_block(block, html_id) for block in markdown.split("\n\n"))


def _as_question(text: str) -> str:
    text = text.strip().rstrip("?.! ")
    return text[:1].upper() + text[1:] + "?"


def _html_id(snippets: list[Snippet]) -> str:
    key = "|".join(s.id for s in snippets) or "none"
    return "a" + hashlib.sha1(key.encode()).hexdigest()[:8]
