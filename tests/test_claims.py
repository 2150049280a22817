"""Reading a claim: stance, strength, subject, shares and the parts of pasted text."""

import pytest

from bot.check.reading import Reader
from bot.check.sentences import clean, looks_english, split
from bot.knowledge.load import load_knowledge
from bot.search.question import QuestionParser
from tests.conftest import FIXTURE_KNOWLEDGE

KNOWLEDGE = load_knowledge(FIXTURE_KNOWLEDGE)
READER = Reader(KNOWLEDGE, QuestionParser(KNOWLEDGE))


def read(text):
    return READER.read(text)[0]


def stances(text):
    return [(c.stance.value, c.strength.value) for c in read(text)]


@pytest.mark.parametrize("text,stance,strength", [
    ("Ketamine is a proven treatment for fibromyalgia", "benefit", "strong"),
    ("Ketamine infusions will relieve your nerve pain", "benefit", "strong"),
    ("Ketamine may help some people with nerve pain", "benefit", "hedged"),
    ("Ketamine probably reduces pain in CRPS", "benefit", "probable"),
    ("Ketamine reduces pain in CRPS", "benefit", "firm"),
    ("Ketamine can ease pain for a few weeks", "benefit", "firm"),  # "can" is not a hedge of certainty
    ("Ketamine doesn't work for chronic pain", "no_benefit", "firm"),
    ("Ketamine is useless for back pain", "no_benefit", "firm"),
    ("There is no clear evidence that ketamine helps", "gap", "firm"),
    # no evidence of one kind (long-term, blinded) is a gap, not "no evidence at all"
    ("There are no long-term studies of repeated ketamine treatments", "gap", "firm"),
    ("There is no evidence that ketamine helps", "no_evidence", "firm"),
    ("How ketamine eases chronic pain is poorly understood", "gap", "firm"),
    ("The evidence for memantine remains weak", "certainty", "hedged"),
    ("It is unclear whether magnesium eases chronic pain", "gap", "firm"),
    ("Ketamine can cause bladder problems", "harm", "firm"),
    # a harm stated with its certainty is as firm as that certainty, as a benefit is
    ("Ketamine raises the risk of side effects (low certainty evidence)", "harm", "hedged"),
    ("Ketamine is not addictive", "no_harm", "firm"),
    ("Ketamine has no potential for abuse or dependence", "no_harm", "hedged"),
    ("Ketamine infusions are completely safe", "safe", "strong"),
    ("Bladder damage only happens in recreational users", "confined_harm", "firm"),
    ("Bladder problems are really a concern for recreational users rather than patients", "partly_confined_harm",
     "firm"),
    ("Side effects are rare and mild", "minimised_harm", "firm"),
    ("Ketamine was first made in the 1960s", "fact", "firm"),
    ("Ketamine is not safe for everyone", "harm", "firm"),
    ("We don't yet know whether ketamine helps in the long term", "gap", "firm"),
    ("The study cannot show whether ketamine caused the improvement", "gap", "firm"),
    ("A review found large, long-term reductions in nerve pain", "benefit", "strong"),
    ("Nobody has ever studied memantine for chronic pain", "no_evidence", "firm"),
    ("There is no evidence at all that ketamine works", "no_evidence", "firm"),
    ("Ketamine for pain should be regarded as investigational", "gap", "firm"),
    ("Ketamine makes nerve pain worse", "worsens", "firm"),
    ("The review does not show that ketamine fails, only that the evidence is very uncertain", "gap", "firm"),
    ("A large review found little convincing evidence of benefit", "gap", "firm"),
])
def test_stance_and_strength_of_the_first_claim(text, stance, strength):
    assert stances(text)[0] == (stance, strength)


def test_a_sentence_can_claim_several_things():
    assert [s for s, _ in stances("Ketamine cream is a safe and effective alternative to infusions")] == \
        ["safe", "benefit"]
    assert [s for s, _ in stances("Ketamine is approved as an anaesthetic but not yet as a pain treatment")] == \
        ["fact", "fact"]


def test_approval_reads_what_it_is_approved_for_and_whether_it_is_denied():
    first, second = read("Spravato is approved for depression, not for pain")
    assert (first.denied, sorted(first.use)) == (False, ["depress"])
    assert (second.denied, sorted(second.use)) == (True, ["pain"])
    assert read("Esketamine is not approved for any condition")[0].use == {"*any"}
    assert read("Spravato is approved only for depression")[0].exclusive


def test_lower_in_the_name_of_a_body_part_is_not_a_benefit():
    assert stances("Long-term ketamine use can cause lower urinary tract symptoms") == [("harm", "firm")]


def test_shares_and_numbers():
    assert read("around 80% of our patients respond to ketamine")[0].share == 0.8
    assert read("3 out of 4 people improve on ketamine")[0].share == 0.75
    assert read("most patients get relief from ketamine")[0].share == 0.6
    assert read("Ketamine can ease pain for a few weeks")[0].share is None  # weeks are not people
    assert read("Ketamine is not suitable for everyone")[0].share is None
    assert read("ketamine raised the risk of side effects (95% CI 1.1 to 10.1)")[0].share is None  # a CI's level
    assert read("ketamine raised the risk of side effects in 95 per cent of patients")[0].share == 0.95
    assert read("Most patients need only one infusion")[0].numbers == {"1.0"}
    assert read("Ketamine cut pain scores by 5 points")[0].points == 5.0


def test_subject_is_read_through_the_lexicon_and_carried_to_the_next_sentence():
    claims, subject = READER.read("a ketamin drip for fibro")
    assert (subject.drugs, subject.route, subject.conditions) == (("ketamine",), "iv", {"fibromyalgia"})
    claims, carried = READER.read("Memantine may help nerve pain.")
    assert READER.read("It is FDA-approved for this use.", carried)[0][0].drugs == ("memantine",)


def test_splitting_sentences_bullets_and_lines():
    text = "Ketamine works. It is safe!\n- Most people improve\n* No side effects\nA heading\nDr. Lee says hi."
    assert split(text) == ["Ketamine works.", "It is safe!", "Most people improve", "No side effects", "A heading",
                           "Dr. Lee says hi."]


def test_pasted_html_is_stripped():
    assert clean("<p>Ketamine <b>works</b><script>alert(1)</script></p>") == "Ketamine works"


@pytest.mark.parametrize("text,english", [
    ("Memantine reduces nerve pain", True),
    ("Ketamine infusions provide durable relief", True),
    ("La ketamina es un tratamiento probado para la fibromialgia", False),
    ("Die Ketamin-Therapie ist nicht wirksam und das ist klar", False),
    ("氯胺酮可以治疗慢性疼痛", False),
])
def test_language_detection(text, english):
    assert looks_english(text) is english
