"""The clinician check on the fixture knowledge with the fake embedder."""

import pytest

from bot.errors import InputError
from tests.invariants import UNSAFE_HTML


@pytest.mark.parametrize("text,verdict", [
    ("Ketamine is a proven cure for fibromyalgia.", "overstated"),
    ("Ketamine drips will definitely ease long-lasting pain.", "overstated"),
    ("Ketamine does not work for pain.", "overstated"),
    ("Ketamine may help some people with pain, but the evidence is weak.", "consistent"),
    ("Ketamine never causes bladder problems.", "contradicted"),
    ("Bladder pain only happens in recreational users of ketamine.", "contradicted"),
    ("Gabapentin is the best first choice for nerve pain.", "not_covered"),
    ("La ketamina es un tratamiento probado para la fibromialgia.", "not_covered"),
])
def test_verdicts(engine, text, verdict):
    assert engine.check(text).verdict == verdict


def test_result_carries_explanation_phrasing_and_citations(engine):
    result = engine.check("Ketamine is a proven cure for fibromyalgia.")
    data = result.to_json()
    assert set(data) >= {"verdict", "explanation", "suggested_phrasing", "reading_grade", "jargon",
                         "citations", "snippets"}
    assert "fibro" in data["snippets"][0]["id"]
    assert data["citations"] and data["explanation"].endswith("[1]")
    assert "very uncertain" in data["suggested_phrasing"] or "no clear evidence" in data["suggested_phrasing"].lower()
    assert "proven" not in data["suggested_phrasing"]


def test_consistent_claims_keep_their_own_words(engine):
    text = "Ketamine may help some people with pain, but the evidence is weak."
    assert engine.check(text).suggested_phrasing == text


def test_worst_sentence_decides_and_is_named(engine):
    result = engine.check("Ketamine may help some people with pain. Ketamine never causes bladder problems.")
    assert result.verdict == "contradicted"
    assert result.explanation.startswith("Sentence 2 of 2:")
    assert [c.verdict for c in result.claims] == ["consistent", "contradicted"]


def test_jargon_is_flagged_with_plain_words(engine):
    result = engine.check("Psychotomimetic effects are more common than with placebo.")
    assert ("psychotomimetic", "feeling strange, or seeing or hearing things that are not there") in result.jargon
    assert any(term == "placebo" for term, _ in result.jargon)


def test_reading_grade_is_reported(engine):
    easy = engine.check("Ketamine may help some people with pain.").reading_grade
    hard = engine.check("Intravenous ketamine demonstrates heterogeneous analgesic efficacy "
                        "notwithstanding considerable methodological limitations.").reading_grade
    assert easy < hard


def test_pasted_html_is_never_echoed_unsanitised(engine):
    result = engine.check('<img src=x onerror=alert(1)><script>alert(2)</script>Ketamine is a proven cure.')
    data = result.to_json()
    assert not any(UNSAFE_HTML.search(str(v)) for v in data.values())
    assert data["verdict"] == "overstated"


@pytest.mark.parametrize("bad", ["", "   ", "<p></p>", None])
def test_empty_text_is_an_input_error(engine, bad):
    with pytest.raises(InputError, match="empty"):
        engine.check(bad)


def test_too_many_sentences_is_a_clear_error_and_a_long_handout_is_fine(engine):
    sentence = "Ketamine may help some people with pain. "
    assert len(engine.check(sentence * 150).claims) == 150
    with pytest.raises(InputError, match="too many sentences"):
        engine.check(sentence * 151)
