import datetime as dt

from bot.knowledge.lint import hedge_problems, lint, plain_text, reading_grade
from tests.conftest import FIXTURE_KNOWLEDGE

TODAY = dt.date(2026, 11, 23)


def test_fixture_knowledge_is_clean():
    assert [str(p) for p in lint(FIXTURE_KNOWLEDGE, today=TODAY)] == []


def test_hedges_must_match_certainty():
    assert hedge_problems("Ketamine eases pain.", "low")
    assert not hedge_problems("Ketamine may ease pain.", "low")
    assert hedge_problems("Ketamine may ease pain.", "very-low")
    assert not hedge_problems("We are very uncertain whether it eases pain.", "very-low")
    assert hedge_problems("It eases pain.", "moderate")
    assert not hedge_problems("It probably eases pain.", "moderate")
    assert not hedge_problems("It eases pain.", "high")


def test_overclaims_are_flagged_unless_negated():
    assert hedge_problems("Ketamine is a proven cure. It may help.", "low")
    assert hedge_problems("The review shows ketamine does not work. It may not help.", "low")
    assert not hedge_problems("Ketamine is not a cure, and it may not help.", "low")
    assert not hedge_problems("This does not mean it does not work. It may help.", "low")


def test_reading_grade_separates_plain_from_dense_text():
    plain = "Ketamine is a medicine. Doctors use it to put people to sleep for surgery."
    dense = ("Methodological heterogeneity substantially compromised the interpretability of "
             "pharmacological efficacy estimates across randomised investigations.")
    assert reading_grade(plain) < 9 < reading_grade(dense)


def test_plain_text_strips_markdown():
    assert plain_text("- **Bold** [link](https://x.org) _it_") == "Bold link it"


def _edit(path, old, new):
    path.write_text(path.read_text().replace(old, new))


def test_lint_reports_problems_with_path_and_field(knowledge_copy):
    path = knowledge_copy / "snippets" / "evidence" / "fibro.md"
    _edit(path, "We are very uncertain whether it helps", "It definitely helps")
    _edit(path, "  - is it good for widespread body pain\n", "")
    _edit(knowledge_copy / "sources.yaml", "doi: 10.1000/fixture.1", "doi: fixture-1")
    found = {(p.path, p.field) for p in lint(knowledge_copy, today=TODAY) if p.level == "error"}
    assert (str(path), "certainty") in found
    assert (str(path), "questions") in found
    assert (str(knowledge_copy / "sources.yaml") + "[review-a]", "doi") in found


def test_unused_source_is_an_error(knowledge_copy):
    with open(knowledge_copy / "sources.yaml", "a") as f:
        f.write("- id: lonely\n  title: T\n  authors: A\n  year: 2020\n  url: https://example.org/x\n"
                "  design: news\n  checked: 2026-11-01\n")
    problems = [p for p in lint(knowledge_copy, today=TODAY) if "lonely" in p.path]
    assert [p.message for p in problems] == ["no snippet cites this source"]


def test_long_and_hard_bodies_fail_the_bars(knowledge_copy):
    path = knowledge_copy / "snippets" / "safety" / "magnesium.md"
    hard = ("Pharmacological heterogeneity notwithstanding, investigators characterised magnesium "
            "supplementation as equivocally efficacious. ") * 12
    _edit(path, "Trials of magnesium for nerve pain were small.", hard)
    messages = [p.message for p in lint(knowledge_copy, today=TODAY) if p.path == str(path)]
    assert any("words (at most 120)" in m for m in messages)
    assert any("reading grade" in m for m in messages)


def test_old_check_dates_warn_after_the_review_period():
    later = dt.date(2028, 1, 1)
    problems = lint(FIXTURE_KNOWLEDGE, review_months=12, today=later)
    assert problems and all(p.level == "warning" and p.field == "checked" for p in problems)
    assert lint(FIXTURE_KNOWLEDGE, review_months=24, today=later) == []
