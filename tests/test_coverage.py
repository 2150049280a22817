from dataclasses import replace

import pytest

from bot.errors import KnowledgeError
from bot.knowledge.load import Scope, load_knowledge
from bot.search.known_words import KnownWords
from bot.search.question import QuestionParser
from bot.triage.coverage import Coverage
from tests.conftest import FIXTURE_KNOWLEDGE

SCOPE = Scope(domain_terms=("ketamine", "pain"), other_treatments=("gabapentin", "spinal cord stimulator"),
              covered_targets=("pain", "fibromyalgia", "depression"), uncovered_topics=("in your system", "drug test"))
K = replace(load_knowledge(FIXTURE_KNOWLEDGE), scope=SCOPE)
COMMON = {"help", "people", "clinic", "doctor", "good", "cost", "with", "said"}


class Asked:
    """Coverage checks on questions typed as text (the engine hands them a parsed Question)."""

    def __init__(self, common=COMMON):
        self.known = KnownWords(K, common)
        self.parser = QuestionParser(K, self.known)
        self.coverage = Coverage(K, self.known)

    def rare_terms(self, text):
        return list(self.parser.parse(text).rare)

    def mentions_domain(self, text):
        return self.coverage.mentions_domain(text)

    def __getattr__(self, name):
        check = getattr(self.coverage, name)
        return lambda text: check(self.parser.parse(text))


@pytest.fixture
def coverage():
    return Asked()


def test_other_treatments_named_without_ours(coverage):
    assert coverage.other_treatment("Is gabapentin better for nerve pain?") == "gabapentin"
    assert coverage.other_treatment("spinal cord stimulators for back pain") == "spinal cord stimulator"
    assert coverage.other_treatment("can I take gabapentin with ketamine") is None  # ours is named too


def test_rare_unknown_words_are_uncovered_but_typos_and_common_words_are_not(coverage):
    terms = coverage.rare_terms("can ketamine ease tinnitus")
    assert "tinnitus" in terms and "ketamine" not in terms
    assert coverage.rare_terms("does ketamin help fibromyalga") == []  # typos of known words
    assert coverage.rare_terms("does it help people") == []  # common words


def test_rarity_needs_a_vocabulary():
    assert Asked(common=None).rare_terms("tinnitus naltrexone") == []


def test_names_are_uncovered_only_in_mixed_case(coverage):
    assert coverage.unknown_names("is Dr. Patel good with ketamine") == ["patel"]
    assert coverage.unknown_names("does the clinic in Scottsdale do drips") == ["scottsdale"]
    assert coverage.unknown_names("IS DR PATEL GOOD") == []
    assert coverage.unknown_names("Ketamine helps fibromyalgia") == []  # a capital at the start is no name


@pytest.mark.parametrize("heading", ["Can Ketamine Use Cause Liver Trouble?", "What Should I Expect At My First Visit",
                                     "How Long Does Relief Last After The Drip?"])
def test_capitals_in_a_title_case_heading_are_no_names(coverage, heading):
    assert coverage.unknown_names(heading) == []
    assert coverage.unknown_names("my doctor in Scottsdale said " + heading.lower()) == ["scottsdale"]


@pytest.mark.parametrize("question,name", [("Is Dr. Sarah Lee At Northside Clinic Good With Ketamine", "sarah"),
                                           ("is Dr David Wong at Lakeview Pain Centre any good", "david")])
def test_a_capitalised_word_after_dr_is_a_name_even_in_title_case(question, name):
    coverage = Asked(common=COMMON | {"sarah", "david"})  # first names are ordinary words of the model's vocabulary
    assert name in coverage.unknown_names(question)


@pytest.mark.parametrize("question,target", [
    ("ketamine for OCD", "ocd"),
    ("can ketamine help people with tinnitus", "tinnitus"),
    ("does ketamine help with sleep", "sleep"),
    ("ketamine for fibromyalgia", None),
    ("is ketamine used for depression", None),
    ("ketamine for my knee pain", None),
    ("how long does ketamine work for", None),
])
def test_uses_the_base_does_not_cover(coverage, question, target):
    assert coverage.uncovered_target(question) == target


def test_domain_words_and_lay_terms_mark_a_question_in_scope(coverage):
    assert coverage.mentions_domain("is ketamine safe")
    assert coverage.mentions_domain("will a drip make me trip")  # lexicon lay terms count
    assert not coverage.mentions_domain("what's the weather tomorrow")


def test_scope_file_is_strict(knowledge_copy):
    assert "gabapentin" in load_knowledge(FIXTURE_KNOWLEDGE).scope.other_treatments
    (knowledge_copy / "scope.yaml").write_text("domain_terms: [a]\nother_treatments: [b]\ncovered_targets: [c]\nextra: [d]\n")
    with pytest.raises(KnowledgeError, match="extra"):
        load_knowledge(knowledge_copy)


@pytest.mark.parametrize("question,children", [
    ("ketamine dose for a 10 year old with CRPS", True),
    ("is ketamine used in teenagers", True),
    ("can children have ketamine drips", True),
    ("I'm 45 years old, does ketamine help", False),
    ("does ketamine help adults with fibro", False),
    ("what is the ketamine infusion dose for a 10 year old child with CRPS", True),
    ("is ketamine safe for my 16-year-old son", True),
    ("will the infusions make me too drowsy to look after my kids", False),
    ("can I have ketamine while pregnant, will it hurt the baby", False),
    ("I was bullied as a child and now have fibro, would ketamine help", False),
])
def test_questions_about_children_are_recognised(coverage, question, children):
    assert coverage.about_children(question) is children


def test_uncovered_topics_are_recognised(coverage):
    assert coverage.uncovered_topic("how long does ketamine stay in your system") == "in your system"
    assert coverage.uncovered_topic("will ketamine show on a drug test") == "drug test"
    assert coverage.uncovered_topic("does ketamine help fibromyalgia") is None


def test_uncovered_topics_are_optional_in_the_scope_file(knowledge_copy):
    (knowledge_copy / "scope.yaml").write_text("domain_terms: [a]\nother_treatments: [b]\ncovered_targets: [c]\n")
    assert load_knowledge(knowledge_copy).scope.uncovered_topics == ()
    (knowledge_copy / "scope.yaml").write_text(
        "domain_terms: [a]\nother_treatments: [b]\ncovered_targets: [c]\nuncovered_topics: [Drug Test]\n")
    assert load_knowledge(knowledge_copy).scope.uncovered_topics == ("drug test",)


def test_a_doctor_named_in_lower_case_is_an_unknown_name(coverage):
    assert coverage.unknown_names("is dr patel any good for ketamine drips") == ["patel"]
    assert coverage.unknown_names("my dr said ketamine might help my pain") == []


def test_a_specialist_is_not_a_rare_topic(coverage):
    assert coverage.rare_terms("my rheumatologist and ketamine for fibromyalgia pain") == []


@pytest.mark.parametrize("question,other", [
    ("is gabapentin better than ketamine for nerve pain", "gabapentin"),
    ("ketamine or gabapentin for nerve pain?", "gabapentin"),
    ("tried gabapentin and nothing helps, does ketamine work or is it hype", None),
    ("I already take gabapentin, would ketamine be better", None),
])
def test_a_treatment_already_tried_is_history_not_a_comparison(coverage, question, other):
    assert coverage.other_treatment(question) == other


@pytest.mark.parametrize("question", ["my teenage son has CRPS, would ketamine be used at his age",
                                      "can memantine help children with autism"])
def test_more_ways_of_asking_about_children(coverage, question):
    assert coverage.about_children(question)


def test_the_fast_typo_search_agrees_with_a_brute_force_search(coverage):
    import difflib

    from bot.search.known_words import MIN_LENGTH, TYPO_CUTOFF, slips

    known = coverage.known
    surface = sorted(w for w in known.surface if len(w) >= MIN_LENGTH)

    def brute_force(word):
        limit = 1 if len(word) < 8 else 2
        return any(slips(word, k, limit) <= limit for k in surface) or \
            bool(difflib.get_close_matches(word, surface, n=1, cutoff=TYPO_CUTOFF))

    for word in ["fibromyalga", "ketamime", "bladdr", "tinnitus", "magnesum", "painfull", "zzzz", "drisp",
                 "sideeffects", "ketamineinfusion", "fibromialgia"]:
        assert known._typo_of_known(word) == brute_force(word), word


def test_a_pronoun_points_at_an_unnamed_subject_but_this_year_does_not(coverage):
    assert coverage.refers_without_naming("what does it actually do?")
    assert coverage.refers_without_naming("is this stuff safe for older people")
    assert not coverage.refers_without_naming("has the market gone up this year")
