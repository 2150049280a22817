"""Clinician phrasing check: is a sentence consistent with the evidence, overstated, understated,
contradicted or not covered, and how could it be said at the evidence's certainty?

No generative model: retrieval finds the evidence a claim speaks to, bot/check/claims.py reads what
the claim asserts, and the verdict compares the two using the snippets' `finding` and
`certainty`. Rewrites are fixed templates (knowledge/check.yaml) filled with snippet facts.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.answer.render import Citation, describe
from bot.check import claims, compare
from bot.check.result import CheckResult, ClaimCheck, explain
from bot.check.rewrite import HARM_OUTCOMES, Rewriter
from bot.enums import Certainty, Finding, Verdict
from bot.errors import InputError
from bot.knowledge.lint import reading_grade
from bot.knowledge.load import Knowledge
from bot.search.question import Focus
from bot.search.retrieve import Hit, Retriever
from bot.text import fold, words
from bot.triage.coverage import Coverage

VERDICTS = tuple(Verdict)
EFFECT_OUTCOMES = {"pain", "function", "quality-of-life"}
MAX_CHARS = 5000
COMBINATION = re.compile(r"\b(together with|along with|alongside|combined with|in combination|at the same time as|"
                         r"with (opioids|benzodiazepines|benzos|alcohol|sedatives|antidepressants|maois?))\b")
# Claims about a particular clinic's prices or an insurer's rules: the base has nothing on these.
NOT_COVERED = re.compile(r"\$\s?\d|\b\d+ (dollars|pounds|euros)\b|\b(medicare|medicaid|insurers?|insurance|nhs) "
                         r"(covers?|pays?|will pay|reimburses?)\b|\bour (clinic|practice|center|centre) (charges?|costs?)\b")


class Checker:
    """Receives the parts it reads: the knowledge, a retriever over it and the coverage signals."""

    def __init__(self, knowledge: Knowledge, retriever: Retriever, coverage: Coverage, uncovered_bar: float):
        self.knowledge, self.retriever, self.coverage = knowledge, retriever, coverage
        self.parser, self.vocabulary = retriever.parser, knowledge.vocabulary
        self.uncovered_bar = uncovered_bar
        self.wording = knowledge.wording
        self.rewrite = Rewriter(knowledge.wording, knowledge.vocabulary)
        jargon = sorted(knowledge.lexicon.jargon, key=lambda tp: len(tp[0]), reverse=True)
        self.jargon = [(term, plain, re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])")) for term, plain in jargon]

    def check(self, text: str) -> CheckResult:
        if not isinstance(text, str) or not claims.clean(text):
            raise InputError("the text is empty")
        sentences = claims.split_claims(text)
        if len(sentences) > claims.MAX_CLAIMS:
            raise InputError(f"too many sentences ({len(sentences)}; at most {claims.MAX_CLAIMS} at once)")
        plain = claims.clean(text)
        if not sentences:
            sentences = [plain]
        results, focus = [], Focus()
        for sentence in sentences:
            own = self.parser.facets.of_text(sentence)
            focus = Focus(own.drug or focus.drug, own.route, own.condition)
            results.append(self.check_claim(sentence, focus))
        worst = max(results, key=lambda r: Verdict(r.verdict).severity)
        citations = self._citations(results)
        numbers = {c.source.id: c.n for c in citations}
        explanation = explain(worst, numbers)
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
            return ClaimCheck(sentence, Verdict.NOT_COVERED, self._reason("not_english"), "", ())
        uncovered = self._uncovered(self.parser.parse(sentence))
        if uncovered:
            return ClaimCheck(sentence, Verdict.NOT_COVERED, self._reason(uncovered), "", ())
        pieces = [self._judge(piece, focus) for piece in claims.clauses(sentence)]
        covered = [p for p in pieces if p.verdict != Verdict.NOT_COVERED] or pieces  # a clause like "but that's all"
        worst = max(covered, key=lambda c: Verdict(c.verdict).severity)
        phrasing = sentence if worst.verdict == Verdict.CONSISTENT else worst.suggested_phrasing
        return ClaimCheck(sentence, worst.verdict, worst.reason, phrasing, worst.evidence, worst.reading)

    def _uncovered(self, sentence) -> str | None:
        """Why nothing in the base can speak to this (parsed) sentence, or None."""
        coverage = self.coverage
        if coverage.other_treatment(sentence):
            return "not_covered_treatment"
        if (coverage.unknown_names(sentence) or coverage.uncovered_target(sentence)
                or NOT_COVERED.search(sentence.folded) or coverage.about_children(sentence)
                or coverage.uncovered_topic(sentence)):
            return "not_covered"
        if sentence.rare:
            hits = self.retriever.search(sentence).hits
            if not any(h.similarity >= self.uncovered_bar for h in hits):
                return "not_covered"
        return None

    def _judge(self, text: str, focus: Focus) -> ClaimCheck:
        reading = claims.read(text, focus)
        drug = focus.drug or self.vocabulary.subject
        query = text if focus.drug is None or focus.drug in fold(text) else f"{text} ({drug})"
        hits = self.retriever.search(query, k=6).hits
        hits = [h for h in hits if not h.snippet.drugs or drug in h.snippet.drugs] or list(hits)
        if not hits:
            return ClaimCheck(text, Verdict.NOT_COVERED, self._reason("not_covered"), "", (), reading)
        if reading.direction == "fact" and reading.minimised and any(h.snippet.finding == Finding.HARM for h in hits[:2]):
            return self._result(text, Verdict.UNDERSTATED, "understated_harm", compare.closest_sentence(text, hits[0].snippet.body),
                                hits[:1], reading, certainty=hits[0].snippet.certainty)
        clash = compare.clash(text, hits, negation=reading.direction == "fact" and reading.strength != "hedged")
        if clash is not None:
            return self._result(text, Verdict.CONTRADICTED, "contradicted_fact", clash[1], (clash[0],), reading,
                                certainty=clash[0].snippet.certainty)
        claimed = self._claimed_certainty(text, reading, hits, drug, focus)
        if claimed is not None:
            return claimed
        if reading.direction in ("benefit", "no_benefit", "worsens", "evidence_gap"):
            return self._effect(text, reading, hits, drug, focus)
        if reading.direction == "harm":
            return self._harm(text, reading, hits, drug)
        if reading.direction == "safety":
            result = self._harm(text, reading, hits, drug)
            if claims.also_benefit(fold(text)):  # judged on both counts; the worse verdict stands
                benefit = self._effect(text, replace(reading, direction="benefit"), hits, drug, focus)
                result = max((result, benefit), key=lambda r: Verdict(r.verdict).severity)
            return result
        return self._fact(text, reading, hits)

    def _effect(self, text, reading, hits, drug, focus) -> ClaimCheck:
        scoped = [h for h in hits if set(h.snippet.outcomes) & EFFECT_OUTCOMES
                  and h.snippet.finding in (Finding.BENEFIT, Finding.NO_CLEAR_BENEFIT, Finding.UNCERTAIN)]
        if focus.condition:
            scoped = [h for h in scoped if focus.condition in h.snippet.conditions] or scoped
        if not scoped and reading.direction in ("no_benefit", "evidence_gap"):
            scoped = self._effect_evidence(drug, focus)  # "no research at all" is judged against the trials
        if not scoped:
            return self._fact(text, reading, hits)
        findings = {h.snippet.finding for h in scoped}
        benefit = [h for h in scoped if h.snippet.finding == Finding.BENEFIT]
        stance = "mixed" if benefit and len(findings) > 1 else "benefit" if benefit else "no_clear"
        certainty = max((h.snippet.certainty for h in scoped), key=lambda c: Certainty(c).rank)
        phrasing = self.rewrite.effect(stance, certainty, drug, focus, scoped[0].snippet)
        firm = stance == "benefit" and Certainty(certainty).rank >= 3  # moderate or high certainty of a benefit
        shares = compare.shares(benefit)
        verdict, reason = Verdict.CONSISTENT, "consistent"
        named = compare.named_snippets(text, scoped)
        if reading.direction == "benefit":
            quantity = compare.judge_share(reading, shares)
            sizes = [float(x) for h in scoped for x in claims.POINTS.findall(h.snippet.body)]
            if reading.points is not None and sizes and reading.points > max(sizes) + 0.5:
                verdict, reason = Verdict.OVERSTATED, "overstated_strength"  # a bigger effect than any study found
            elif reading.quantity is not None and shares and reading.quantity >= 0.5 > max(shares) \
                    and compare.named_stance(text, scoped) is not None:
                verdict, reason = Verdict.CONTRADICTED, "contradicted_quantity"  # "most" when the named study found a minority
            elif quantity is not None:
                verdict, reason = quantity
            elif reading.strength != "hedged" and compare.named_stance(text, scoped) == "no_clear":
                verdict, reason = Verdict.CONTRADICTED, "contradicted_benefit"  # misreports what a named study found
            elif reading.strength == "strong" or reading.absolute or (reading.strength == "plain" and not firm):
                verdict, reason = Verdict.OVERSTATED, "overstated_strength"
        elif reading.direction == "worsens":
            verdict, reason = Verdict.CONTRADICTED, "contradicted_benefit"  # no study here found pain made worse
        elif reading.direction == "no_benefit":
            if firm or (named and any(h.snippet.finding == Finding.BENEFIT for h in named)):  # misreports a named study
                verdict, reason = Verdict.CONTRADICTED, "contradicted_benefit"
            else:
                verdict, reason = Verdict.OVERSTATED, "overstated_absent_benefit"
        elif reading.absolute:
            verdict, reason = Verdict.UNDERSTATED, "understated_gap"  # weak evidence is still evidence
        elif firm:
            verdict, reason = Verdict.UNDERSTATED, "understated_benefit"
        return self._result(text, verdict, reason, phrasing, scoped[:2], reading, certainty=certainty,
                            share=max(shares) if shares else None)

    def _harm(self, text, reading, hits, drug) -> ClaimCheck:
        subject = compare.harm_subject(fold(text))
        wanted = {subject} if subject else HARM_OUTCOMES
        about = [h for h in hits if set(h.snippet.outcomes) & wanted] or \
                [h for h in hits if set(h.snippet.outcomes) & HARM_OUTCOMES]
        if not about:
            return self._fact(text, reading, hits)
        harms = [h for h in about if h.snippet.finding == Finding.HARM]
        if reading.direction == "safety" and not harms:
            harms = self._harm_evidence(drug, subject, wanted)
            about = harms + about
        unsure = [h for h in about if h.snippet.finding in (Finding.UNCERTAIN, Finding.NO_CLEAR_HARM)]
        lead = (harms or about)[0]
        phrasing = self.rewrite.harm(drug, subject, lead.snippet)
        shares = compare.shares(harms)
        verdict, reason = Verdict.CONSISTENT, "consistent"
        if reading.direction == "harm" and reading.attributed and reading.strength != "hedged" and not reading.minimised:
            none = compare.named_none_recorded(text, about)
            if none is not None:  # "the study recorded many serious adverse events" when it recorded none
                return self._result(text, Verdict.CONTRADICTED, "contradicted_fact", none[1], (none[0],), reading,
                                    certainty=none[0].snippet.certainty)
        combined = subject == "interactions" or COMBINATION.search(fold(text))
        if harms and reading.direction == "safety" and combined and \
                any("interactions" in h.snippet.outcomes for h in harms):
            verdict, reason = Verdict.CONTRADICTED, "contradicted_safety"  # "safe together with..." when the label warns
        elif harms and reading.direction == "safety":
            if reading.absolute and reading.attributed and unsure:
                # "none recorded" is what the study says; "none occurred" says more than it can know
                if not claims.REPORTED.search(fold(text)):
                    verdict, reason = Verdict.OVERSTATED, "overstated_safety"
            elif reading.absolute:
                verdict, reason = Verdict.CONTRADICTED, "contradicted_safety"
            elif reading.minimised or reading.strength == "hedged":
                verdict, reason = Verdict.UNDERSTATED, "understated_harm"
            else:
                verdict, reason = Verdict.OVERSTATED, "overstated_safety"
        elif harms:
            if reading.minimised:
                verdict, reason = Verdict.UNDERSTATED, "understated_harm"
            elif reading.strength == "strong" or (reading.quantity or 0) >= 0.9:
                verdict, reason = Verdict.OVERSTATED, "overstated_harm"
            elif reading.quantity is not None and reading.quantity >= 0.5 and not any(x >= reading.quantity for x in shares):
                verdict, reason = Verdict.OVERSTATED, "overstated_harm"  # "most patients" when the studies say fewer
        elif reading.direction == "harm" and reading.strength != "hedged":
            verdict, reason = Verdict.OVERSTATED, "overstated_harm"
        elif (reading.direction == "safety" and (reading.strength == "strong" or reading.absolute)
              and not (reading.attributed and claims.REPORTED.search(fold(text)))):
            # No study can show a treatment is safe for everyone, or that nothing happened when it only
            # recorded nothing; "the study recorded no adverse events" is what it says.
            verdict, reason = Verdict.OVERSTATED, "overstated_safety"
        return self._result(text, verdict, reason, phrasing, (harms or about)[:2], reading,
                            certainty=lead.snippet.certainty)

    def _claimed_certainty(self, text, reading, hits, drug, focus) -> ClaimCheck | None:
        """"High-certainty evidence shows...", "Cochrane rated it moderate certainty": a certainty level
        above the evidence's is overstated, or contradicted when it misreports a study the claim names."""
        claimed = claims.CLAIMED_CERTAINTY.search(fold(text))
        if claimed is None or reading.direction in ("evidence_gap", "no_benefit") or \
                claims.NEGATION.search(fold(text)[max(0, claimed.start() - 20):claimed.start()]):
            return None  # "high-quality evidence is lacking" reports a gap
        evidence = [h for h in hits if set(h.snippet.outcomes) & EFFECT_OUTCOMES] or self._effect_evidence(drug, focus)
        graded = [h for h in evidence if h.snippet.certainty != "not-graded"]
        if not graded:
            return None
        named = compare.named_snippets(text, graded)
        lead = (named or graded)[0]
        actual = max(named or graded, key=lambda h: Certainty(h.snippet.certainty).rank).snippet.certainty
        if Certainty(claimed.group(1).replace(" ", "-")).rank <= Certainty(actual).rank:
            return None
        verdict = Verdict.CONTRADICTED if named else Verdict.OVERSTATED
        return self._result(text, verdict, "contradicted_certainty" if named else "overstated_strength",
                            self.rewrite.effect("no_clear" if lead.snippet.finding != "benefit" else "benefit",
                                                  actual, drug, focus, lead.snippet),
                            (lead,), reading, certainty=actual)

    def _effect_evidence(self, drug: str, focus: Focus) -> list[Hit]:
        """Trials of the drug for the condition, looked up directly, for claims about the evidence."""
        target = self.vocabulary.label(focus.condition) if focus.condition else self.vocabulary.label("chronic-pain")
        return [h for h in self.retriever.search(f"does {drug} help {target}", k=6).hits
                if set(h.snippet.outcomes) & EFFECT_OUTCOMES
                and h.snippet.finding in (Finding.BENEFIT, Finding.NO_CLEAR_BENEFIT, Finding.UNCERTAIN)
                and (not h.snippet.drugs or drug in h.snippet.drugs)]

    def _harm_evidence(self, drug: str, subject: str | None, wanted: set[str]) -> list[Hit]:
        """Reported harms of the drug, looked up directly: a claim that something is safe is judged
        against them even when its own words retrieved only evidence about benefit."""
        query = f"{drug} {subject or 'side effects'} risks harms"
        return [h for h in self.retriever.search(query, k=6).hits
                if h.snippet.finding == Finding.HARM and set(h.snippet.outcomes) & wanted
                and (not h.snippet.drugs or drug in h.snippet.drugs)]

    def _fact(self, text, reading, hits) -> ClaimCheck:
        lead = hits[0]
        sentence = compare.closest_sentence(text, lead.snippet.body)
        verdict, reason = Verdict.CONSISTENT, "consistent"
        quantity = compare.judge_share(reading, compare.shares([lead]), wide=0.1)
        if quantity is not None:
            verdict, reason = quantity
        elif reading.minimised and any(h.snippet.finding == Finding.HARM for h in hits[:2]):
            verdict, reason = Verdict.UNDERSTATED, "understated_harm"
        elif reading.strength == "strong" or (
                reading.strength == "plain" and not reading.attributed
                and not claims.NEGATION.search(fold(text).replace("n't", " not"))
                and claims.EPISTEMIC.search(fold(sentence)) and compare.restates(text, sentence)):
            # the evidence says "is thought to" or "may"; the claim says the same thing as settled fact
            verdict, reason = Verdict.OVERSTATED, "overstated_strength"
        return self._result(text, verdict, reason, sentence, (lead,), reading, certainty=lead.snippet.certainty)

    def _result(self, text, verdict, reason, phrasing, evidence, reading, certainty="not-graded", share=None):
        words_ = self.wording["certainty_words"][certainty]
        share_pct = round(share * 100) if share else ""
        return ClaimCheck(text, verdict, self._reason(reason, certainty=words_, share=share_pct),
                          text if verdict == Verdict.CONSISTENT else phrasing, tuple(evidence), reading)

    def _reason(self, key: str, **fill) -> str:
        return self.wording["reasons"][key].format(**fill)

    def _citations(self, results: list[ClaimCheck]) -> tuple[Citation, ...]:
        numbers: dict[str, int] = {}
        for result in results:
            for hit in result.evidence:
                for source_id in hit.snippet.sources:
                    numbers.setdefault(source_id, len(numbers) + 1)
        knowledge = self.knowledge
        return tuple(Citation(n, knowledge.source(s), describe(knowledge.source(s))) for s, n in numbers.items())
