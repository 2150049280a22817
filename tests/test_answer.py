from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer.compose import Composer, overall_certainty
from bot.answer.render import describe, render_html
from bot.errors import InputError
from bot.knowledge.load import load_knowledge
from bot.search.question import Query
from bot.search.retrieve import Hit, Retrieval
from bot.text import normalize
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.invariants import check_answer

K = load_knowledge(FIXTURE_KNOWLEDGE)


def _retrieval(*ids_and_sims, ranked_extra=()):
    hits = tuple(Hit(K.snippet(i), 1.0 / n, n, n, sim) for n, (i, sim) in enumerate(ids_and_sims, start=1))
    extra = tuple(Hit(K.snippet(i), 0.001, None, None, sim) for i, sim in ranked_extra)
    query = Query("q", "q", "q", "q")
    return Retrieval(query, hits, hits + extra, {}, 0.3)


@pytest.fixture(scope="module")
def composer(engine):
    return Composer(K, engine.messages)


def test_lead_support_and_numbered_citations(composer, engine):
    answer = composer.evidence(_retrieval(("side-effects", 0.8), ("bladder", 0.75)))
    assert [p.snippet.id for p in answer.parts] == ["side-effects", "bladder"]
    assert [c.source.id for c in answer.citations] == ["review-a", "label-c"]
    assert answer.parts[0].numbers == (1, 2) and answer.parts[1].numbers == (2,)
    assert answer.markdown.endswith("when you pee. [2]")
    check_answer(answer, K, engine.messages)


def test_weak_support_is_left_out(composer):
    answer = composer.evidence(_retrieval(("side-effects", 0.8), ("bladder", 0.5)))
    assert [p.snippet.id for p in answer.parts] == ["side-effects"]


def test_near_duplicate_support_is_left_out(composer):
    twin = replace(K.snippet("fibro"), id="fibro-twin")
    hits = (Hit(K.snippet("fibro"), 1.0, 1, 1, 0.8), Hit(twin, 0.9, 2, 2, 0.79))
    retrieval = Retrieval(Query("q", "q", "q", "q"), hits, hits, {}, 0.3)
    assert [p.snippet.id for p in composer.evidence(retrieval).parts] == ["fibro"]


def test_certainty_is_computed_from_cited_snippets(composer, engine):
    assert overall_certainty([K.snippet("review-pain")]) == "low"
    assert overall_certainty([K.snippet("bladder")]) == "not-graded"
    assert overall_certainty([K.snippet("review-pain"), K.snippet("bladder")]) == "low"
    assert overall_certainty([]) == "none"
    mixed = composer.evidence(_retrieval(("review-pain", 0.8), ("clinic-improved", 0.78)))
    assert mixed.certainty == "mixed"
    assert "low and very low" in mixed.certainty_line
    check_answer(mixed, K, engine.messages)


def test_opposed_findings_get_a_studies_disagree_note_saying_why(composer):
    answer = composer.evidence(_retrieval(("review-pain", 0.8), ("clinic-improved", 0.78)))
    assert answer.disagreement.startswith("Studies disagree")
    assert "no comparison group" in answer.disagreement  # trial vs observational explanation
    assert answer.caveats[1] == answer.disagreement


def test_counterpart_with_opposite_finding_is_brought_in(composer):
    # Only the review is a hit; the clinic study is a relevant candidate with the opposite finding.
    answer = composer.evidence(_retrieval(("review-pain", 0.8), ranked_extra=[("clinic-improved", 0.4)]))
    assert [p.snippet.id for p in answer.parts] == ["review-pain", "clinic-improved"]
    assert answer.disagreement
    # Below the bar it is never shown.
    answer = composer.evidence(_retrieval(("review-pain", 0.8), ranked_extra=[("clinic-improved", 0.2)]))
    assert [p.snippet.id for p in answer.parts] == ["review-pain"] and not answer.disagreement


def test_suggestions_come_from_related_snippets_not_shown(composer):
    answer = composer.evidence(_retrieval(("fibro", 0.8), ranked_extra=[("bladder", 0.1), ("magnesium", 0.1)]))
    assert answer.suggestions == ("Can ketamine hurt my bladder?",)  # magnesium is another drug


def test_no_evidence_lists_what_is_covered(composer, engine):
    answer = composer.no_evidence("tell me about gout")
    assert answer.kind == "no_evidence" and answer.covers and answer.suggestions
    assert answer.parts == () and answer.citations == () and answer.certainty == "none"
    check_answer(answer, K, engine.messages)


def test_design_in_plain_words():
    assert describe(K.source("review-a")) == "a review of 67 studies with 2,309 people"
    assert describe(K.source("clinic-b")) == "an observational study with 1,034 people"
    assert describe(K.source("label-c")) == "an official drug label or regulator's notice"


def test_render_html_links_citations_and_sanitises():
    html = render_html("Text [1] <script>alert(1)</script> [x](javascript:alert(2)) <b onclick=x>b</b>", "a1")
    assert '<sup><a href="#a1-src-1">[1]</a></sup>' in html
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html


ADVERSARIAL = st.sampled_from([
    "<script>alert(1)</script> ketamine pain", "[click](javascript:alert(1)) fibro",
    "<img src=x onerror=alert(1)>", "ketamine " + "a" * 3000, "data:text/html,<b>x</b> bladder",
    "\x00\x01 side effects \u202e", "DROP TABLE snippets; -- pain", "ketamine" * 200,
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.one_of(st.text(max_size=300), ADVERSARIAL),
       history=st.lists(st.one_of(st.text(max_size=50), ADVERSARIAL), max_size=6))
def test_composer_never_raises_never_leaks_html_never_cites_missing(engine, question, history):
    try:
        answer = engine.ask(question, history=history)
    except InputError:  # only an empty question, or one over the limit, may be refused
        assert normalize(question) == "" or len(normalize(question)) > engine.settings.max_question_chars
        return
    check_answer(answer, K, engine.messages)
