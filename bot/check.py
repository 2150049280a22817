"""Clinician phrasing check: is a sentence consistent with the evidence, overstated, understated,
contradicted or not covered, and how could it be said at the evidence's certainty?

No generative model: retrieval finds the evidence a claim speaks to, bot/claims.py reads what
the claim asserts, and the verdict compares the two using the snippets' `finding` and
`certainty`. Rewrites are fixed templates (knowledge/check.yaml) filled with snippet facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import claims
from bot.answer import Citation, describe
from bot.context import LABELS, Focus
from bot.errors import InputError, KnowledgeError
from bot.knowledge import Snippet
from bot.lint import reading_grade
from bot.retrieve import Hit
from bot.text import fold, words

VERDICTS = ("consistent", "overstated", "understated", "contradicted", "not_covered")
SEVERITY = {"contradicted": 4, "overstated": 3, "understated": 2, "not_covered": 1, "consistent": 0}
RANK = {"high": 4, "moderate": 3, "low": 2, "very-low": 1, "not-graded": 0}
EFFECT_OUTCOMES = {"pain", "function", "quality-of-life"}
HARM_OUTCOMES = {"side-effects", "mental-effects", "liver", "bladder", "dependence",
                 "heart-blood-pressure", "breathing", "memory", "interactions"}
HARM_SUBJECTS = {  # words in a claim -> the outcome it is about
    "bladder": ("bladder", "urinary", "cystitis", "kidney", "kidneys", "pee", "urine"),
    "liver": ("liver", "hepatic", "hepatotoxic", "bile", "biliary"),
    "dependence": ("addictive", "addiction", "addicted", "dependence", "dependent", "hooked",
                   "habit", "withdrawal", "abuse", "misuse"),
    "mental-effects": ("hallucinations", "hallucinate", "dissociation", "dissociative", "psychotomimetic",
                       "psychedelic", "trip", "high", "strange", "paranoia", "delirium", "emergence"),
    "heart-blood-pressure": ("blood pressure", "heart rate", "heart"),
    "breathing": ("breathing", "respiratory"),
    "memory": ("memory",),
}
MAX_CHARS = 5000


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
            "claims": [{"text": c.claim, "verdict": c.verdict, "explanation": _explain(c, numbers),
                        "suggested_phrasing": c.suggested_phrasing,
                        "snippets": [h.snippet.id for h in c.evidence]} for c in self.claims],
        }


def load_wording(knowledge_dir) -> dict:
    path = Path(knowledge_dir) / "check.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(path, "-", "file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise KnowledgeError(path, "-", f"broken YAML: {' '.join(str(exc).split())}") from None
    for key in ("reasons", "evidence_line", "certainty_words", "phrasing", "harm_words"):
        if key not in (data or {}):
            raise KnowledgeError(path, key, "missing")
    return data


class Checker:
    def __init__(self, engine):
        self.engine = engine
        self.wording = load_wording(engine.settings.knowledge_dir)
        jargon = sorted(engine.knowledge.lexicon.jargon, key=lambda tp: len(tp[0]), reverse=True)
        self.jargon = [(term, plain, re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")) for term, plain in jargon]

    def check(self, text: str) -> CheckResult:
        if not isinstance(text, str) or not claims.clean(text):
            raise InputError("the text is empty")
        if len(text) > MAX_CHARS:
            raise InputError(f"the text is too long (at most {MAX_CHARS} characters)")
        sentences = claims.split_claims(text)
        if len(sentences) > claims.MAX_CLAIMS:
            raise InputError(f"too many sentences ({len(sentences)}; at most {claims.MAX_CLAIMS} at once)")
        plain = claims.clean(text)
        if not sentences:
            sentences = [plain]
        results, focus = [], Focus()
        for sentence in sentences:
            own = self.engine.context.focus(sentence)
            focus = Focus(own.drug or focus.drug, own.route, own.condition)
            results.append(self.check_claim(sentence, focus))
        worst = max(results, key=lambda r: SEVERITY[r.verdict])
        citations = self._citations(results)
        numbers = {c.source.id: c.n for c in citations}
        explanation = _explain(worst, numbers)
        if len(results) > 1:
            explanation = f"Sentence {results.index(worst) + 1} of {len(results)}: {explanation}"
        return CheckResult(worst.verdict, explanation, " ".join(r.suggested_phrasing for r in results if r.suggested_phrasing),
                           round(reading_grade(plain), 1) if words(plain) else 0.0,
                           self.find_jargon(plain), tuple(results), citations)

    def find_jargon(self, text: str) -> tuple[tuple[str, str], ...]:
        folded, found = fold(text), []
        for term, plain, pattern in self.jargon:
            if pattern.search(folded) and not any(term in f for f, _ in found):
                found.append((term, plain))
        return tuple(found)

    def check_claim(self, sentence: str, focus: Focus) -> ClaimCheck:
        if not claims.looks_english(sentence):
            return ClaimCheck(sentence, "not_covered", self._reason("not_english"), "", ())
        if self.engine.coverage.other_treatment(sentence):
            return ClaimCheck(sentence, "not_covered", self._reason("not_covered_treatment"), "", ())
        pieces = [self._judge(piece, focus) for piece in claims.clauses(sentence)]
        worst = max(pieces, key=lambda c: SEVERITY[c.verdict])
        phrasing = sentence if worst.verdict == "consistent" else worst.suggested_phrasing
        return ClaimCheck(sentence, worst.verdict, worst.reason, phrasing, worst.evidence, worst.reading)

    def _judge(self, text: str, focus: Focus) -> ClaimCheck:
        reading = claims.read(text, self.engine.context, focus)
        drug = focus.drug or "ketamine"
        query = text if focus.drug is None or focus.drug in fold(text) else f"{text} ({drug})"
        hits = self.engine.retriever.search(query, k=6).hits
        hits = [h for h in hits if not h.snippet.drugs or drug in h.snippet.drugs] or list(hits)
        if not hits:
            return ClaimCheck(text, "not_covered", self._reason("not_covered"), "", (), reading)
        if reading.direction in ("benefit", "no_benefit", "evidence_gap"):
            return self._effect(text, reading, hits, drug, focus)
        if reading.direction in ("harm", "safety"):
            return self._harm(text, reading, hits, drug)
        return self._fact(text, reading, hits)

    def _effect(self, text, reading, hits, drug, focus) -> ClaimCheck:
        scoped = [h for h in hits if set(h.snippet.outcomes) & EFFECT_OUTCOMES
                  and h.snippet.finding in ("benefit", "no-clear-benefit", "uncertain")]
        if focus.condition:
            scoped = [h for h in scoped if focus.condition in h.snippet.conditions] or scoped
        if not scoped:
            return self._fact(text, reading, hits)
        findings = {h.snippet.finding for h in scoped}
        benefit = [h for h in scoped if h.snippet.finding == "benefit"]
        stance = "mixed" if benefit and len(findings) > 1 else "benefit" if benefit else "no_clear"
        certainty = max((h.snippet.certainty for h in scoped), key=lambda c: RANK[c])
        lead = scoped[0]
        phrasing = self._effect_phrasing(stance, certainty, drug, focus, lead.snippet)
        verdict, reason = "consistent", "consistent"
        if reading.direction == "benefit":
            share = _max_share(benefit)
            if reading.quantity is not None and share is not None and reading.quantity > share + 0.05:
                verdict, reason = "overstated", "overstated_quantity"
            elif reading.quantity is not None and share is not None and not reading.absolute:
                pass  # a share within what the studies found: reporting a result, not overstating it
            elif reading.strength == "strong" or reading.absolute or reading.strength == "plain" and not (stance == "benefit" and RANK[certainty] >= 3):
                verdict, reason = "overstated", "overstated_strength"
        elif reading.direction == "no_benefit":
            if stance == "benefit" and RANK[certainty] >= 3:
                verdict, reason = "contradicted", "contradicted_benefit"
            else:
                verdict, reason = "overstated", "overstated_absent_benefit"
        elif reading.absolute and (benefit or stance != "no_clear"):
            verdict, reason = "understated", "understated_gap"
        elif stance == "benefit" and RANK[certainty] >= 3:
            verdict, reason = "understated", "understated_benefit"
        return self._result(text, verdict, reason, phrasing, scoped[:2], reading, certainty=certainty,
                            share=_max_share(benefit))

    def _harm(self, text, reading, hits, drug) -> ClaimCheck:
        subject = _harm_subject(fold(text))
        wanted = {subject} if subject else HARM_OUTCOMES
        about = [h for h in hits if set(h.snippet.outcomes) & wanted] or \
                [h for h in hits if set(h.snippet.outcomes) & HARM_OUTCOMES]
        harms = [h for h in about if h.snippet.finding == "harm"]
        if not about:
            return self._fact(text, reading, hits)
        lead = (harms or about)[0]
        phrasing = self._harm_phrasing(drug, subject, lead.snippet)
        certainty = lead.snippet.certainty
        verdict, reason = "consistent", "consistent"
        if harms:
            if reading.direction == "safety":
                if reading.absolute:
                    verdict, reason = "contradicted", "contradicted_safety"
                elif reading.minimised or reading.strength == "hedged":
                    verdict, reason = "understated", "understated_harm"
                else:
                    verdict, reason = "overstated", "overstated_safety"
            elif reading.minimised:
                verdict, reason = "understated", "understated_harm"
            elif reading.strength == "strong" or (reading.quantity or 0) >= 0.9:
                verdict, reason = "overstated", "overstated_harm"
        elif reading.direction == "harm" and reading.strength != "hedged":
            verdict, reason = "overstated", "overstated_harm"
        return self._result(text, verdict, reason, phrasing, (harms or about)[:2], reading, certainty=certainty)

    def _fact(self, text, reading, hits) -> ClaimCheck:
        lead = hits[0]
        sentence = _closest_sentence(text, lead.snippet.body)
        shared = _predicate(text, sentence)
        verdict, reason = "consistent", "consistent"
        if shared and _negates(text, shared) != _negates(sentence, shared):
            verdict, reason = "contradicted", "contradicted_fact"
        elif reading.strength == "strong":
            verdict, reason = "overstated", "overstated_strength"
        return self._result(text, verdict, reason, sentence, (lead,), reading, certainty=lead.snippet.certainty)

    def _result(self, text, verdict, reason, phrasing, evidence, reading, certainty="not-graded", share=None):
        words_ = self.wording["certainty_words"][certainty]
        share_pct = round(share * 100) if share else ""
        return ClaimCheck(text, verdict, self._reason(reason, certainty=words_, share=share_pct),
                          text if verdict == "consistent" else phrasing, tuple(evidence), reading)

    def _reason(self, key: str, **fill) -> str:
        return self.wording["reasons"][key].format(**fill)

    def _effect_phrasing(self, stance, certainty, drug, focus, snippet: Snippet) -> str:
        templates = self.wording["phrasing"]
        label = LABELS.get(focus.condition, focus.condition) if focus.condition else "chronic pain"
        target = label if label.endswith("pain") else f"pain in {label}"
        template = templates["mixed"] if stance == "mixed" else templates[stance][certainty]
        return _join(_fill(template, drug, target=target), _first_sentence(snippet.body))

    def _harm_phrasing(self, drug, subject, snippet: Snippet) -> str:
        outcome = subject or next((o for o in snippet.outcomes if o in HARM_OUTCOMES), "side-effects")
        harm = self.wording["harm_words"].get(outcome, "side effects")
        if snippet.certainty in ("low", "very-low", "moderate", "high") and snippet.finding == "harm":
            template = self.wording["phrasing"]["harm_graded"]
            lead = _fill(template, drug, harm=harm, certainty=self.wording["certainty_words"][snippet.certainty])
        else:
            lead = _fill(self.wording["phrasing"]["harm"], drug, harm=harm)
        return _join(lead, _first_sentence(snippet.body))

    def _citations(self, results: list[ClaimCheck]) -> tuple[Citation, ...]:
        numbers: dict[str, int] = {}
        for result in results:
            for hit in result.evidence:
                for source_id in hit.snippet.sources:
                    numbers.setdefault(source_id, len(numbers) + 1)
        knowledge = self.engine.knowledge
        return tuple(Citation(n, knowledge.source(s), describe(knowledge.source(s))) for s, n in numbers.items())


def _explain(claim: ClaimCheck, numbers: dict[str, int]) -> str:
    if not claim.evidence:
        return claim.reason
    snippet = claim.evidence[0].snippet
    cites = "".join(f"[{numbers[s]}]" for s in snippet.sources if s in numbers)
    return f"{claim.reason} Evidence: {snippet.title} {cites}".strip()


def _fill(template: str, drug: str, **values) -> str:
    name = LABELS.get(drug, drug)
    return template.format(drug=name, Drug=name[:1].upper() + name[1:], **values)


def _join(lead: str, fact: str) -> str:
    return lead if not fact or fact.lower() in lead.lower() else f"{lead} {fact}"


def _first_sentence(body: str) -> str:
    return re.split(r"(?<=[.!?])\s+", body.strip(), maxsplit=1)[0]


def _closest_sentence(text: str, body: str) -> str:
    own = set(_content(text))
    sentences = re.split(r"(?<=[.!?])\s+", body.strip())
    return max(sentences, key=lambda s: (len(own & set(_content(s))), -sentences.index(s)))


DRUG_STEMS = {"ketamin", "esketamin", "memantin", "dextromethorphan", "amantadin", "magnesium", "spravato"}


def _predicate(claim: str, sentence: str) -> set[str]:
    """Content stems the claim and the evidence sentence share, drug names aside."""
    return (set(_content(claim)) & set(_content(sentence))) - DRUG_STEMS


def _negates(text: str, stems: set[str]) -> bool:
    """Whether a negation in the text governs one of the shared words (within the next few words)."""
    folded = fold(text)
    for match in claims.NEGATION.finditer(folded):
        window = re.split(r"[,;:]", folded[match.end():], maxsplit=1)[0]
        if set(_content(" ".join(window.split()[:5]))) & stems:
            return True
    return False


def _content(text: str) -> list[str]:
    from bot.text import tokenize

    return [t for t in tokenize(re.sub(r"n't\b", " not", text)) if t not in ("not", "no")]


def _harm_subject(folded: str) -> str | None:
    for outcome, terms in HARM_SUBJECTS.items():
        if any(re.search(rf"\b{re.escape(t)}\b", folded) for t in terms):
            return outcome
    return None


def _max_share(hits: list[Hit]) -> float | None:
    shares = [float(p) / 100 for h in hits for p, _ in claims.PERCENT.findall(h.snippet.body)]
    return max(shares) if shares else None

