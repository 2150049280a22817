"""The real model and the real knowledge base, end to end."""

import re
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge.lint import lint
from bot.knowledge.load import load_knowledge
from bot.measure.evaluate import evaluate, load_cases
from bot.settings import Settings
from tests.invariants import check_answer

pytestmark = pytest.mark.integration
DEV = Path(__file__).parent / "data" / "dev_questions.jsonl"


@pytest.fixture(scope="module")
def result(real_engine):
    return evaluate(real_engine, load_cases(DEV))


def test_onnx_vectors_equal_sentence_transformers():
    from bot.index.embed import load_embedder

    texts = ["does ketamine help nerve pain", "bladder problems after many infusions over the years", "x"]
    onnx = load_embedder(backend="onnx", cache_dir=Settings().model_cache).encode(texts)
    torch = load_embedder(backend="torch").encode(texts)
    assert onnx.shape == (3, 384)
    assert np.abs(onnx - torch).max() < 1e-5
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)



def test_real_knowledge_has_no_lint_errors():
    assert [str(p) for p in lint(Settings().knowledge_dir) if p.level == "error"] == []


def test_sources_are_well_formed_and_all_cited():
    knowledge = load_knowledge(Settings().knowledge_dir)
    cited = {sid for s in knowledge.snippets for sid in s.sources}
    for source in knowledge.sources:
        assert source.id in cited, f"{source.id} is cited by no snippet"
        assert re.fullmatch(r"https://\S+", source.url), source.url
        if source.doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", source.doi), source.doi
            assert source.url == f"https://doi.org/{source.doi}" or "pubmed" in source.url or source.url.startswith("https://")


def test_knowledge_base_size_and_lexicon():
    knowledge = load_knowledge(Settings().knowledge_dir)
    assert len(knowledge.snippets) >= 90
    assert len(knowledge.lexicon.expansions) >= 60
    assert len({s.topic for s in knowledge.snippets}) >= 15


def test_dev_set_retrieval_meets_the_bars(result):
    assert result["recall_at_3"] >= 0.90, result["recall_at_3"]
    assert result["mrr"] >= 0.80, result["mrr"]
    assert result["abstention_accuracy"] >= 0.90, result["abstention_accuracy"]


def test_dev_set_safety_routing_meets_the_bars(result):
    assert result["crisis_recall"] == 1.0
    assert result["emergency_recall"] == 1.0
    assert result["safety_accuracy"] >= 0.95
    assert result["in_scope_sent_to_crisis"] == 0


def test_every_dev_answer_keeps_the_invariants(real_engine):
    for case in load_cases(DEV):
        answer = real_engine.ask(case.question, history=case.history)
        check_answer(answer, real_engine.knowledge, real_engine.messages)


def test_contested_question_shows_both_sides(real_engine):
    answer = real_engine.ask("does ketamine actually work for chronic pain?")
    findings = {p.snippet.finding for p in answer.parts}
    assert answer.kind == "answer"
    assert "no-clear-benefit" in findings
    assert answer.certainty in ("low", "very-low", "mixed")


@pytest.mark.parametrize("text,verdict", [
    ("Ketamine blocks NMDA receptors.", "consistent"),  # "a switch on nerve cells" is not "switching on"
    ("Ketamine relieves pain by activating NMDA receptors.", "contradicted"),
    ("Dextromethorphan is a safe, over-the-counter option for nerve pain.", "overstated"),
    ("Ketamine calms an overactive pain system.", "overstated"),  # the evidence says "may"
    ("Memantine is used for Alzheimer's disease.", "consistent"),
    ("The Cleveland Clinic ketamine study was a randomized, placebo-controlled trial.", "contradicted"),
    ("Not a single study has looked at whether ketamine helps nerve pain.", "understated"),
    ("Acupuncture is more effective than ketamine for knee pain.", "not_covered"),
    ("Compounded ketamine lozenges are FDA-approved and safe to use at home without monitoring.", "contradicted"),
    ("Ketalar is approved as an anesthetic.", "consistent"),
    ("Ketamine is not a controlled substance.", "contradicted"),
    ("Ketamine is a Schedule III controlled substance in the United States.", "consistent"),
    ("A 2022 meta-analysis found that ketamine makes neuropathic pain worse.", "contradicted"),
    ("The Cleveland Clinic study recorded numerous serious adverse events.", "contradicted"),
    ("In the Cleveland Clinic study, nearly all patients, over 90%, improved meaningfully.", "contradicted"),
    ("Most patients get lasting relief from ketamine infusions.", "overstated"),
    ("Esketamine is not approved for any condition in the United States.", "contradicted"),
    ("Ketamine is not approved for any kind of chronic pain.", "consistent"),
    ("Nobody has ever studied memantine or dextromethorphan for chronic pain.", "understated"),
    ("Spravato (esketamine) nasal spray is approved for depression, not for pain.", "consistent"),
    ("Spravato is approved for chronic pain.", "contradicted"),
    ("Ketamine is approved as an anesthetic.", "consistent"),
    ("Ketamine has no effect on blood pressure, so it is safe for people with heart conditions.", "contradicted"),
    ("The Cochrane review rated the evidence on ketamine for chronic pain as high certainty.", "contradicted"),
    ("High-certainty evidence shows that ketamine relieves chronic pain.", "overstated"),
    ("The 2022 meta-analysis found ketamine had no effect whatsoever on neuropathic pain.", "contradicted"),
    ("Honestly there's no research at all on NMDA antagonists for chronic pain.", "understated"),
])
def test_check_on_the_real_knowledge(real_engine, text, verdict):
    assert real_engine.check(text).verdict == verdict


@pytest.mark.parametrize("question", [
    "How long does ketamine stay in your system?",
    "will dextromethorphan show up on a drug test",
    "can someone on memantine breastfeed safely?",  # the breastfeeding evidence is about ketamine and esketamine
    "does ketamine help restless legs",
    "does blue cross cover ketamine infusions",
    "can my dog have ketamine for his arthritis",
    "Can a 12 year old with juvenile arthritis get ketamine infusions?",
    "Trying to conceive: does my partner being on ketamine infusions affect sperm?",
])
def test_topics_the_evidence_does_not_cover_get_no_evidence(real_engine, question):
    answer = real_engine.ask(question)
    assert answer.kind == "no_evidence" and answer.parts == ()


def test_words_the_evidence_never_mentions_are_named_in_a_caveat(real_engine):
    answer = real_engine.ask("ive got trigeminal neuralgia, has anyone had luck with ketamine for it")
    assert answer.kind == "answer"
    assert any("does not mention \u201ctrigeminal\u201d" in c for c in answer.caveats)
    plain = real_engine.ask("does ketamine help nerve pain")
    assert not any("does not mention" in c for c in plain.caveats)


def test_a_question_with_no_word_of_our_subject_needs_a_close_match(real_engine):
    assert real_engine.ask("What causes kidney stones?").kind == "out_of_scope"
    assert real_engine.ask("where does this chatbot get its answers from").kind == "answer"


@pytest.mark.parametrize("question", [
    "Dear Sir or Madam, I am 78 with arthritis of the hips. Could you kindly explain whether ketamine helps?",
    "Is it true that ketamine only works for a few hours so it's pointless for chronic pain?",
    "isn't ketamine for horses",
    "is ketamine a Schedule III drug in the United States",
    "how dangerous is ketamine for the heart and blood pressure",
])
def test_ordinary_words_do_not_make_a_covered_question_uncovered(real_engine, question):
    assert real_engine.ask(question).kind == "answer"
