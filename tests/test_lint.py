import datetime as dt

import pytest

from bot.knowledge.lint import (
    hedge_problems,
    host_listed,
    level_problems,
    lint,
    plain_text,
    reading_grade,
    reported_levels,
    source_hosts,
)
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


# --- certainty tags against the levels a body reports

@pytest.mark.parametrize("text,tag", [
    ("The review rated the evidence low or very low certainty. It may help.", "low"),
    ("It may ease pain. Summaries put the certainty at low to very low.", "low"),
    ("Both reviews rated their evidence low or very low, so it may change.", "low"),
    ("It probably helps, but the evidence is very low.", "moderate"),
    ("It may help; the certainty was low.", "moderate"),
    ("The trials were high quality, but one was very-low certainty. It may help.", "low"),
])
def test_a_tag_above_the_weakest_level_the_text_reports_is_an_error(text, tag):
    problems = level_problems(text, tag)
    assert len(problems) == 1 and f"tagged '{tag}'" in problems[0]


@pytest.mark.parametrize("text,tag", [
    ("The review rated the evidence low or very low certainty. We are very uncertain.", "very-low"),
    ("A 2022 review found less pain, at low certainty. It may help.", "low"),
    ("A guideline found moderate evidence for CRPS, but the 2025 review is low certainty. It may help.", "low"),
    ("There is little evidence that it helps low back pain. It may not.", "low"),  # a condition, not a rating
    ("Some pain clinics give it in low doses. It may raise blood pressure.", "low"),
    ("Ketamine can raise blood pressure, and high doses may cause confusion.", "moderate"),
    ("Low certainty evidence, the guideline said.", "not-graded"),  # not graded: not a GRADE tag to check
])
def test_a_tag_at_or_below_the_levels_reported_passes(text, tag):
    assert level_problems(text, tag) == []


def test_reported_levels_name_the_words_that_report_them():
    found = reported_levels("The Cochrane review rated its evidence low to very low. Such evidence is very low certainty.")
    assert {level for level, _ in found} == {"low", "very-low"}
    assert all("low" in words for _, words in found)


def test_the_certainty_class_of_error_is_found_by_lint(knowledge_copy):
    path = knowledge_copy / "snippets" / "evidence" / "review-pain.md"
    _edit(path, "but the results are unclear.", "but the results are unclear. The evidence was low or very low certainty.")
    found = [p for p in lint(knowledge_copy, today=TODAY) if p.path == str(path)]
    assert [(p.field, p.level) for p in found] == [("certainty", "error")]
    assert "'very-low'" in found[0].message


# --- source hosts: a reviewed list in knowledge/lint.yaml

HOSTS = "source_hosts:\n  doi_resolvers: [doi.org]\n  pubmed_pmc: [pubmed.ncbi.nlm.nih.gov]\n  regulators: [fda.gov]\n"


def test_a_source_on_a_host_off_the_reviewed_list_is_a_warning(knowledge_copy):
    (knowledge_copy / "lint.yaml").write_text(HOSTS)
    found = [p for p in lint(knowledge_copy, today=TODAY) if p.field == "url"]
    assert [(p.path.rsplit("[", 1)[1], p.level) for p in found] == [("label-c]", "warning")]  # example.org
    assert "'example.org' is not on the reviewed list" in found[0].message
    assert [p for p in lint(knowledge_copy, today=TODAY) if p.level == "error"] == []


def test_listed_hosts_cover_their_subdomains():
    hosts = ("fda.gov", "doi.org")
    assert host_listed("www.fda.gov", hosts) and host_listed("accessdata.fda.gov", hosts)
    assert host_listed("doi.org", hosts) and host_listed("DOI.ORG.", hosts)
    assert not host_listed("notfda.gov", hosts) and not host_listed("fda.gov.example.com", hosts)


def test_without_a_lists_file_hosts_are_not_checked(knowledge_copy):
    assert not (knowledge_copy / "lint.yaml").exists()
    assert source_hosts(knowledge_copy) == (None, [])
    assert [p for p in lint(knowledge_copy, today=TODAY) if p.field == "url"] == []


def test_a_broken_lists_file_is_an_error_naming_its_field(knowledge_copy):
    (knowledge_copy / "lint.yaml").write_text("source_hosts: [doi.org]\nhosts: {}\n")
    found = {(p.path.rsplit("/", 1)[1], p.field, p.level) for p in lint(knowledge_copy, today=TODAY)}
    assert ("lint.yaml", "source_hosts", "error") in found
    assert ("lint.yaml", "hosts", "error") in found


def test_the_real_lists_file_keeps_every_host_group_the_rule_names():
    from bot.settings import Settings

    hosts, problems = source_hosts(Settings().knowledge_dir)
    assert problems == [] and hosts
    for host in ("doi.org", "pubmed.ncbi.nlm.nih.gov", "dailymed.nlm.nih.gov", "fda.gov", "asahq.org"):
        assert host_listed(host, hosts), host
