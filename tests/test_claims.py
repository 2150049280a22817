import pytest

from bot.check.claims import also_benefit, claimed_share, clauses, clean, looks_english, read, split_claims
from bot.knowledge.load import load_knowledge
from bot.search.question import QuestionParser
from tests.conftest import FIXTURE_KNOWLEDGE

facets = QuestionParser(load_knowledge(FIXTURE_KNOWLEDGE)).facets


def read_claim(text):
    return read(text, facets.of_text(text))


@pytest.mark.parametrize("text,direction,strength", [
    ("Ketamine is a proven treatment for fibromyalgia", "benefit", "strong"),
    ("Ketamine infusions will relieve your nerve pain", "benefit", "strong"),
    ("Ketamine may help some people with nerve pain", "benefit", "hedged"),
    ("Ketamine reduces pain in CRPS", "benefit", "plain"),
    ("Ketamine doesn't work for chronic pain", "no_benefit", "plain"),
    ("Ketamine is useless for back pain", "no_benefit", "plain"),
    ("There is no clear evidence that ketamine helps", "evidence_gap", "plain"),
    ("The evidence for memantine remains weak", "evidence_gap", "hedged"),
    ("Ketamine can cause bladder problems", "harm", "hedged"),
    ("Ketamine is not addictive", "safety", "plain"),
    ("Ketamine infusions are completely safe", "safety", "strong"),
    ("Bladder damage only happens in recreational users", "safety", "plain"),
    ("Ketamine was first made in the 1960s", "fact", "plain"),
    ("Ketamine is not safe for everyone", "harm", "strong"),
    ("Liver problems are only a concern for people who abuse ketamine", "safety", "plain"),
    ("We don't yet know whether ketamine helps in the long term", "evidence_gap", "plain"),
    ("The study cannot show whether ketamine caused the improvement", "evidence_gap", "plain"),
    ("No side effects were recorded, but that does not mean there is no risk", "harm", "hedged"),
    ("A review found large, long-term reductions in nerve pain", "benefit", "strong"),
    ("Nobody has ever studied memantine for chronic pain", "evidence_gap", "plain"),
    ("The evidence is limited and does not show a benefit", "evidence_gap", "hedged"),
    ("Ketamine for pain should be regarded as investigational", "evidence_gap", "plain"),
    ("Ketamine makes nerve pain worse", "worsens", "plain"),
])
def test_direction_and_strength(text, direction, strength):
    reading = read_claim(text)
    assert (reading.direction, reading.strength) == (direction, strength)


def test_absolutes_minimisers_and_quantities():
    assert read_claim("Ketamine has no side effects").absolute
    assert read_claim("There is absolutely no evidence that ketamine works").absolute
    assert read_claim("Side effects are rare and mild").minimised
    assert claimed_share("around 80% of our patients respond") == 0.8
    assert claimed_share("3 out of 4 people improve") == 0.75
    assert claimed_share("most patients get relief") == 0.6
    assert claimed_share("ketamine may help") is None


def test_scope_is_read_through_the_lexicon():
    reading = read_claim("a ketamin drip for fibro")
    assert (reading.focus.drug, reading.focus.route, reading.focus.condition) == ("ketamine", "iv", "fibromyalgia")


def test_splitting_sentences_bullets_and_clauses():
    text = "Ketamine works. It is safe!\n- Most people improve\n* No side effects"
    assert split_claims(text) == ["Ketamine works.", "It is safe!", "Most people improve", "No side effects"]
    assert clauses("Ketamine may help, but it can cause nausea") == ["Ketamine may help", "it can cause nausea"]


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


@pytest.mark.parametrize("text,benefit", [
    ("dextromethorphan is a safe, over-the-counter option for nerve pain", True),
    ("low-dose ketamine is safe and effective", True),
    ("ketamine is safe when given in a clinic", False),
    ("ketamine is safe but does not help pain", False),
])
def test_a_safety_claim_that_also_claims_a_benefit(text, benefit):
    assert also_benefit(text) is benefit


@pytest.mark.parametrize("text", ["Ketamine resets the pain pathways.", "Ketamine rewires the brain."])
def test_marketing_mechanism_words_are_strong(text):
    assert read_claim(text).strength == "strong"


def test_pronoun_sentences_carry_the_medicine_named_before_them():
    from bot.check.compare import other_drug, sentences

    body = "Spravato is approved only for depression. Its label says it is not approved as an anesthetic."
    (first, first_stems), (second, second_stems) = sentences(body)
    assert "spravato" in second_stems and "ketamin" not in second_stems
    assert other_drug({"ketamin", "approv"}, set(second_stems))  # not about ketamine itself
    assert not other_drug({"spravato", "approv"}, set(second_stems))
    assert not other_drug({"approv"}, set(first_stems))  # a claim naming no medicine rules nothing out
