"""What the clinician page shows for a phrasing check (bot/check/): verdict, why, rewrite."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup

from bot.answer.render import Citation, render_html

HTML_ID = "chk"  # citation markers in the explanations link to #chk-src-{n}
# A symbol beside each verdict's words, so the verdict never rests on colour (decorative).
VERDICT_ICONS = {"consistent": "✓", "overstated": "↑", "understated": "↓", "contradicted": "✗",
                 "not_covered": "?"}


@dataclass(frozen=True)
class Verdict:
    code: str
    label: str  # words from knowledge/check.yaml verdict_labels
    icon: str


@dataclass(frozen=True)
class ClaimView:
    text: str
    verdict: Verdict
    explanation: Markup
    suggested_phrasing: str


@dataclass(frozen=True)
class CheckView:
    verdict: Verdict
    explanation: Markup
    suggested_phrasing: str
    reading_grade: float
    jargon: tuple[tuple[str, str], ...]
    claims: tuple[ClaimView, ...]
    citations: tuple[Citation, ...]
    html_id: str = HTML_ID


def make_check_view(engine, result) -> CheckView:
    labels = verdict_labels(engine)
    claims = tuple(
        ClaimView(text=c["text"], verdict=_verdict(c["verdict"], labels),
                  explanation=Markup(render_html(c["explanation"], HTML_ID)),
                  suggested_phrasing=c["suggested_phrasing"])
        for c in result.to_json()["claims"])
    return CheckView(verdict=_verdict(result.verdict, labels),
                     explanation=Markup(render_html(result.explanation, HTML_ID)),
                     suggested_phrasing=result.suggested_phrasing, reading_grade=result.reading_grade,
                     jargon=tuple(result.jargon), claims=claims, citations=tuple(result.citations))


def verdict_labels(engine) -> dict[str, str]:
    """The verdict words from the engine's knowledge/check.yaml, read once per app."""
    cache = current_app.extensions.setdefault("bot_verdict_labels", {})
    key = str(engine.settings.knowledge_dir)
    if key not in cache:
        cache[key] = dict(engine.knowledge.wording["verdict_labels"])
    return cache[key]


def _verdict(code: str, labels: dict[str, str]) -> Verdict:
    return Verdict(code, labels.get(code, code.replace("_", " ").capitalize()), VERDICT_ICONS.get(code, ""))
