"""Every row of knowledge/verdicts.yaml decides at least one case here (as the first row that
matches it): removing or reordering a row so that another decides, or adding a row without a case,
fails this file."""

import pytest

from bot.check.table import KEYS, Case, Table, relation, share, size
from bot.enums import Certainty, Verdict
from bot.knowledge.check_rules import Evidence, Relation, Row, Share, Stance, Strength
from bot.knowledge.load import load_knowledge
from bot.settings import Settings

S, St, E, C = Stance, Strength, Evidence, Certainty
TABLE = Table(load_knowledge(Settings().knowledge_dir).verdicts)


def case(stance, strength=St.FIRM, evidence=E.NONE, certainty=C.NOT_GRADED, **keys):
    keys.setdefault("relation", relation(strength, certainty))
    return Case(stance, strength, evidence, certainty, **keys)


# row id -> a case that row must decide, and the verdict
CASES = {
    "comparison-head-to-head": (case(S.BENEFIT, comparison=True, evidence=E.MIXED), Verdict.NOT_COVERED),
    "acute-setting": (case(S.BENEFIT, acute=True, evidence=E.UNCERTAIN), Verdict.NOT_COVERED),
    "opposed-statement": (case(S.FACT, evidence=E.OPPOSED), Verdict.CONTRADICTED),
    "worsens": (case(S.WORSENS, evidence=E.NO_CLEAR_BENEFIT, certainty=C.LOW), Verdict.CONTRADICTED),
    "benefit-named-misreported": (case(S.BENEFIT, St.REPORTED, E.NO_CLEAR_BENEFIT, C.LOW, named=True),
                                  Verdict.CONTRADICTED),
    "benefit-named-majority": (case(S.BENEFIT, St.REPORTED, E.BENEFIT, C.VERY_LOW, named=True, share=Share.MAJORITY),
                               Verdict.CONTRADICTED),
    "benefit-share-above": (case(S.BENEFIT, evidence=E.MIXED, certainty=C.LOW, share=Share.ABOVE), Verdict.OVERSTATED),
    "benefit-share-below": (case(S.BENEFIT, St.REPORTED, E.BENEFIT, C.VERY_LOW, share=Share.BELOW),
                            Verdict.UNDERSTATED),
    "benefit-size-above": (case(S.BENEFIT, evidence=E.BENEFIT, certainty=C.LOW, size=Share.ABOVE), Verdict.OVERSTATED),
    "benefit-size-within": (case(S.BENEFIT, evidence=E.BENEFIT, certainty=C.LOW, size=Share.WITHIN),
                            Verdict.CONSISTENT),
    "benefit-strong": (case(S.BENEFIT, St.STRONG, E.MIXED, C.LOW), Verdict.OVERSTATED),
    "benefit-share-within": (case(S.BENEFIT, evidence=E.BENEFIT, certainty=C.VERY_LOW, share=Share.WITHIN),
                             Verdict.CONSISTENT),
    "benefit-reported": (case(S.BENEFIT, St.REPORTED, E.BENEFIT, C.LOW), Verdict.CONSISTENT),
    "benefit-unsupported": (case(S.BENEFIT, St.FIRM, E.NONE), Verdict.NOT_COVERED),
    "benefit-above-certainty": (case(S.BENEFIT, St.FIRM, E.UNCERTAIN, C.LOW), Verdict.OVERSTATED),
    "benefit-at-certainty": (case(S.BENEFIT, St.HEDGED, E.UNCERTAIN, C.LOW), Verdict.CONSISTENT),
    "no-benefit-named-found-benefit": (case(S.NO_BENEFIT, St.REPORTED, E.MIXED, C.LOW, named=True),
                                       Verdict.CONTRADICTED),
    "no-benefit-against-firm-benefit": (case(S.NO_BENEFIT, St.FIRM, E.BENEFIT, C.MODERATE), Verdict.CONTRADICTED),
    "no-benefit-hedged": (case(S.NO_BENEFIT, St.HEDGED, E.NO_CLEAR_BENEFIT, C.LOW), Verdict.CONSISTENT),
    "no-benefit-firm-evidence": (case(S.NO_BENEFIT, St.FIRM, E.NO_CLEAR_BENEFIT, C.HIGH), Verdict.CONSISTENT),
    "no-benefit-unsupported": (case(S.NO_BENEFIT, St.FIRM, E.NONE), Verdict.NOT_COVERED),
    "no-benefit-overstated": (case(S.NO_BENEFIT, St.FIRM, E.NO_CLEAR_BENEFIT, C.LOW), Verdict.OVERSTATED),
    "gap-against-firm-benefit": (case(S.GAP, evidence=E.BENEFIT, certainty=C.MODERATE), Verdict.UNDERSTATED),
    "gap-stated": (case(S.NO_EVIDENCE, evidence=E.STATED), Verdict.CONSISTENT),
    "gap-unsupported": (case(S.GAP, evidence=E.NONE), Verdict.NOT_COVERED),
    "gap-at-certainty": (case(S.GAP, evidence=E.NO_CLEAR_BENEFIT, certainty=C.LOW), Verdict.CONSISTENT),
    "no-evidence-but-trials": (case(S.NO_EVIDENCE, evidence=E.UNCERTAIN, certainty=C.LOW, trials=True),
                               Verdict.UNDERSTATED),
    "no-evidence-unsupported": (case(S.NO_EVIDENCE, evidence=E.NONE), Verdict.NOT_COVERED),
    "certainty-named-above": (case(S.CERTAINTY, St.FIRM, E.NO_CLEAR_BENEFIT, C.LOW, named=True),
                              Verdict.CONTRADICTED),
    "certainty-above": (case(S.CERTAINTY, St.FIRM, E.MIXED, C.LOW), Verdict.OVERSTATED),
    "certainty-below": (case(S.CERTAINTY, St.HEDGED, E.BENEFIT, C.HIGH), Verdict.UNDERSTATED),
    "certainty-matches": (case(S.CERTAINTY, St.HEDGED, E.NO_CLEAR_BENEFIT, C.LOW, named=True), Verdict.CONSISTENT),
    "harm-confined-to-misuse": (case(S.CONFINED_HARM, evidence=E.HARM), Verdict.CONTRADICTED),
    "harm-mainly-in-misuse": (case(S.PARTLY_CONFINED_HARM, evidence=E.HARM), Verdict.UNDERSTATED),
    "harm-minimised": (case(S.MINIMISED_HARM, evidence=E.HARM, certainty=C.LOW), Verdict.UNDERSTATED),
    "harm-minimised-unclear": (case(S.MINIMISED_HARM, evidence=E.UNCERTAIN, certainty=C.LOW), Verdict.CONSISTENT),
    "no-harm-named-recorded": (case(S.NO_HARM, St.REPORTED, E.UNCERTAIN, C.VERY_LOW, named=True),
                               Verdict.CONSISTENT),
    "no-harm-named-occurred": (case(S.NO_HARM, St.FIRM, E.UNCERTAIN, C.VERY_LOW, named=True), Verdict.OVERSTATED),
    "no-harm-reported-stated": (case(S.NO_HARM, St.REPORTED, E.STATED), Verdict.CONSISTENT),
    "no-harm-denies-reported-harm": (case(S.NO_HARM, St.FIRM, E.HARM, C.LOW), Verdict.CONTRADICTED),
    "no-harm-unclear": (case(S.SAFE, St.FIRM, E.UNCERTAIN, C.LOW), Verdict.OVERSTATED),
    "safe-hedged": (case(S.SAFE, St.HEDGED, E.HARM, C.LOW), Verdict.UNDERSTATED),
    "safe-against-harm": (case(S.SAFE, St.STRONG, E.HARM, C.LOW), Verdict.OVERSTATED),
    "harm-named-none-recorded": (case(S.HARM, St.REPORTED, E.UNCERTAIN, C.VERY_LOW, named=True),
                                 Verdict.CONTRADICTED),
    "harm-share-above": (case(S.HARM, evidence=E.HARM, share=Share.ABOVE), Verdict.OVERSTATED),
    "harm-share-below": (case(S.HARM, evidence=E.HARM, share=Share.BELOW), Verdict.UNDERSTATED),
    "harm-strong": (case(S.HARM, St.STRONG, E.HARM), Verdict.OVERSTATED),
    "harm-reported": (case(S.HARM, St.FIRM, E.HARM, C.NOT_GRADED), Verdict.CONSISTENT),
    "harm-unclear-firm": (case(S.HARM, St.FIRM, E.NO_CLEAR_HARM, C.LOW), Verdict.OVERSTATED),
    "harm-unclear-hedged": (case(S.HARM, St.HEDGED, E.UNCERTAIN, C.LOW), Verdict.CONSISTENT),
    "fact-share-above": (case(S.FACT, evidence=E.STATED, share=Share.ABOVE), Verdict.OVERSTATED),
    "fact-share-below": (case(S.FACT, evidence=E.STATED, share=Share.BELOW), Verdict.UNDERSTATED),
    "stated": (case(S.FACT, evidence=E.STATED), Verdict.CONSISTENT),
    "unsupported": (case(S.FACT, evidence=E.NONE), Verdict.NOT_COVERED),
}


@pytest.mark.parametrize("row_id", sorted(CASES))
def test_the_row_decides_its_case(row_id):
    given, verdict = CASES[row_id]
    row = TABLE.decide(given)
    assert (row.id, row.verdict) == (row_id, verdict)


def test_every_row_has_a_case_and_every_case_a_row():
    ids = [r.id for r in TABLE.rows]
    assert set(ids) == set(CASES), (f"rows without a case: {sorted(set(ids) - set(CASES))}; "
                                    f"cases without a row: {sorted(set(CASES) - set(ids))}")


def test_the_last_row_decides_anything_left():
    last = TABLE.rows[-1]
    assert all(getattr(last, key) is None for key in KEYS) and last.verdict == Verdict.NOT_COVERED


def test_row_keys_are_case_fields():
    assert set(KEYS) <= set(Case.__dataclass_fields__) and set(KEYS) <= set(Row.model_fields)


@pytest.mark.parametrize("strength,certainty,expected", [
    (St.FIRM, C.LOW, Relation.ABOVE), (St.PROBABLE, C.LOW, Relation.ABOVE), (St.HEDGED, C.LOW, Relation.EQUAL),
    (St.HEDGED, C.VERY_LOW, Relation.EQUAL), (St.PROBABLE, C.MODERATE, Relation.EQUAL),
    (St.HEDGED, C.HIGH, Relation.BELOW), (St.REPORTED, C.VERY_LOW, Relation.EQUAL),
    (St.FIRM, C.NOT_GRADED, Relation.ABOVE),
])
def test_relation_on_the_grade_ladder(strength, certainty, expected):
    assert relation(strength, certainty) == expected


def test_shares_against_the_studies_range():
    cleveland = (0.203, 0.464)
    assert share(0.8, cleveland, benefit=True, attributed=False, named=False) == Share.ABOVE
    assert share(0.7, cleveland, benefit=True, attributed=True, named=True) == Share.MAJORITY
    assert share(0.1, cleveland, benefit=True, attributed=True, named=True) == Share.BELOW
    assert share(0.2, cleveland, benefit=True, attributed=True, named=True) == Share.WITHIN
    assert share(0.46, cleveland, benefit=True, attributed=False, named=False) == Share.ABOVE  # best case as the rule
    assert share(0.6, (), benefit=False, attributed=False, named=False, harm=True) == Share.ABOVE  # no figure
    assert share(0.46, cleveland, benefit=True, attributed=False, named=False, at_most=True) == Share.WITHIN  # "up to"
    assert share(0.1, cleveland, benefit=True, attributed=True, named=True, at_most=True) == Share.BELOW  # "at most"
    assert share(None, cleveland, benefit=True, attributed=False, named=False) == Share.NONE
    assert size(5.0, (2.14, 1.68)) == Share.ABOVE and size(1.8, (2.14,)) == Share.WITHIN
