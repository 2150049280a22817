"""What the templates show, built from the engine's Answer: cards, certainty scale, QR codes.

Medical wording comes from the Answer and engine.messages (knowledge/messages.yaml); this module
only arranges it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.answer.compose import Answer
from bot.answer.render import describe
from bot.engine import Engine
from bot.knowledge.load import Source
from web.qr import QrCode, source_codes, take_home_code
from web.takehome import take_home_path

SCALE_STEPS = 4
SCALE = {"high": 4, "moderate": 3, "low": 2, "very-low": 1}
URGENT = ("crisis", "emergency")
# Headings for the sources page, in the order shown (UI labels, one per design in the registry).
DESIGN_GROUPS = (
    ("systematic-review", "Systematic reviews"),
    ("meta-analysis", "Meta-analyses"),
    ("guideline", "Guidelines"),
    ("rct", "Randomised trials"),
    ("observational", "Observational studies"),
    ("regulatory", "Regulators and drug labels"),
    ("expert-opinion", "Expert opinion"),
    ("news", "News reports"),
)


@dataclass(frozen=True)
class Certainty:
    heading: str  # "How sure is this?"
    label: str  # the word label, e.g. "Moderate"
    text: str  # the GRADE sentence
    filled: int | None  # steps filled on the 4-step scale; None for mixed / not graded
    steps: int = SCALE_STEPS


@dataclass(frozen=True)
class Card:
    number: int
    question: str
    answer: Answer
    certainty: Certainty | None
    disagreement: str  # the "Studies disagree" text without its heading
    history: tuple[str, ...]  # earlier questions to send with a follow-up from this card
    take_home: str = ""  # path of the take-home page of this answer's snippets ("" without snippets)
    codes: tuple[QrCode, ...] = ()  # kiosk: one take-home code, or one per cited source

    @property
    def urgent(self) -> bool:
        return self.answer.kind in URGENT

    @property
    def dom_id(self) -> str:
        return self.answer.html_id

    @property
    def snippet_ids(self) -> tuple[str, ...]:
        return tuple(p.snippet.id for p in self.answer.parts)

    @property
    def checked(self) -> dt.date | None:
        """When the evidence behind this answer was last checked: the oldest of its snippets' dates."""
        return min((p.snippet.checked for p in self.answer.parts), default=None)


def make_card(engine: Engine, number: int, question: str, answer: Answer,
              history: Sequence[str], kiosk: bool = False, public_url: str = "") -> Card:
    answer = replace(answer, html_id=f"c{number}")
    messages = engine.messages
    heading = messages["disagreement_heading"]
    disagreement = answer.disagreement.removeprefix(heading).lstrip(": ").strip()
    ids = [p.snippet.id for p in answer.parts]
    take_home = take_home_path(engine.knowledge, ids) if ids else ""
    codes: tuple[QrCode, ...] = ()
    if kiosk and take_home:
        codes = (take_home_code(public_url + take_home),) if public_url else source_codes(answer.citations)
    return Card(number=number, question=question, answer=answer, certainty=certainty_of(answer, messages),
                disagreement=disagreement, history=tuple(history), take_home=take_home, codes=codes)


def certainty_of(answer: Answer, messages) -> Certainty | None:
    if answer.certainty == "none" or not answer.certainty_line:
        return None
    heading = messages["certainty_heading"]
    text = answer.certainty_line.removeprefix(heading).strip()
    return Certainty(heading=heading, label=messages["certainty_labels"][answer.certainty], text=text,
                     filled=SCALE.get(answer.certainty))


@dataclass(frozen=True)
class SourceGroup:
    design: str
    heading: str
    sources: tuple[Source, ...]


def source_groups(sources: Sequence[Source]) -> list[SourceGroup]:
    """The registry grouped by design, newest first within a group."""
    known = dict(DESIGN_GROUPS)
    order = [d for d, _ in DESIGN_GROUPS] + sorted({s.design for s in sources} - set(known))
    groups = []
    for design in order:
        members = sorted((s for s in sources if s.design == design), key=lambda s: (-s.year, s.title))
        if members:
            groups.append(SourceGroup(design, known.get(design, design.replace("-", " ").capitalize()),
                                      tuple(members)))
    return groups


# Working notes that crept into public fields ("(byline not recorded)", "(read via a label-text copy)").
_WORKING_NOTE = re.compile(r"\s*\((?:[^()]*\b(?:not recorded|read via|mirror)\b[^()]*)\)", re.I)


def public_text(text: str | None) -> str:
    """A registry field as patients see it: without curators' working notes in brackets."""
    return _WORKING_NOTE.sub("", text or "").strip()


def public_summary(source: Source) -> str:
    """The source's public summary, or one made from its fields; never the curators' note."""
    if source.summary:
        return " ".join(source.summary.split())
    what = describe(source)
    return f"{what[:1].upper()}{what[1:]}, published in {source.year}."
