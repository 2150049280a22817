"""What the snippets say about a claim: support before "consistent".

Two ways a snippet speaks to a claim:
- its front matter (findings): a claim of benefit or harm is judged against the snippets about the
  same medicine (and route and condition, where the claim names them) and the same outcome, by
  their `finding` and `certainty`; a study the claim names is judged by the snippets that cite it
  first;
- one of its sentences (statements): a statement of fact ("approved for depression", "had no
  comparison group") is supported when a snippet sentence about the same medicine says the same
  words the same way, and contradicted when it says them the other way round (denied, or with an
  opposite word such as "blocks" for "activates").
Every snippet sentence is read once, with the same rules as the claims.
"""

from __future__ import annotations

import re

from bot.check.reading import Claim, Reader
from bot.check.statements import Found, Statements
from bot.enums import Certainty, Finding
from bot.knowledge.check_rules import Evidence as Said
from bot.knowledge.check_rules import Stance
from bot.knowledge.load import Knowledge
from bot.knowledge.records import Snippet

EFFECT_OUTCOMES = frozenset({"pain", "function", "quality-of-life", "opioid-use", "depression"})
EFFECT_FINDINGS = (Finding.BENEFIT, Finding.NO_CLEAR_BENEFIT, Finding.UNCERTAIN)
HARM_FINDINGS = (Finding.HARM, Finding.NO_CLEAR_HARM, Finding.UNCERTAIN)
EFFECT_STANCES = (Stance.BENEFIT, Stance.NO_BENEFIT, Stance.WORSENS, Stance.GAP, Stance.NO_EVIDENCE, Stance.CERTAINTY)
PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent)")
POINTS = re.compile(r"(\d{1,2}(?:\.\d+)?) (?:points?|units?)\b")


class Evidence:
    def __init__(self, knowledge: Knowledge, reader: Reader):
        self.snippets = knowledge.snippets
        self.first_source = {s.id: s.sources[0] for s in self.snippets}
        self.sentences = Statements(self.snippets, reader)
        self.statements = self.sentences.statements
        self.idf = self.sentences.idf

    def statement(self, claim: Claim) -> Found:
        return self.sentences.statement(claim)

    def opposite(self, claim: Claim) -> Found | None:
        return self.sentences.opposite(claim)

    # --- front matter -----------------------------------------------------------------------------
    def findings(self, claim: Claim) -> Found:
        effect = claim.stance in EFFECT_STANCES
        outcomes = (claim.outcomes & EFFECT_OUTCOMES or {"pain"}) if effect else _harm_outcomes(claim)
        wanted = EFFECT_FINDINGS if effect else HARM_FINDINGS
        about = [s for s in self.snippets if s.finding in wanted and _drug_fits(claim, s)
                 and (not outcomes or set(s.outcomes) & outcomes)]
        if effect:
            about = _narrow(about, claim)
        elif claim.subject.route:  # the snippets on this route, else those on no route in particular
            about = [s for s in about if claim.subject.route in s.routes] or [s for s in about if not s.routes]
        named = [s for s in about if self.first_source[s.id] in claim.named]
        trials = any(s.certainty != Certainty.NOT_GRADED for s in about)
        if named:
            about = named
        if not about:
            return Found(Said.NONE, trials=trials)
        findings = {s.finding for s in about}
        if effect:
            benefit = [s for s in about if s.finding == Finding.BENEFIT]
            said = Said.BENEFIT if len(findings) == 1 and benefit else Said.MIXED if benefit else \
                Said.NO_CLEAR_BENEFIT if Finding.NO_CLEAR_BENEFIT in findings else Said.UNCERTAIN
            lead = benefit if claim.stance == Stance.BENEFIT and benefit else about
            shares = tuple(float(p) / 100 for s in benefit for p in PERCENT.findall(s.body))
        else:
            harms = [s for s in about if s.finding == Finding.HARM]
            said = Said.HARM if harms else Said.NO_CLEAR_HARM if Finding.NO_CLEAR_HARM in findings else Said.UNCERTAIN
            lead = harms or about
            shares = tuple(float(p) / 100 for s in harms for p in PERCENT.findall(s.body))
        certainty = max((s.certainty for s in lead), key=lambda c: c.rank)
        ranked = sorted(about, key=lambda s: self._relevance(claim, s, outcomes))
        points = tuple(float(p) for s in about for p in POINTS.findall(s.body))
        return Found(said, certainty, tuple(ranked), named=bool(named), shares=shares, points=points, trials=trials)

    def _relevance(self, claim: Claim, snippet: Snippet, outcomes) -> tuple:
        """Most relevant first: the study named, the condition named (or chronic pain in general),
        the medicine first in its list, the route, the fewest other outcomes, the most words shared."""
        conditions = claim.subject.conditions - {"chronic-pain"} or {"chronic-pain"}
        return (self.first_source[snippet.id] not in claim.named, not conditions & set(snippet.conditions),
                snippet.drugs[0] != claim.drugs[0], bool(claim.subject.route) and claim.subject.route not in snippet.routes,
                -len(set(snippet.outcomes) & set(outcomes or snippet.outcomes)) / max(1, len(snippet.outcomes)),
                -self._overlap(claim, snippet))

    def _overlap(self, claim: Claim, snippet: Snippet) -> float:
        return sum(self.idf.get(s, 0.0) for s in claim.stems & self.sentences.snippet_words.get(snippet.id, frozenset()))

    def completion(self, claim: Claim) -> Found:
        """Claims about how many people finished a course, judged by the snippets on completion."""
        about = [s for s in self.snippets if set(claim.outcomes) & set(s.outcomes) and _drug_fits(claim, s)]
        named = [s for s in about if self.first_source[s.id] in claim.named]
        about = named or about
        if not about:
            return Found(Said.NONE)
        shares = tuple(float(p) / 100 for s in about for p in PERCENT.findall(s.body))
        figures = [st for st in self.statements if st.snippet in about and PERCENT.search(st.text)]
        return Found(Said.STATED, Certainty.NOT_GRADED, tuple(about), statement=figures[0] if figures else None,
                     named=bool(named), shares=shares)

def _drug_fits(claim: Claim, snippet: Snippet) -> bool:
    return bool(set(snippet.drugs) & set(claim.drugs))


def _harm_outcomes(claim: Claim) -> set[str]:
    specific = set(claim.outcomes) - {"side-effects", "approval", "completion"}
    if claim.stance == Stance.SAFE or not claim.outcomes:
        return set()  # any harm
    return specific or {"side-effects", "mental-effects"}


def _narrow(about: list[Snippet], claim: Claim) -> list[Snippet]:
    """The snippets on the claim's route and condition, where it names them."""
    route = claim.subject.route
    if route:
        about = [s for s in about if route in s.routes]  # a snippet on no route in particular says nothing of this one
    conditions = claim.subject.conditions - {"chronic-pain"}
    if conditions:
        exact = [s for s in about if conditions & set(s.conditions)]
        about = exact or [s for s in about if "chronic-pain" in s.conditions]
    return about
