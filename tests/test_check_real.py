"""The clinician check on the real knowledge base (with the fast fake embedder: only the rare-word
coverage signal uses vectors). Wordings from issue 14, rewrites, and whole handouts."""

import json
import re
from pathlib import Path

import pytest

from bot.engine import Engine, build_index
from bot.enums import Verdict
from bot.knowledge.lint import reading_grade
from bot.search.retrieve import RetrievalConfig
from bot.settings import Settings
from tests.fakes import HashEmbedder

DATA = Path(__file__).parent / "data"
CHECK_SETS = sorted(DATA.glob("*check*.jsonl"))


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("real-fake") / "index")
    build_index(settings, HashEmbedder())
    return Engine(settings, HashEmbedder(), RetrievalConfig(min_similarity=0.2))


@pytest.mark.parametrize("text,verdict", [
    # careful, hedged sentences are not overstated
    ("The lead author stressed that the review does not show that ketamine fails, only that the evidence is "
     "very uncertain.", "consistent"),
    ("A large review found little convincing evidence that ketamine relieves chronic pain.", "consistent"),
    ("Ketamine is approved as an anaesthetic but not yet as a pain treatment.", "consistent"),
    ("It remains uncertain whether NMDA receptor antagonists reduce chronic pain.", "consistent"),
    # a claim no snippet states is not consistent because a snippet on the topic exists
    ("Infusions are usually covered by insurance.", "not_covered"),
    ("Most patients need only one infusion.", "not_covered"),
    ("Ketamine reverses opioid tolerance, allowing patients to cut back on their opioids.", "overstated"),
    # the label evidence contradicts a denial of abuse and dependence
    ("Ketamine has no potential for abuse or dependence.", "contradicted"),
    ("Ketamine is non-habit forming at therapeutic doses.", "contradicted"),
    # "can" is not a hedge: an unhedged benefit is overstated against low-certainty evidence
    ("Ketamine can ease pain for a few weeks.", "overstated"),
    ("Ketamine works.", "overstated"),
    ("Ketamine may ease nerve pain for a few weeks, but the evidence is weak.", "consistent"),
])
def test_issue_14_wordings(real, text, verdict):
    assert real.check(text).verdict == verdict


@pytest.mark.parametrize("text,verdict", [
    # the medicine a claim is about is the one it names first; one mentioned in passing ("related to
    # ketamine") is not its subject, so Ketalar's approval as an anaesthetic cannot deny it
    ("Esketamine, a nasal spray made from one half of the ketamine molecule, is approved for depression that "
     "has not responded to other treatment.", "consistent"),
    ("Spravato, which is related to ketamine, has FDA approval for treatment-resistant depression.", "consistent"),
    # a claim whose subject is ketamine itself is still contradicted by ketamine's own approvals
    ("Ketamine is approved only for depression.", "contradicted"),
    ("Ketalar is approved for chronic pain.", "contradicted"),
    # an opposite word contradicts only when said of the same thing ("activates" against "blocks" the
    # NMDA receptor), not of another ("raises the risk" against "lowered pain, at low certainty")
    ("Ketamine activates NMDA receptors in the nervous system.", "contradicted"),
    ("Ketamine may raise the risk of side effects, low certainty evidence.", "consistent"),
])
def test_only_a_sentence_about_the_claims_own_medicine_contradicts_it(real, text, verdict):
    assert real.check(text).verdict == verdict


def test_a_pasted_paragraph_flags_the_unhedged_sentence_too(real):
    text = ("Ketamine works for chronic pain. It can ease pain for a few weeks. "
            "It may help some people, but the evidence is weak.")
    assert [c.verdict for c in real.check(text).claims] == ["overstated", "overstated", "consistent"]


def test_rewrites_use_no_jargon_and_never_repeat_the_claim(real):
    jargon = real.checker.rewriter.find_jargon
    for text in ("Memantine is an effective adjunct for neuropathic pain.",
                 "Psychotomimetic adverse events and hepatotoxicity are rare sequelae of repeated ketamine exposure.",
                 "Most patients need only one infusion."):
        result = real.check(text).claims[0]
        assert not jargon(result.suggested_phrasing), result.suggested_phrasing
        assert not re.search(r"\bNo\.$", result.suggested_phrasing)
        if result.verdict != Verdict.CONSISTENT:
            assert result.suggested_phrasing.strip().lower() != text.lower()


def test_rewrites_on_every_labelled_sentence_meet_the_bars(real):
    """No jargon, not the claim again, a whole sentence; reading grade 8 or below for nearly all."""
    jargon, rewrites, over_grade = real.checker.rewriter.find_jargon, 0, []
    for path in CHECK_SETS:
        for line in path.read_text().splitlines():
            text = json.loads(line)["text"]
            for claim in real.check(text).claims:
                phrasing = claim.suggested_phrasing
                if claim.verdict in (Verdict.CONSISTENT, Verdict.NOT_COVERED) or not phrasing:
                    continue
                rewrites += 1
                assert not jargon(phrasing), (text, phrasing)
                assert phrasing.strip().lower() != claim.claim.strip().lower()
                assert phrasing.rstrip().endswith((".", "!")) and not phrasing.rstrip().endswith("?")
                if reading_grade(phrasing) > 8.0:
                    over_grade.append(phrasing)
    assert rewrites > 150
    assert len(over_grade) <= 0.1 * rewrites, over_grade


def test_a_handout_gets_a_verdict_per_sentence_and_the_worst_on_top(real):
    lines = [json.loads(line)["text"] for line in (DATA / "v5_check.jsonl").read_text().splitlines()][:40]
    result = real.check("\n".join(lines))
    data = result.to_json()
    assert len(data["sentences"]) == len(result.claims) >= 40
    assert data["verdict"] == max(result.claims, key=lambda c: c.verdict.severity).verdict
    assert sum(result.summary.values()) == len(result.claims)
    numbers = {c["n"] for c in data["citations"]}
    for sentence in data["sentences"]:
        assert set(sentence) == {"text", "verdict", "explanation", "suggested_phrasing", "citations"}
        assert {c["n"] for c in sentence["citations"]} <= numbers
        if sentence["citations"]:
            assert all(f"[{c['n']}]" in sentence["explanation"] for c in sentence["citations"])


def test_medicine_names_come_from_the_vocabulary_and_study_names_from_the_sources(real):
    reader = real.checker.reader
    claims, subject = reader.read("DXM is no better than a dummy pill, the Cochrane review found.")
    assert subject.drugs == ("dextromethorphan",) and claims[0].named == {"cochrane-2025"}
    assert reader.read("The 2022 meta-analysis found a small effect.")[0][0].named >= {"pereira-2022"}
