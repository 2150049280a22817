"""The clinician check's reviewed data: claim-reading rules (knowledge/claim_rules.yaml) and the
verdict table (knowledge/verdicts.yaml), as typed models checked at load.

claim_rules.yaml follows the NegEx / ConText tradition: a rule is a literal phrase, a category, a
direction and a maximum scope in tokens; concepts are the things a claim talks about (a benefit, a
harm, the evidence itself). verdicts.yaml is a first-match decision table keyed by the claim's
reading and the evidence's finding and certainty. The code only applies them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from bot.enums import Certainty, Verdict
from bot.knowledge.files import Problems, read_mapping
from bot.knowledge.models import Strict, Text, Texts


class Cue(StrEnum):
    """What a modifier rule does to the concepts in its scope."""

    NEGATION = "negation"  # "not", "no", "never"
    PSEUDO = "pseudo"  # looks like a cue and is not one: "not only", "no doubt"
    QUALIFIER = "qualifier"  # "clear", "convincing": a negated benefit or evidence is an evidence gap
    GAP = "gap"  # "unclear whether", "little evidence", "more trials are needed"
    HEDGE = "hedge"  # "may", "probably" (with the certainty level it signals)
    CERTAINTY = "certainty"  # "low certainty", "strong evidence": the certainty a sentence states
    BOOSTER = "booster"  # "proven", "definitely", "lasting": more than any evidence here allows
    ABSOLUTE = "absolute"  # "at all", "whatsoever": a denial of anything at all
    MINIMISER = "minimiser"  # "rare", "mild", "theoretical"
    APPROXIMATOR = "approximator"  # "essentially", "virtually": a denial that is really a minimisation
    RESTRICTION = "restriction"  # "only", "restricted to" (absolute) or "mainly", "rather than"
    REPORT = "report"  # "found", "reported", "recorded": what a study reports
    FREQUENCY = "frequency"  # "usually", "regularly": a claim about how often
    COMPARISON = "comparison"  # "better than", "as well as": a head-to-head comparison
    SUBORDINATE = "subordinate"  # "who", "whose": what follows describes, it is not the claim
    TERMINATE = "terminate"  # "but", "however": scopes stop here


class Concept(StrEnum):
    """What a claim talks about (ConText's targets)."""

    BENEFIT = "benefit"  # works, helps, relieves, effective
    WORSE = "worse"  # makes pain worse
    HARM = "harm"  # side effects, bladder damage, addictive (each with its outcome)
    SAFETY = "safety"  # safe, harmless, well tolerated
    EVIDENCE = "evidence"  # evidence, research, shown, proven: the claim is about the evidence
    APPROVAL = "approval"  # approved, licensed; "off-label" is approval denied
    MISUSE = "misuse"  # recreational users: the setting a harm may be confined to
    STUDY = "study"  # review, trial, study: an attribution
    COMPARATOR = "comparator"  # placebo, dummy, usual care
    DESIGN = "design"  # randomised, a comparison group: how a study was done
    ACUTE = "acute"  # during surgery, after an injury: short-lived pain, not the chronic pain studied here
    CHRONIC = "chronic"  # lasting, long-term: what makes pain after surgery the chronic pain studied here
    OUTCOME = "outcome"  # what an effect is on: opioid use, mood, daily life


class Direction(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"
    BOTH = "both"


class Modifier(Strict):
    id: Text
    literals: Texts = Field(min_length=1)
    category: Cue
    direction: Direction = Direction.FORWARD
    max_scope: int = Field(6, ge=0, le=30)
    applies_to: list[Concept] = Field(default_factory=list)  # empty: every concept
    level: Certainty | None = None  # hedge and certainty cues: the certainty they signal
    absolute: bool = False  # negation: denies anything at all; restriction: "only", not "mainly"
    clause: bool = False  # terminators: also a boundary between clauses checked on their own
    commas: bool = False  # the scope runs on past commas ("agonists, which is wrong")
    negates: bool = False  # terminators: the clause it opens denies the claim before it ("..., not for pain")
    share: float | None = Field(None, ge=0, le=1)  # frequency cues: the share of people claimed
    note: Text | None = None

    @model_validator(mode="after")
    def _levels(self) -> Modifier:
        if self.category in (Cue.HEDGE, Cue.CERTAINTY) and self.level is None:
            raise ValueError(f"{self.id}: a {self.category} cue needs a level")
        return self


class Target(Strict):
    id: Text
    literals: Texts = Field(min_length=1)
    category: Concept
    outcome: Text | None = None  # a vocabulary outcome (harms, and what an effect is on)
    negative: bool = False  # the concept comes denied: "off-label", "non-addictive", "risk-free"
    strong: bool = False  # the word claims more than any evidence allows: "cure", "breakthrough"
    absolute: bool = False  # evidence words: denying them denies any evidence at all ("no research")
    note: Text | None = None


class Quantity(Strict):
    literals: Texts = Field(min_length=1)
    share: float = Field(ge=0, le=1)


class DrugClass(Strict):
    names: Texts = Field(min_length=1)
    drugs: Texts = Field(min_length=1)


class Spelling(Strict):
    pattern: Text
    replace: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class ClaimRulesFile(Strict):
    spelling: list[Spelling] = Field(default_factory=list)
    stopwords: Texts = Field(default_factory=list)  # words no statement is about ("patients", "people")
    modifiers: list[Modifier]
    targets: list[Target]
    quantities: list[Quantity]
    drug_classes: list[DrugClass] = Field(default_factory=list)
    study_words: dict[str, list[Text]] = Field(default_factory=dict)  # "review" -> designs it may name
    opposites: list[list[Text]] = Field(default_factory=list)  # word stems that say the opposite

    @model_validator(mode="after")
    def _unique_ids(self) -> ClaimRulesFile:
        seen: set[str] = set()
        for rule in [*self.modifiers, *self.targets]:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id '{rule.id}'")
            seen.add(rule.id)
        for pair in self.opposites:
            if len(pair) != 2:
                raise ValueError("each opposites entry is a pair of word stems")
        return self


class Stance(StrEnum):
    """What a claim asserts, read from its concepts and their modifiers."""

    BENEFIT = "benefit"
    NO_BENEFIT = "no_benefit"
    WORSENS = "worsens"
    GAP = "gap"  # the evidence is unclear
    NO_EVIDENCE = "no_evidence"  # there is no evidence at all
    HARM = "harm"
    MINIMISED_HARM = "minimised_harm"
    NO_HARM = "no_harm"
    CONFINED_HARM = "confined_harm"  # only in misuse
    PARTLY_CONFINED_HARM = "partly_confined_harm"  # mainly in misuse
    SAFE = "safe"
    CERTAINTY = "certainty"  # a statement about how sure the evidence is, and nothing else
    FACT = "fact"  # anything else: judged by a snippet sentence that states it


class Strength(StrEnum):
    """How firmly a claim is stated, on the GRADE ladder plus 'strong' (beyond any evidence)."""

    STRONG = "strong"
    FIRM = "firm"  # plain statement: "reduces" (GRADE high)
    PROBABLE = "probable"  # "probably" (moderate)
    HEDGED = "hedged"  # "may" (low)
    VERY_HEDGED = "very_hedged"  # "we are very uncertain" (very low)
    REPORTED = "reported"  # "the study found / recorded": what a study reports

    @property
    def rank(self) -> int:
        return _STRENGTH_RANK[self]


_STRENGTH_RANK = {Strength.STRONG: 5, Strength.FIRM: 4, Strength.PROBABLE: 3, Strength.HEDGED: 2,
                  Strength.VERY_HEDGED: 1, Strength.REPORTED: 0}


class Evidence(StrEnum):
    """What the evidence a claim is judged against says."""

    BENEFIT = "benefit"
    MIXED = "mixed"  # some snippets found a benefit, others none clear
    NO_CLEAR_BENEFIT = "no-clear-benefit"
    UNCERTAIN = "uncertain"
    HARM = "harm"
    NO_CLEAR_HARM = "no-clear-harm"
    STATED = "stated"  # a snippet sentence states the same
    OPPOSED = "opposed"  # a snippet sentence states the opposite
    NONE = "none"  # nothing speaks to it


class Relation(StrEnum):
    """The claim's strength against the evidence's certainty."""

    ABOVE = "above"
    EQUAL = "equal"
    BELOW = "below"


class Share(StrEnum):
    """A share of patients claimed, against the shares the evidence reports."""

    ABOVE = "above"
    MAJORITY = "majority"  # "most" when the study it names found a minority
    WITHIN = "within"
    BELOW = "below"
    NONE = "none"


class Row(Strict):
    """One row of the verdict table: every key given must match; the first row that matches decides."""

    id: Text
    stance: list[Stance] | None = None
    strength: list[Strength] | None = None
    evidence: list[Evidence] | None = None
    certainty: list[Certainty] | None = None
    relation: list[Relation] | None = None
    named: bool | None = None
    share: list[Share] | None = None
    size: list[Share] | None = None  # an effect size (points on a pain scale) against the studies' sizes
    absolute: bool | None = None
    interaction: bool | None = None  # a claim about taking the medicine with another
    comparison: bool | None = None  # compared head to head with something other than a placebo
    acute: bool | None = None  # about pain during surgery or after an injury, not chronic pain
    trials: bool | None = None  # graded trials exist on this medicine and outcome
    verdict: Verdict
    reason: Text
    why: Text  # for reviewers: the reasoning of this row


class VerdictsFile(Strict):
    rows: list[Row] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> VerdictsFile:
        ids = [r.id for r in self.rows]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"duplicate row id {', '.join(sorted(duplicates))}")
        return self


def load_claim_rules(path: Path, problems: Problems, outcomes: tuple[str, ...] = (),
                     drugs: tuple[str, ...] = ()) -> ClaimRulesFile | None:
    data = read_mapping(path, ClaimRulesFile, problems)
    if data is None:
        return None
    for i, target in enumerate(data.targets):
        if outcomes and target.outcome is not None and target.outcome not in outcomes:
            problems.add(path, f"targets[{i}].outcome", f"'{target.outcome}' is not one of {', '.join(outcomes)}")
    for i, group in enumerate(data.drug_classes):
        for drug in group.drugs:
            if drugs and drug not in drugs:
                problems.add(path, f"drug_classes[{i}].drugs", f"'{drug}' is not one of {', '.join(drugs)}")
    return data


def load_verdicts(path: Path, problems: Problems, reasons: set[str] | None = None) -> VerdictsFile | None:
    data = read_mapping(path, VerdictsFile, problems)
    if data is None:
        return None
    for i, row in enumerate(data.rows):
        if reasons is not None and row.reason not in reasons:
            problems.add(path, f"rows[{i}].reason", f"'{row.reason}' is not a reason in check.yaml")
    return data
