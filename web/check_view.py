"""What the clinician page shows for a phrasing check (bot/check/): a summary of the verdicts, then
every sentence with its verdict, why, the sources it rests on and a safer wording."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup

from bot.answer.render import Citation, render_html
from bot.enums import Verdict as VerdictCode

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
class Count:
    verdict: Verdict
    n: int


@dataclass(frozen=True)
class ClaimView:
    number: int
    text: str
    verdict: Verdict
    explanation: Markup
    suggested_phrasing: str
    cited: tuple[int, ...]  # citation numbers this sentence rests on

    @property
    def rewritten(self) -> bool:
        return bool(self.suggested_phrasing) and self.suggested_phrasing != self.text


@dataclass(frozen=True)
class CheckView:
    verdict: Verdict
    explanation: Markup
    suggested_phrasing: str
    reading_grade: float
    jargon: tuple[tuple[str, str], ...]
    claims: tuple[ClaimView, ...]
    summary: tuple[Count, ...]  # sentences per verdict, most serious first
    citations: tuple[Citation, ...]
    html_id: str = HTML_ID

    @property
    def flagged(self) -> int:
        return sum(c.n for c in self.summary if c.verdict.code != VerdictCode.CONSISTENT)


def make_check_view(engine, result) -> CheckView:
    labels = verdict_labels(engine)
    data = result.to_json()
    claims = tuple(
        ClaimView(number=i, text=s["text"], verdict=_verdict(s["verdict"], labels),
                  explanation=Markup(render_html(s["explanation"], HTML_ID)),
                  suggested_phrasing=s["suggested_phrasing"], cited=tuple(c["n"] for c in s["citations"]))
        for i, s in enumerate(data["sentences"], start=1))
    summary = tuple(Count(_verdict(code, labels), n) for code, n in result.summary.items())
    return CheckView(verdict=_verdict(result.verdict, labels),
                     explanation=Markup(render_html(result.explanation, HTML_ID)),
                     suggested_phrasing=result.suggested_phrasing, reading_grade=result.reading_grade,
                     jargon=tuple(result.jargon), claims=claims, summary=summary,
                     citations=tuple(result.citations))


def verdict_labels(engine) -> dict[str, str]:
    """The verdict words from the engine's knowledge/check.yaml, read once per app."""
    cache = current_app.extensions.setdefault("bot_verdict_labels", {})
    key = str(engine.settings.knowledge_dir)
    if key not in cache:
        cache[key] = dict(engine.knowledge.wording["verdict_labels"])
    return cache[key]


def _verdict(code: str, labels: dict[str, str]) -> Verdict:
    return Verdict(code, labels.get(code, code.replace("_", " ").capitalize()), VERDICT_ICONS.get(code, ""))
