import pytest

from bot.engine import Engine
from bot.errors import IndexStaleError, InputError
from bot.knowledge.load import load_knowledge
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.fakes import HashEmbedder
from tests.invariants import check_answer

K = load_knowledge(FIXTURE_KNOWLEDGE)
CONTRACT = {"kind", "answer", "answer_html", "certainty", "caveats", "citations", "snippets",
            "suggestions", "understood_as"}


def test_answer_json_has_exactly_the_contract_keys(engine):
    data = engine.ask("does ketamine help fibro").to_json()
    assert set(data) == CONTRACT
    assert data["kind"] == "answer" and data["snippets"][0]["id"] == "fibro"
    assert set(data["citations"][0]) == {"n", "source_id", "title", "url", "doi", "year", "design"}
    assert data["understood_as"] == "does ketamine help fibromyalgia"


def test_crisis_reply_is_fixed_with_locale_numbers(engine):
    us = engine.ask("I want to end my life")
    assert us.kind == "crisis" and us.parts == () and us.citations == ()
    assert "988" in us.intro and "911" in us.intro and us.contacts[0].tel == "988"
    uk = engine.ask("I want to end my life", locale="uk")
    assert "116 123" in uk.intro and "999" in uk.intro and "988" not in uk.intro
    kiosk = engine.ask("I want to end my life", mode="kiosk")
    assert kiosk.intro.endswith(engine.messages["kiosk_staff"])
    check_answer(us, K, engine.messages)


def test_crisis_cannot_be_overridden_by_a_strong_retrieval_match(engine):
    answer = engine.ask("ketamine fibromyalgia pain, I want to kill myself")
    assert answer.kind == "crisis" and answer.parts == ()


def test_emergency_reply_gives_emergency_numbers(engine):
    answer = engine.ask("my friend took too much ketamine and is not breathing")
    assert answer.kind == "emergency" and answer.contacts[0].tel == "911"


def test_personal_advice_gives_general_evidence_and_names_who_decides(engine):
    answer = engine.ask("should I try magnesium tablets for my nerve pain")
    assert answer.kind == "personal_advice"
    assert "prescriber" in answer.intro
    assert answer.parts and answer.parts[0].snippet.id == "magnesium"
    check_answer(answer, K, engine.messages)


def test_illicit_and_off_topic_get_fixed_replies(engine):
    assert engine.ask("where can I buy ketamine online").kind == "illicit"
    off = engine.ask("what is the weather tomorrow")
    assert off.kind == "out_of_scope" and off.parts == ()


def test_in_domain_question_without_evidence_abstains(engine):
    answer = engine.ask("is a drip any good for tinnitus")
    assert answer.kind == "no_evidence"
    assert answer.parts == () and answer.covers
    check_answer(answer, K, engine.messages)


def test_follow_up_is_understood_with_the_earlier_focus(engine):
    answer = engine.ask("what about the bladder?", history=["does ketamine help fibro"])
    assert answer.understood_as == "what about the bladder? (ketamine, fibromyalgia)"
    assert answer.parts[0].snippet.id == "bladder"


def test_suicide_topic_in_an_ordinary_question_adds_help_numbers(engine):
    answer = engine.ask("is ketamine used for fibromyalgia in people with suicidal thoughts")
    assert answer.kind == "answer"
    assert any("988" in c for c in answer.caveats)


def test_timings_cover_every_stage(engine):
    timings = engine.ask("bladder pain").timings
    assert {"expansion", "bm25", "embedding", "vector_search", "fusion", "total"} <= set(timings)
    assert all(v >= 0 for v in timings.values())


def test_empty_question_is_an_input_error(engine):
    with pytest.raises(InputError):
        engine.ask("  \x00 ")


def test_stale_index_error_names_the_rebuild_command(fake_settings, knowledge_copy):

    (knowledge_copy / "lexicon.yaml").write_text((knowledge_copy / "lexicon.yaml").read_text() + "\n")
    settings = fake_settings.replace(knowledge_dir=knowledge_copy)
    with pytest.raises(IndexStaleError, match=f"python -m bot build --knowledge {knowledge_copy} --index"):
        Engine(settings, HashEmbedder())


def test_repeated_question_is_served_from_the_answer_cache(engine):
    first = engine.ask("Bladder  problems after many drips, a cache test?")
    second = engine.ask("bladder problems after many drips, a cache test?")
    assert "cached" not in first.timings and second.timings["cached"] == 1.0
    assert second.to_json() == first.to_json()
    other_locale = engine.ask("bladder problems after many drips, a cache test?", locale="uk")
    assert "cached" not in other_locale.timings


def test_advice_about_something_we_do_not_cover_is_out_of_scope(engine):
    assert engine.ask("how much water should I drink a day").kind == "out_of_scope"
    assert engine.ask("how much magnesium should I take for my pain").kind == "personal_advice"


def test_triage_sees_the_whole_accepted_question(engine):
    padding = "I have had back pain for many years and I have tried a lot of things. " * 27
    question = padding + "Honestly I want to end my life."
    assert 1800 < question.index("end my life") < engine.settings.max_question_chars
    assert engine.ask(question).kind == "crisis"


def test_a_question_over_the_limit_is_refused_not_cut(engine):
    with pytest.raises(InputError, match="too long"):
        engine.ask("does ketamine help pain " * 200)


def test_a_question_runs_the_model_once_even_without_caches(fake_settings):
    """The router and the search share the question's vector: no second model run per question."""
    from bot.search.retrieve import RetrievalConfig

    embedder = HashEmbedder()
    engine = Engine(fake_settings.replace(answer_cache=0), embedder, RetrievalConfig(embedding_cache=0))
    before = embedder.calls
    engine.ask("does ketamine help nerve pain")
    assert embedder.calls - before == 1


def test_the_engine_keeps_blas_to_one_thread(engine):
    """Its threads would spin against ONNX Runtime's on every question (see Engine.__init__)."""
    from threadpoolctl import threadpool_info

    assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")
