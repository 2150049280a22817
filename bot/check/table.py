"""The verdict table (knowledge/verdicts.yaml): the claim's reading and what the evidence says become
a `Case`; the first row whose every given key matches decides the verdict and the reason."""

from __future__ import annotations

from dataclasses import dataclass, fields

from bot.enums import Certainty
from bot.knowledge.check_rules import Evidence, Relation, Row, Share, Stance, Strength, VerdictsFile

KEYS = ("stance", "strength", "evidence", "certainty", "relation", "named", "share", "size", "absolute",
        "interaction", "comparison", "acute", "trials")


@dataclass(frozen=True)
class Case:
    stance: Stance
    strength: Strength
    evidence: Evidence
    certainty: Certainty = Certainty.NOT_GRADED
    relation: Relation = Relation.EQUAL
    named: bool = False
    share: Share = Share.NONE
    size: Share = Share.NONE
    absolute: bool = False
    interaction: bool = False
    comparison: bool = False
    acute: bool = False
    trials: bool = False


class Table:
    def __init__(self, data: VerdictsFile):
        self.rows = tuple(data.rows)

    def decide(self, case: Case) -> Row:
        for row in self.rows:
            if matches(row, case):
                return row
        raise LookupError(f"no row of verdicts.yaml matches {case}")  # the last row should match anything


def matches(row: Row, case: Case) -> bool:
    for key in KEYS:
        wanted = getattr(row, key)
        if wanted is None:
            continue
        value = getattr(case, key)
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif wanted != value:
            return False
    return True


def relation(strength: Strength, certainty: Certainty) -> Relation:
    """The claim's strength against the evidence's certainty on the GRADE ladder. "May" and "very
    uncertain" both sit at the uncertain end, level with low and very low evidence; a report of what
    a study found stands level with it; evidence not graded counts as very low."""
    claim, evidence = strength.rank, max(certainty.rank, 1)
    if strength == Strength.REPORTED or (claim <= 2 and evidence <= 2):
        return Relation.EQUAL
    return Relation.ABOVE if claim > evidence else Relation.BELOW if claim < evidence else Relation.EQUAL


def share(claimed: float | None, shares: tuple[float, ...], *, benefit: bool, attributed: bool, named: bool,
          at_most: bool = False, harm: bool = False, wide: float = 0.05) -> Share:
    """A claimed share of patients against the range the evidence reports. `at_most`: the claim gives
    an upper bound ("up to 46%"); `harm`: "most" with no figure behind it claims too much."""
    if claimed is None:
        return Share.NONE
    if not shares:
        return Share.ABOVE if harm and claimed >= 0.5 else Share.NONE
    low, high = min(shares), max(shares)
    if claimed > high + wide:
        return Share.MAJORITY if named and claimed >= 0.5 > high else Share.ABOVE
    if claimed < low - wide:
        return Share.BELOW
    if benefit and not attributed and not at_most and low < high and claimed > (low + high) / 2:
        return Share.ABOVE  # the best case of one study, stated as the rule
    return Share.WITHIN


def size(claimed: float | None, sizes: tuple[float, ...]) -> Share:
    """An effect size claimed (points on a pain scale) against the sizes the studies found."""
    if claimed is None or not sizes:
        return Share.NONE
    return Share.ABOVE if claimed > max(sizes) + 0.5 else Share.WITHIN


def case_keys() -> tuple[str, ...]:
    """The keys a row may use, in the order of the Case record (for docs and tests)."""
    return tuple(f.name for f in fields(Case))

