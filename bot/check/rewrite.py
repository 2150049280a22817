"""Certainty-correct rewrites, made of curated words only.

The rewrite starts from the evidence's own words: the supporting (or contradicting) snippet's
hedged lead, or its sentence that speaks to the claim; failing that, a fixed template from
knowledge/check.yaml filled with the medicine and condition. A candidate is used only if it
- does not repeat the claim being corrected,
- uses no word the lexicon flags as jargon,
- reads at grade 8 or below (Flesch-Kincaid),
- is one whole sentence (two where the template needs them), not a question,
- and is about the claim's medicine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.check.reading import Claim
from bot.check.statements import Found, Statement
from bot.enums import GRADED, Certainty, Finding
from bot.knowledge.check_rules import Evidence as Said
from bot.knowledge.check_rules import Stance, Strength
from bot.knowledge.lint import reading_grade
from bot.knowledge.load import Knowledge
from bot.text import fold

MAX_GRADE = 8.0
HARM_FAMILY = (Stance.HARM, Stance.MINIMISED_HARM, Stance.NO_HARM, Stance.CONFINED_HARM,
               Stance.PARTLY_CONFINED_HARM, Stance.SAFE)
HEDGED = (Strength.PROBABLE, Strength.HEDGED, Strength.VERY_HEDGED)
EFFECT_FAMILY = (Stance.BENEFIT, Stance.NO_BENEFIT, Stance.GAP, Stance.NO_EVIDENCE, Stance.WORSENS)


@dataclass(frozen=True)
class Jargon:
    term: str
    plain: str
    pattern: re.Pattern


class Rewriter:
    def __init__(self, knowledge: Knowledge, statements: list[Statement]):
        self.wording, self.vocabulary = knowledge.wording, knowledge.vocabulary
        ordered = sorted(knowledge.lexicon.jargon, key=lambda tp: len(tp[0]), reverse=True)
        self.jargon = tuple(Jargon(t, p, re.compile(rf"(?<![\w-]){re.escape(t)}(?![\w-])")) for t, p in ordered)
        self.by_snippet: dict[str, list[Statement]] = {}
        for st in statements:
            self.by_snippet.setdefault(st.snippet.id, []).append(st)
        self._grades: dict[str, float] = {}

    def find_jargon(self, text: str) -> tuple[tuple[str, str], ...]:
        folded, found = fold(text), []
        for j in self.jargon:
            if j.pattern.search(folded) and not any(j.term in f for f, _ in found):
                found.append((j.term, j.plain))
        return tuple(found)

    def rewrite(self, sentence: str, claim: Claim, found: Found) -> str:
        """The first candidate that passes every check; failing that, the plainest one that passes
        all but the reading grade (an accurate sentence beats none)."""
        fallback: tuple[float, str] | None = None
        for candidate, certainty in self.candidates(claim, found):
            if not self.fits(candidate, sentence):
                continue
            if self.grade(candidate) <= MAX_GRADE:
                return candidate
            longer = f"{candidate} {self.wording['follow_up'].get(certainty, '')}".strip()
            if certainty is not None and self.fits(longer, sentence) and self.grade(longer) <= MAX_GRADE:
                return longer
            if fallback is None or self.grade(candidate) < fallback[0]:
                fallback = (self.grade(candidate), candidate)
        return fallback[1] if fallback else ""

    def candidates(self, claim: Claim, found: Found):
        """(sentence, certainty to add a plain follow-up for, or None) in order of preference: the
        evidence sentences that state or deny the claim; then the hedged leads of the snippets that
        speak to it (most relevant first), their other sentences on the same medicine and the same
        kind of thing (an effect, or this harm); then the fixed templates."""
        drugs = set(claim.drugs)
        for st in (found.statement, *found.alternatives):
            if st is None or not (st.names & drugs or claim.stance == Stance.FACT):
                continue
            if _standalone(st.text):
                yield st.text, None
            else:  # "The DEA placed it in Schedule III": with the sentence it leans on
                before = [b for b in self.by_snippet.get(st.snippet.id, []) if b.index == st.index - 1]
                if before and _standalone(before[0].text):
                    yield f"{before[0].text} {st.text}", None
        if claim.stance == Stance.FACT or found.said == Said.OPPOSED:
            return  # corrected by the evidence's own sentence, never by a template about something else
        harm = claim.stance in HARM_FAMILY
        family = HARM_FAMILY if harm else EFFECT_FAMILY
        outcomes = claim.outcomes - {"side-effects"} if harm else frozenset()
        pool = []
        for rank, snippet in enumerate(self._sources(claim, found)):
            for st in self.by_snippet.get(snippet.id, []):
                said = [c for c in st.claims if c.stance in family and (not outcomes or c.outcomes & outcomes)]
                if not (st.names & drugs and said and _standalone(st.text)):
                    continue
                hedged = harm or any(c.stance == Stance.GAP or c.strength in HEDGED for c in said)
                figures = claim.share is not None and "%" not in st.text
                pool.append(((figures, not (hedged and st.index == 0), not hedged, rank,
                              -len(claim.stems & st.stems), st.index), st.text, snippet.certainty))
        for _, text, certainty in sorted(pool, key=lambda p: p[0]):
            yield text, certainty
        for text in self.templates(claim, found):
            yield text, None

    def _sources(self, claim: Claim, found: Found):
        """The snippets to reword from: for a claim of benefit, those that carry the doubt (no clear
        benefit, uncertain) come before those that found a benefit; for a claim that denies the
        evidence, those that found one come first; for a harm, those that report it; for a share of
        patients, those that give the study's figures."""
        snippets = list(found.snippets[:4])
        if claim.stance in (Stance.BENEFIT, Stance.NO_BENEFIT):
            snippets.sort(key=lambda s: s.finding == Finding.BENEFIT)
        elif claim.stance in (Stance.NO_EVIDENCE, Stance.GAP):
            snippets.sort(key=lambda s: s.finding != Finding.BENEFIT)
        elif claim.stance in HARM_FAMILY:
            snippets.sort(key=lambda s: s.finding != Finding.HARM)
        if claim.share is not None:
            snippets.sort(key=lambda s: "%" not in s.body)
        return snippets

    def templates(self, claim: Claim, found: Found):
        phrasing = self.wording["phrasing"]
        drug = claim.drugs[0]
        certainty = found.certainty if found.certainty in GRADED else Certainty.NOT_GRADED
        if claim.stance in HARM_FAMILY:
            outcome = next(iter(sorted(claim.outcomes - {"side-effects"})), "side-effects")
            harm = self.wording["harm_words"].get(outcome, self.wording["harm_words"]["side-effects"])
            key = "harm_graded" if found.certainty in GRADED else "harm"
            yield self._fill(phrasing[key], drug, claim, harm=harm,
                             certainty=self.wording["certainty_words"][found.certainty])
            return
        stance = "benefit" if found.said == Said.BENEFIT else "mixed" if found.said == Said.MIXED else "no_clear"
        template = phrasing[stance] if stance == "mixed" else phrasing[stance][certainty]
        yield self._fill(template, drug, claim)

    def _fill(self, template: str, drug: str, claim: Claim, **values) -> str:
        name = self.vocabulary.label(drug)
        return template.format(drug=name, Drug=name[:1].upper() + name[1:], target=self.target(claim), **values)

    def target(self, claim: Claim) -> str:
        """The condition in plain words: its label, or the first of its names the lexicon does not flag."""
        conditions = sorted(claim.subject.conditions - {"chronic-pain", "depression"})
        if not conditions:
            return self.plain("chronic-pain")
        label = self.plain(conditions[0])
        return label if label.endswith("pain") else f"pain from {label}"

    def plain(self, condition: str) -> str:
        facet = next((f for f in self.vocabulary.conditions if f.id == condition), None)
        options = [self.vocabulary.label(condition), *(facet.names if facet else ())]
        return next((o for o in options if not self.find_jargon(o)), options[0])

    def fits(self, candidate: str, sentence: str) -> bool:
        """Every check but the reading grade: whole, not a question, not the claim again, no jargon."""
        text = candidate.strip()
        if not text or text.endswith("?") or len(text.split()) < 5 or _repeats(text, sentence):
            return False
        return not self.find_jargon(text)

    def grade(self, text: str) -> float:
        if text not in self._grades:
            self._grades[text] = reading_grade(text)
        return self._grades[text]


NEGATIONS = re.compile(r"\b(not|no|never|none|neither|nor|cannot|n't|unclear|uncertain)\b")
BACK_REFERENCE = re.compile(r"^(it|its|this|these|they|their|that|those|such|he|she|both)\b(?! is (unclear|not (known|clear)))|"
                            r"\b(of|in|from) (this|these|them)\b", re.IGNORECASE)


def _repeats(candidate: str, sentence: str) -> bool:
    """The candidate says the same words the same way as the claim being corrected."""
    a, b = fold(candidate), fold(sentence)
    wa, wb = set(re.findall(r"[a-z]{3,}", a)), set(re.findall(r"[a-z]{3,}", b))
    same_words = bool(wa) and len(wa & wb) / len(wa | wb) > 0.7
    return a.strip() == b.strip() or (same_words and bool(NEGATIONS.search(a)) == bool(NEGATIONS.search(b)))


def _standalone(text: str) -> bool:
    """A sentence that makes sense on its own (it does not lean on the one before: "It...", "of this")."""
    return not BACK_REFERENCE.search(text.strip())
