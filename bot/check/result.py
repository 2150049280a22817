"""What the clinician check returns: a verdict per claim and for the whole text, as JSON."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.render import Citation
from bot.check import claims
from bot.search.retrieve import Hit


@dataclass(frozen=True)
class ClaimCheck:
    claim: str
    verdict: str
    reason: str  # the fixed explanation text
    suggested_phrasing: str
    evidence: tuple[Hit, ...]
    reading: claims.Reading | None = None


@dataclass(frozen=True)
class CheckResult:
    verdict: str
    explanation: str
    suggested_phrasing: str
    reading_grade: float
    jargon: tuple[tuple[str, str], ...]
    claims: tuple[ClaimCheck, ...]
    citations: tuple[Citation, ...]

    def to_json(self) -> dict:
        numbers = {c.source.id: c.n for c in self.citations}
        seen, snippets = set(), []
        for claim in self.claims:
            for hit in claim.evidence:
                if hit.snippet.id not in seen:
                    seen.add(hit.snippet.id)
                    snippets.append({"id": hit.snippet.id, "score": round(float(hit.score), 6),
                                     "source_ids": list(hit.snippet.sources)})
        return {
            "verdict": self.verdict, "explanation": self.explanation,
            "suggested_phrasing": self.suggested_phrasing, "reading_grade": self.reading_grade,
            "jargon": [{"term": t, "plain": p} for t, p in self.jargon],
            "citations": [c.to_json() for c in self.citations], "snippets": snippets,
            "claims": [{"text": c.claim, "verdict": c.verdict, "explanation": explain(c, numbers),
                        "suggested_phrasing": c.suggested_phrasing,
                        "snippets": [h.snippet.id for h in c.evidence]} for c in self.claims],
        }


def explain(claim: ClaimCheck, numbers: dict[str, int]) -> str:
    """The claim's reason, with the title and citation numbers of the evidence it rests on."""
    if not claim.evidence:
        return claim.reason
    snippet = claim.evidence[0].snippet
    cites = "".join(f"[{numbers[s]}]" for s in snippet.sources if s in numbers)
    return f"{claim.reason} Evidence: {snippet.title} {cites}".strip()
