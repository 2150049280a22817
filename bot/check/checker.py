"""Clinician phrasing check: is a sentence (or each sentence of a handout) consistent with the
evidence, overstated, understated, contradicted or not covered, and how could it be said at the
evidence's certainty?

No generative model. Each sentence is read with the rules of knowledge/claim_rules.yaml
(bot/check/reading.py), the snippets that speak to the same medicine, outcome and direction are
found (bot/check/evidence.py), and the verdict comes from the table in knowledge/verdicts.yaml
(bot/check/table.py). Rewrites are evidence sentences or fixed templates (bot/check/rewrite.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answer.render import Citation, describe
from bot.check import sentences as text_parts
from bot.check.evidence import Evidence, Found
from bot.check.reading import Claim, Reader, Subject
from bot.check.result import CheckResult, ClaimCheck, explain
from bot.check.rewrite import Rewriter
from bot.check.table import Case, Table, relation, share, size
from bot.enums import Verdict
from bot.errors import InputError
from bot.knowledge.check_rules import Evidence as Said
from bot.knowledge.check_rules import Row, Stance, Strength
from bot.knowledge.lint import reading_grade
from bot.knowledge.load import Knowledge
from bot.search.retrieve import Retriever
from bot.text import words
from bot.triage.coverage import Coverage

VERDICTS = tuple(Verdict)
HARM_FAMILY = (Stance.HARM, Stance.MINIMISED_HARM, Stance.NO_HARM, Stance.CONFINED_HARM,
               Stance.PARTLY_CONFINED_HARM, Stance.SAFE)


def _speaks_to(judged: Judged) -> bool:
    """A harm the base reports, or a sentence of the base that states (or denies) the same."""
    said = judged.found.said
    return said in (Said.STATED, Said.OPPOSED) or (judged.claim.stance in HARM_FAMILY and said != Said.NONE)


@dataclass(frozen=True)
class Judged:
    """One claim (a clause) with its case, the row that decided and the evidence found."""

    claim: Claim
    case: Case
    row: Row
    found: Found


class Checker:
    """Receives the parts it reads: the knowledge, a retriever over it and the coverage signals."""

    def __init__(self, knowledge: Knowledge, retriever: Retriever, coverage: Coverage, uncovered_bar: float):
        self.knowledge, self.retriever, self.coverage = knowledge, retriever, coverage
        self.parser = retriever.parser
        self.uncovered_bar = uncovered_bar
        self.reasons = knowledge.wording["reasons"]
        self.reader = Reader(knowledge, self.parser)
        self.evidence = Evidence(knowledge, self.reader)
        self.table = Table(knowledge.verdicts)
        self.rewriter = Rewriter(knowledge, self.evidence.statements)
        reading_grade("Load the syllable dictionary now.")  # its first use takes seconds (textstat loads CMUdict)

    def check(self, text: str) -> CheckResult:
        if not isinstance(text, str) or not text_parts.clean(text):
            raise InputError("the text is empty")
        plain = text_parts.clean(text)
        parts = text_parts.split(text) or [plain]
        if len(parts) > text_parts.MAX_SENTENCES:
            raise InputError(f"too many sentences ({len(parts)}; at most {text_parts.MAX_SENTENCES} at once)")
        results, carried = [], None
        for sentence in parts:
            result, carried = self.check_sentence(sentence, carried)
            results.append(result)
        worst = max(results, key=lambda r: r.verdict.severity)
        citations = self._citations(results)
        explanation = explain(worst, {c.source.id: c.n for c in citations})
        if len(results) > 1:
            explanation = f"Sentence {results.index(worst) + 1} of {len(results)}: {explanation}"
        flat = " ".join(plain.split())
        return CheckResult(worst.verdict, explanation,
                           " ".join(r.suggested_phrasing for r in results if r.suggested_phrasing),
                           round(reading_grade(flat), 1) if words(flat) else 0.0,
                           self.rewriter.find_jargon(flat), tuple(results), citations)

    def check_sentence(self, sentence: str, carried: Subject | None = None) -> tuple[ClaimCheck, Subject | None]:
        if not text_parts.looks_english(sentence):
            return ClaimCheck(sentence, Verdict.NOT_COVERED, self.reasons["not_english"], "", ()), carried
        parsed = self.parser.parse(sentence)
        hard = self._uncovered(parsed)
        if hard:
            return ClaimCheck(sentence, Verdict.NOT_COVERED, self.reasons[hard], "", (), hard), carried
        claims, subject = self.reader.read(sentence, carried)
        judged = [self.judge(claim) for claim in claims]
        if not judged:  # no words at all ("¡")
            return ClaimCheck(sentence, Verdict.NOT_COVERED, self.reasons["not_covered"], "", ()), carried
        if not any(_speaks_to(j) for j in judged) and self._beyond(parsed):
            return ClaimCheck(sentence, Verdict.NOT_COVERED, self.reasons["not_covered"], "", (), "beyond"), carried
        covered = [j for j in judged if j.row.verdict != Verdict.NOT_COVERED] or judged
        worst = max(covered, key=lambda j: (j.row.verdict.severity, -covered.index(j)))
        verdict = worst.row.verdict
        if verdict == Verdict.CONSISTENT:
            phrasing = sentence
        elif verdict == Verdict.NOT_COVERED:
            phrasing = ""
        else:
            phrasing = self.rewriter.rewrite(sentence, worst.claim, worst.found)
        return ClaimCheck(sentence, verdict, self._reason(worst), phrasing, worst.found.snippets[:3],
                          worst.row.id), subject

    def judge(self, claim: Claim) -> Judged:
        found = self.find(claim)
        benefit = claim.stance == Stance.BENEFIT
        case = Case(
            stance=claim.stance, strength=claim.strength, evidence=found.said, certainty=found.certainty,
            relation=relation(claim.strength, found.certainty), named=found.named,
            share=share(claim.share, found.shares, benefit=benefit, attributed=claim.attributed, named=found.named,
                        at_most=claim.at_most, harm=claim.stance in HARM_FAMILY),
            size=size(claim.points, found.points),
            absolute=claim.absolute, interaction=claim.interaction, comparison=claim.comparison,
            acute=claim.acute, trials=found.trials)
        return Judged(claim, case, self.table.decide(case), found)

    def find(self, claim: Claim) -> Found:
        """What the evidence says about this claim: front matter for effects and harms, sentences
        for statements of fact, and an opposite word anywhere."""
        opposite = self.evidence.opposite(claim)
        if opposite is not None:
            return opposite
        if claim.stance == Stance.FACT:
            if "completion" in claim.outcomes:
                return self.evidence.completion(claim)
            return self.evidence.statement(claim)
        if claim.strength == Strength.REPORTED and claim.stance in HARM_FAMILY:
            stated = self.evidence.statement(claim)
            if stated.said == Said.STATED:
                return stated
        found = self.evidence.findings(claim)
        if found.said == Said.NONE and claim.stance in (Stance.GAP, Stance.NO_EVIDENCE):
            stated = self.evidence.statement(claim)
            if stated.said == Said.STATED:
                return stated
        return found

    def _reason(self, judged: Judged) -> str:
        found = judged.found
        certainty = self.knowledge.wording["certainty_words"].get(found.certainty, "not graded")
        shares = [s for s in found.shares if s > 0]
        pct = round(max(shares) * 100) if shares else ""
        return self.reasons[judged.row.reason].format(certainty=certainty, share=pct)

    def _uncovered(self, parsed) -> str | None:
        """Why nothing in the base can speak to this sentence, whatever it claims: another treatment,
        a name we do not know, children, a topic listed as not covered."""
        coverage = self.coverage
        if coverage.other_treatment(parsed):
            return "not_covered_treatment"
        known = self.reader.name_words(parsed.text)  # "the American Society of Regional Anesthesia" is a source
        if [w for w in coverage.unknown_names(parsed) if w not in known] or coverage.about_children(parsed) \
                or coverage.uncovered_topic(parsed):
            return "not_covered"
        return None

    def _beyond(self, parsed) -> bool:
        """"Ketamine for X" where X is a use the base does not cover, or a rare word no snippet is close
        to. Asked only when no harm or statement in the base speaks to the sentence: "no potential
        for abuse" names a harm the base reports, not a use it lacks."""
        pain = "pain" in parsed.words or parsed.named.condition is not None
        if not pain and self.coverage.uncovered_target(parsed):
            return True
        if parsed.rare:
            hits = self.retriever.search(parsed).hits
            return not any(h.similarity >= self.uncovered_bar for h in hits)
        return False

    def _citations(self, results: list[ClaimCheck]) -> tuple[Citation, ...]:
        numbers: dict[str, int] = {}
        for result in results:
            for source_id in (result.evidence[0].sources if result.evidence else ()):
                numbers.setdefault(source_id, len(numbers) + 1)
        knowledge = self.knowledge
        return tuple(Citation(n, knowledge.source(s), describe(knowledge.source(s))) for s, n in numbers.items())

