"""What the templates show, built from the engine's Answer: cards, certainty scale, QR code.

Medical wording comes from the Answer and engine.messages (knowledge/messages.yaml); this module
only arranges it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import segno
from markupsafe import Markup, escape

from bot.answer.compose import Answer
from bot.engine import Engine
from bot.knowledge.load import Source

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
    qr_svg: Markup | None = None

    @property
    def urgent(self) -> bool:
        return self.answer.kind in URGENT

    @property
    def dom_id(self) -> str:
        return self.answer.html_id


def make_card(engine: Engine, number: int, question: str, answer: Answer,
              history: Sequence[str], kiosk: bool = False) -> Card:
    answer = replace(answer, html_id=f"c{number}")
    messages = engine.messages
    heading = messages["disagreement_heading"]
    disagreement = answer.disagreement.removeprefix(heading).lstrip(": ").strip()
    urls = [c.source.url for c in answer.citations if c.source.url]
    return Card(number=number, question=question, answer=answer, certainty=certainty_of(answer, messages),
                disagreement=disagreement, history=tuple(history),
                qr_svg=qr_code(urls) if kiosk and urls else None)


def certainty_of(answer: Answer, messages) -> Certainty | None:
    if answer.certainty == "none" or not answer.certainty_line:
        return None
    heading = messages["certainty_heading"]
    text = answer.certainty_line.removeprefix(heading).strip()
    return Certainty(heading=heading, label=messages["certainty_labels"][answer.certainty], text=text,
                     filled=SCALE.get(answer.certainty))


def qr_code(urls: Sequence[str]) -> Markup:
    """An inline SVG QR code carrying the sources' links, one a line (never the question)."""
    qr = segno.make("\n".join(urls), error="m", micro=False)
    svg = qr.svg_inline(scale=4, dark="#000", light="#fff", svgclass="qr", lineclass=None, omitsize=False)
    label = f"QR code with the links to {len(urls)} source{'s' if len(urls) != 1 else ''}"
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


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


def source_link(source: Source) -> str:
    if source.url:
        return source.url
    return f"https://doi.org/{source.doi}" if source.doi else ""
