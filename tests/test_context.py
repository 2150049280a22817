import pytest

from bot.answer.context import ContextTracker, focus_values
from bot.knowledge.load import load_knowledge
from bot.search.question import Focus, QuestionParser
from tests.conftest import FIXTURE_KNOWLEDGE

knowledge = load_knowledge(FIXTURE_KNOWLEDGE)
parser = QuestionParser(knowledge)
tracker = ContextTracker(parser.facets, knowledge.vocabulary)


def resolve(question, history):
    return tracker.resolve(parser.parse(question), history)


def values(focus):
    return focus_values(focus, knowledge.vocabulary)


def test_focus_reads_drug_route_and_condition_through_the_lexicon():
    assert parser.facets.of_text("does a ketamin drip help fibro") == Focus("ketamine", "iv", "fibromyalgia")
    assert parser.facets.of_text("magnesium tablets for nerve pain") == Focus("magnesium", "oral", "neuropathic-pain")


@pytest.mark.parametrize("question,history,expected", [
    ("what about side effects?", ["does ketamine help fibro"], ["ketamine", "fibromyalgia"]),
    ("and for fibro?", ["does a ketamine drip help nerve pain"], ["ketamine", "IV"]),
    ("is it safe?", ["tell me about magnesium tablets"], ["magnesium", "oral"]),
    ("what about memantine", ["does ketamine help fibromyalgia"], ["fibromyalgia"]),
])
def test_follow_ups_keep_the_earlier_focus(question, history, expected):
    assert values(resolve(question, history)) == expected


def test_latest_turn_wins_for_each_facet():
    history = ["does ketamine help fibro", "what about magnesium for nerve pain"]
    assert resolve("side effects?", history) == Focus("magnesium", None, "neuropathic-pain")


def test_a_new_full_question_starts_afresh():
    question = "what does the research say about bladder problems after many infusions over the years"
    assert resolve(question, ["does magnesium help fibro"]) == Focus()


def test_no_history_or_no_focus_changes_nothing():
    assert resolve("bladder damage after years of drips", []) == Focus()
    assert values(resolve("is it safe?", ["hello there"])) == []


def test_a_pronoun_question_with_no_history_is_about_ketamine():
    assert resolve("is it worth it?", []) == Focus(drug="ketamine", assumed=True)
    assert resolve("is magnesium worth it?", []) == Focus()


def test_a_vague_follow_up_leans_on_the_earlier_full_question():
    focus = resolve("how sure are they about that", ["what did the big review find", "and then?"])
    assert focus.earlier == "what did the big review find"
    assert resolve("what about the bladder", ["what did the big review find"]).earlier is None


def in_focus(question, history):
    parsed = parser.parse(question)
    return tracker.in_focus(parsed, tracker.resolve(parsed, history))


@pytest.mark.parametrize("question,history,facets,asks", [
    ("what about side effects?", ["does ketamine help nerve pain"], ("ketamine", None, "neuropathic-pain"),
     {"side", "effect"}),
    ("any risks with the drips?", ["ketamine for fibro"], ("ketamine", "iv", "fibromyalgia"), {"risk"}),
    ("what about the bladder then?", ["does a ketamine drip help nerve pain"], ("ketamine", "iv", "neuropathic-pain"),
     {"bladder"}),
])
def test_a_follow_up_asking_something_new_keeps_the_facets_and_says_what_it_asks(question, history, facets, asks):
    focus = in_focus(question, history)
    assert (focus.drug, focus.route, focus.condition) == facets
    assert focus.asks == frozenset(asks)


@pytest.mark.parametrize("question,history,facets", [
    ("and memantine then?", ["does ketamine help fibromyalgia"], ("memantine", None, "fibromyalgia")),
    ("what about for CRPS", ["ketamine drips for nerve pain"], ("ketamine", "iv", "crps")),
    ("and the cream?", ["does ketamine help nerve pain"], ("ketamine", "topical", "neuropathic-pain")),
])
def test_a_follow_up_that_only_swaps_a_facet_asks_nothing_of_its_own(question, history, facets):
    focus = in_focus(question, history)
    assert (focus.drug, focus.route, focus.condition) == facets and focus.asks == frozenset()


@pytest.mark.parametrize("question,history", [
    ("what does the research say about bladder problems after many infusions over the years", ["magnesium for fibro"]),
    ("is it worth it?", []),  # the subject is assumed, nothing is carried
    ("how sure are they about this", ["what did the big review find"]),  # an earlier question, no facets
    ("side effects then?", []),
])
def test_no_follow_up_focus_when_nothing_is_carried(question, history):
    assert in_focus(question, history) is None
