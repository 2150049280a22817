"""The real model and the real knowledge: the topics added in issue 15 are answered, and answers
are short, plain and about one thing.

Every question here was written for these tests, in the words a patient might use: none is copied
from tests/data/*.jsonl or from a snippet's own `questions`. A paraphrase refused today is
marked xfail(strict=True) naming the stage that refuses it (when it answers, the mark must go).
"""

import statistics
from pathlib import Path

import pytest

from bot.measure.answer_stats import answer_words, measure
from bot.measure.evaluate import load_cases
from tests.invariants import check_answer

pytestmark = pytest.mark.integration
DATA = Path(__file__).parent / "data"
EVIDENCE = ("answer", "personal_advice")

ROUTER_OTHER_TREATMENT = pytest.mark.xfail(strict=True, reason="triage coverage (bot/triage/coverage.py) reads "
                                           "'ketamine with morphine or ...' as comparing ketamine with a treatment we "
                                           "do not cover")

# topic: (snippets that answer it, paraphrases)
TOPICS = {
    "driving": ({"driving-after-ketamine"}, [
        "Am I OK to get behind the wheel the same evening as my ketamine infusion?",
        "my partner wants to know if I'll need a lift home from the ketamine clinic",
        "how many hours should pass before driving a car after ketamine treatment",
        "is it legal or safe to drive the morning after esketamine nasal spray",
    ]),
    "alcohol": ({"alcohol-and-ketamine"}, [
        "Can I have a few drinks the night after my ketamine treatment?",
        "does booze mix badly with ketamine",
        "is it dangerous to drink beer or wine on the same day as a ketamine infusion",
    ]),
    "opioids and benzodiazepines": ({"ketamine-with-opioids-or-sedatives", "drug-interactions"}, [
        "I take oxycodone every day, is ketamine risky on top of that?",
        "can ketamine be given to someone who is on valium",
        "I'm on Ativan for anxiety, is a ketamine drip safe with it",
        pytest.param("what happens if you combine ketamine with morphine or sleeping pills",
                     marks=ROUTER_OTHER_TREATMENT),
        pytest.param("ketamine plus oxycodone or valium, is that dangerous", marks=ROUTER_OTHER_TREATMENT),
    ]),
    "DXM with SSRIs": ({"dxm-and-ssri-antidepressants", "dxm-and-maoi-antidepressants"}, [
        "I'm on sertraline, can I take a cough syrup with dextromethorphan?",
        "is robitussin dm safe with my lexapro",
        "dxm while taking an SSRI antidepressant, any danger?",
    ]),
    "pregnancy": ({"pregnancy", "who-should-avoid-ketamine", "ketalar-label-warnings"}, [
        "I just found out I'm expecting, should I stop my ketamine infusions?",
        "is ketamine harmful to an unborn baby",
        "can pregnant women be treated with ketamine for pain",
        "is it risky to be on ketamine while pregnant",
    ]),
    "breastfeeding": ({"breastfeeding"}, [
        "does ketamine get into breastmilk",
        "I'm nursing my newborn, is a ketamine drip a problem for the baby?",
        "is it safe to give my baby breast milk after a ketamine treatment",
    ]),
    "Nuedexta": ({"nuedexta"}, [
        "what is the capsule that mixes dextromethorphan with quinidine used for",
        "my aunt takes Nuedexta, does it treat pain?",
        "Nuedexta side effects and who should not take it",
    ]),
    "candidates": ({"who-might-be-offered-ketamine"}, [
        "am I the kind of patient who would be offered ketamine for chronic pain",
        "what makes someone eligible for ketamine infusions for pain",
        "which pain patients do doctors consider for ketamine therapy",
    ]),
    "supervision": ({"why-medical-supervision", "monitoring-during-and-after"}, [
        "why does a nurse have to monitor me the whole time during ketamine",
        "is it really necessary to be observed by staff while getting ketamine",
        "what could happen if nobody watches you while you're on ketamine",
    ]),
    "getting a prescription": ({"getting-a-prescription"}, [
        "can my GP write me a ketamine prescription",
        "what kind of doctor can prescribe ketamine",
        "how can I get a ketamine prescription for chronic pain",
        "how would I go about getting ketamine prescribed for my pain",
        "is there a way to get a doctor to prescribe me ketamine",
        "my pain doctor mentioned ketamine, how does someone actually get a prescription",
    ]),
    "recovery after a drip": ({"feeling-normal-after-a-drip"}, [
        "how long does it take to feel like myself again after a ketamine drip",
        "can I go back to work the afternoon after an infusion",
        "will I still feel drowsy or strange the day after a ketamine infusion",
    ]),
    "phantom limb": ({"phantom-limb-pain", "phantom-limb-reviews"}, [
        "my leg was amputated and I still feel pain in it, could ketamine help",
        "is there evidence ketamine or memantine helps pain in a limb that's been removed",
        "phantom pain after amputation, do NMDA drugs work",
    ]),
    "magnesium migraine prevention": ({"magnesium-migraine-prevention"}, [
        "should I take magnesium to have fewer migraines",
        "does daily magnesium prevent migraine headaches",
        "is magnesium a recommended migraine preventive",
    ]),
    "ASA 2025": ({"asa-2025-safe-use"}, [
        "what does the American Society of Anesthesiologists say about ketamine outside hospitals",
        "is there official guidance from anesthesiologists on ketamine safety",
        "ASA 2025 ketamine statement",
    ]),
    "Ketalar label warnings": ({"ketalar-label-warnings"}, [
        "I had a stroke last year, am I allowed ketamine?",
        "what conditions rule out ketamine according to the Ketalar label",
        "can someone with pre-eclampsia be given ketamine",
    ]),
}
CASES = [pytest.param(topic, q, id=f"{topic}: {q}") if isinstance(q, str)
         else pytest.param(topic, *q.values, marks=q.marks, id=f"{topic}: {q.values[0]}")
         for topic, (_, questions) in TOPICS.items() for q in questions]


def short_and_cited(answer):
    assert answer.lead and len(answer.points) <= 3
    assert answer.markdown.count("\n- ") == len(answer.points)
    assert len(answer_words(answer.markdown).split()) <= 140 + len(answer_words(answer.intro).split())
    assert answer.details == tuple(p.markdown for p in answer.parts)


@pytest.mark.parametrize("topic,question", CASES)
def test_the_new_topics_are_answered(real_engine, topic, question):
    answer = real_engine.ask(question)
    expected = TOPICS[topic][0]
    assert answer.kind in EVIDENCE, answer.kind
    assert answer.parts[0].snippet.id in expected, [p.snippet.id for p in answer.parts]
    check_answer(answer, real_engine.knowledge, real_engine.messages)
    short_and_cited(answer)


@pytest.mark.parametrize("question", [
    "is ketamine safe while pregnant",
    "how long should I wait to nurse after ketamine",
    "I'm on sertraline, can I take a cough syrup with dextromethorphan?",
])
def test_the_snippet_on_the_topic_is_shown_even_when_another_leads(real_engine, question):
    shown = {p.snippet.id for p in real_engine.ask(question).parts}
    assert shown & {"pregnancy", "breastfeeding", "dxm-and-ssri-antidepressants"}


# --- the failures, each on several paraphrases

@pytest.mark.parametrize("question", [
    "can ketamine wreck your bladder",
    "will ketamine hurt my bladder if I have it every month",
    "is ketamine hard on the kidneys and bladder",
    "does ketamine damage the liver over time",
    "liver problems from repeated ketamine drips?",
    "can having ketamine a lot harm your liver",
])
def test_bladder_and_liver_answers_carry_no_false_disagreement(real_engine, question):
    answer = real_engine.ask(question)
    assert answer.kind == "answer" and answer.disagreement == ""
    organ = {"bladder", "liver"} & set(answer.parts[0].snippet.outcomes)
    assert organ and all(organ & set(p.snippet.outcomes) for p in answer.parts)


@pytest.mark.parametrize("earlier", [
    "does ketamine ease nerve pain", "ketamine for my neuropathy", "is ketamine any good for my nerve pain",
])
@pytest.mark.parametrize("question", ["what about side effects?", "any side effects?", "and the side effects of it?"])
def test_a_side_effects_follow_up_after_nerve_pain_leads_with_side_effects_in_nerve_pain(real_engine, earlier, question):
    answer = real_engine.ask(question, history=[earlier])
    lead = answer.parts[0].snippet
    assert {"side-effects", "mental-effects"} & set(lead.outcomes)
    assert "ketamine" in lead.drugs and "neuropathic-pain" in lead.conditions
    assert lead.finding != "uncertain"  # not "The study reported no adverse events..."


@pytest.mark.parametrize("question", [
    "does insurance usually cover ketamine for pain",
    "is ketamine covered by insurance",
    "will my insurance pay for a course of ketamine drips",
    "can I come off gabapentin once I start ketamine",
    "should I stop my pregabalin when ketamine starts working",
    "do I still need my gabapentin if I have ketamine infusions",
])
def test_no_paragraph_on_another_drug_or_question(real_engine, question):
    answer = real_engine.ask(question)
    lead = answer.parts[0].snippet
    for part in answer.parts[1:]:
        assert set(part.snippet.drugs) & set(lead.drugs) and set(part.snippet.outcomes) & set(lead.outcomes), \
            (lead.id, part.snippet.id)
    assert "cancer-pain" not in {c for p in answer.parts for c in p.snippet.conditions}
    assert "recreational" not in answer.markdown


@pytest.mark.parametrize("question", [
    "did the 2019 review of ketamine infusions show pain relief",
    "what did orhurhu and colleagues find about ketamine drips",
    "how much did ketamine lower nerve pain in the 2022 review",
])
def test_studies_that_disagree_on_the_same_question_say_why(real_engine, question):
    answer = real_engine.ask(question)
    findings = {p.snippet.finding for p in answer.parts}
    assert {"benefit", "no-clear-benefit"} <= findings
    assert answer.disagreement.startswith("Studies disagree:") and "ketamine" not in answer.disagreement.lower()


@pytest.mark.parametrize("question", [
    "can someone on memantine breastfeed safely?",
    "I take memantine, can I still breastfeed?",
    "memantine and breastfeeding, is it safe for the baby",
])
def test_evidence_on_another_medicine_does_not_answer(real_engine, question):
    answer = real_engine.ask(question)
    # "I take memantine, can I ...?" may also be read as asking about one's own medicines: then the
    # prescriber is named instead, still with no ketamine evidence
    assert answer.kind in ("no_evidence", "personal_advice") and not answer.parts


@pytest.mark.parametrize("question,drug", [
    ("what are the side effects of spravato", "esketamine"), ("spravato side effects", "esketamine"),
    ("what side effects does the spravato spray have", "esketamine"),
    # "side effects" is expanded with "adverse events" for the search; a snippet on the medicine asked
    # that says "side effects" but not "adverse events" still answers it
    ("What are the side effects of esketamine?", "esketamine"),
    ("What are the side effects of dextromethorphan?", "dextromethorphan"),
])
def test_a_question_on_one_medicine_leads_with_evidence_on_it(real_engine, question, drug):
    assert drug in real_engine.ask(question).parts[0].snippet.drugs


# --- every question set: short, plain, one topic

SETS = ["dev", "holdout", "final", "v3", "v4", "v5"]


@pytest.fixture(scope="module")
def stats(real_engine):
    out = {}
    for name in SETS:
        cases = load_cases(DATA / f"{name}_questions.jsonl")
        answers = [real_engine.ask(c.question, history=c.history) for c in cases]
        out[name] = (measure(cases, answers), answers)
    return out


@pytest.mark.parametrize("name", SETS)
def test_no_answer_to_a_question_set_carries_a_paragraph_on_another_drug_or_topic(stats, name):
    figures, answers = stats[name]
    assert figures["off_topic"] == []
    for answer in answers:
        assert len(answer.points) <= 3


def test_dev_answers_are_short_and_plain(stats):
    figures, _ = stats["dev"]
    assert figures["answer_words_median_all_replies"] <= 140
    assert figures["answer_words_median"] <= 140
    assert figures["answer_grade_median"] <= 7.0


def test_shown_leads_match_the_expected_snippets_at_least_as_often_as_retrieval_ranks_them(stats):
    figures, _ = stats["dev"]
    assert figures["lead_at_1"] >= 0.74 and figures["lead_at_1_follow_ups"] >= 0.6


def test_every_reply_to_the_blind_sets_is_short(stats):
    for name in SETS[1:]:
        _, answers = stats[name]
        words = [len(answer_words(a.markdown).split()) for a in answers]
        assert statistics.median(words) <= 140, name
