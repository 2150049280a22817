"""The closed sets every stage shares: reply kinds, certainty, findings, study designs, verdicts.

StrEnums compare equal to their text, so JSON and knowledge files keep plain strings, while the
code names each value once.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """The reply kinds of the JSON API (DESIGN.md section 4)."""

    ANSWER = "answer"
    NO_EVIDENCE = "no_evidence"
    CRISIS = "crisis"
    EMERGENCY = "emergency"
    PERSONAL_ADVICE = "personal_advice"
    ILLICIT = "illicit"
    OUT_OF_SCOPE = "out_of_scope"

    @property
    def urgent(self) -> bool:
        return self in (Kind.CRISIS, Kind.EMERGENCY)


class Certainty(StrEnum):
    """GRADE certainty of a snippet, and of an answer (which may also be mixed or none)."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very-low"
    NOT_GRADED = "not-graded"
    MIXED = "mixed"  # an answer whose snippets differ in certainty
    NONE = "none"  # an answer with no evidence

    @property
    def rank(self) -> int:
        """High 4 ... very low 1; not graded, mixed and none 0."""
        return _RANK.get(self, 0)


# The GRADE ladder, strongest first: the one place it is written out.
GRADED = (Certainty.HIGH, Certainty.MODERATE, Certainty.LOW, Certainty.VERY_LOW)
SNIPPET_CERTAINTIES = (*GRADED, Certainty.NOT_GRADED)
_RANK = {c: len(GRADED) - i for i, c in enumerate(GRADED)}


class Finding(StrEnum):
    BENEFIT = "benefit"
    NO_CLEAR_BENEFIT = "no-clear-benefit"
    HARM = "harm"
    NO_CLEAR_HARM = "no-clear-harm"
    UNCERTAIN = "uncertain"
    INFO = "info"


class Design(StrEnum):
    SYSTEMATIC_REVIEW = "systematic-review"
    META_ANALYSIS = "meta-analysis"
    RCT = "rct"
    OBSERVATIONAL = "observational"
    GUIDELINE = "guideline"
    REGULATORY = "regulatory"
    EXPERT_OPINION = "expert-opinion"
    NEWS = "news"


TRIAL_DESIGNS = frozenset({Design.RCT, Design.SYSTEMATIC_REVIEW, Design.META_ANALYSIS})


class Verdict(StrEnum):
    """The clinician check's verdicts, with how serious each is (the worst one leads)."""

    CONSISTENT = "consistent"
    OVERSTATED = "overstated"
    UNDERSTATED = "understated"
    CONTRADICTED = "contradicted"
    NOT_COVERED = "not_covered"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Verdict.CONTRADICTED: 4, Verdict.OVERSTATED: 3, Verdict.UNDERSTATED: 2, Verdict.NOT_COVERED: 1,
             Verdict.CONSISTENT: 0}


class Route(StrEnum):
    """What the trained router reads a message as (knowledge/routing.yaml); the decision table in
    bot/triage/router.py turns it, with the evidence, into a reply `Kind`."""

    INFO = "info"  # an ordinary question about our subject
    SYMPTOM = "symptom"  # a symptom after treatment that is not an emergency
    OUT_OF_SCOPE = "out_of_scope"
    PERSONAL_ADVICE = "personal_advice"
    SUBSTANCE_HELP = "substance_help"  # help-seeking about one's own (or a loved one's) drug or alcohol use
    ILLICIT = "illicit"
    EMERGENCY = "emergency"  # a danger now, including any overdose or poisoning
    CRISIS = "crisis"  # suicide or self-harm
    ABUSE = "abuse"  # a disclosure of abuse, assault or violence at home


# How the labelled question sets (whose lines carry a reply kind) teach the router.
ROUTE_OF_KIND = {Kind.ANSWER: Route.INFO, Kind.NO_EVIDENCE: Route.INFO, Kind.CRISIS: Route.CRISIS,
                 Kind.EMERGENCY: Route.EMERGENCY, Kind.PERSONAL_ADVICE: Route.PERSONAL_ADVICE,
                 Kind.ILLICIT: Route.ILLICIT, Kind.OUT_OF_SCOPE: Route.OUT_OF_SCOPE}
