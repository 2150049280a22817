"""What the clinician check returns: a verdict per sentence and for the whole text, as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.answer.render import Citation
from bot.enums import Verdict
from bot.knowledge.records import Snippet


@dataclass(frozen=True)
class ClaimCheck:
    """One sentence: its verdict, the reason, a rewrite and the evidence it rests on."""

    claim: str  # the sentence as pasted
    verdict: Verdict
    reason: str  # the fixed explanation text
    suggested_phrasing: str
    evidence: tuple[Snippet, ...]
    row: str = ""  # the verdicts.yaml row that decided


@dataclass(frozen=True)
class CheckResult:
    verdict: Verdict  # the most serious verdict among the sentences
    explanation: str
    suggested_phrasing: str
    reading_grade: float
    jargon: tuple[tuple[str, str], ...]
    claims: tuple[ClaimCheck, ...]
    citations: tuple[Citation, ...]

    @property
    def summary(self) -> dict[Verdict, int]:
        """How many sentences got each verdict, most serious first (verdicts with none left out)."""
        counts = Counter(c.verdict for c in self.claims)
        return {v: counts[v] for v in sorted(Verdict, key=lambda v: -v.severity) if counts[v]}

    def to_json(self) -> dict:
        numbers = {c.source.id: c.n for c in self.citations}
        by_number = {c.n: c for c in self.citations}
        seen, snippets = set(), []
        for claim in self.claims:
            for rank, snippet in enumerate(claim.evidence):
                if snippet.id not in seen:
                    seen.add(snippet.id)
                    snippets.append({"id": snippet.id, "score": round(1.0 / (rank + 1), 6),
                                     "source_ids": list(snippet.sources)})
        return {
            "verdict": str(self.verdict), "explanation": self.explanation,
            "suggested_phrasing": self.suggested_phrasing, "reading_grade": self.reading_grade,
            "jargon": [{"term": t, "plain": p} for t, p in self.jargon],
            "citations": [c.to_json() for c in self.citations], "snippets": snippets,
            "claims": [{"text": c.claim, "verdict": str(c.verdict), "explanation": explain(c, numbers),
                        "suggested_phrasing": c.suggested_phrasing,
                        "snippets": [s.id for s in c.evidence]} for c in self.claims],
            "sentences": [{"text": c.claim, "verdict": str(c.verdict), "explanation": explain(c, numbers),
                           "suggested_phrasing": c.suggested_phrasing,
                           "citations": [by_number[n].to_json() for n in cited(c, numbers)]} for c in self.claims],
        }


def cited(claim: ClaimCheck, numbers: dict[str, int]) -> list[int]:
    """The citation numbers of the snippet a sentence's verdict rests on."""
    if not claim.evidence:
        return []
    return sorted({numbers[s] for s in claim.evidence[0].sources if s in numbers})


def explain(claim: ClaimCheck, numbers: dict[str, int]) -> str:
    """The sentence's reason, with the title and citation numbers of the evidence it rests on."""
    if not claim.evidence:
        return claim.reason
    cites = "".join(f"[{n}]" for n in cited(claim, numbers))
    return f"{claim.reason} Evidence: {claim.evidence[0].title} {cites}".strip()
