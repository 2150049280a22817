import pytest

from bot.answer.context import ContextTracker, Focus
from bot.knowledge.load import load_knowledge
from bot.search.retrieve import Expander
from tests.conftest import FIXTURE_KNOWLEDGE

tracker = ContextTracker(Expander(load_knowledge(FIXTURE_KNOWLEDGE).lexicon))


def test_focus_reads_drug_route_and_condition_through_the_lexicon():
    assert tracker.focus("does a ketamin drip help fibro") == Focus("ketamine", "iv", "fibromyalgia")
    assert tracker.focus("magnesium tablets for nerve pain") == Focus("magnesium", "oral", "neuropathic-pain")


@pytest.mark.parametrize("question,history,expected", [
    ("what about side effects?", ["does ketamine help fibro"], ["ketamine", "fibromyalgia"]),
    ("and for fibro?", ["does a ketamine drip help nerve pain"], ["ketamine", "IV"]),
    ("is it safe?", ["tell me about magnesium tablets"], ["magnesium", "oral"]),
    ("what about memantine", ["does ketamine help fibromyalgia"], ["fibromyalgia"]),
])
def test_follow_ups_keep_the_earlier_focus(question, history, expected):
    assert tracker.resolve(question, history).values() == expected


def test_latest_turn_wins_for_each_facet():
    history = ["does ketamine help fibro", "what about magnesium for nerve pain"]
    assert tracker.resolve("side effects?", history) == Focus("magnesium", None, "neuropathic-pain")


def test_a_new_full_question_starts_afresh():
    question = "what does the research say about bladder problems after many infusions over the years"
    assert tracker.resolve(question, ["does magnesium help fibro"]) == Focus()


def test_no_history_or_no_focus_changes_nothing():
    assert tracker.resolve("bladder damage after years of drips", []) == Focus()
    assert tracker.resolve("is it safe?", ["hello there"]).values() == []


def test_a_pronoun_question_with_no_history_is_about_ketamine():
    assert tracker.resolve("is it worth it?", []) == Focus(drug="ketamine", assumed=True)
    assert tracker.resolve("is magnesium worth it?", []) == Focus()


def test_a_vague_follow_up_leans_on_the_earlier_full_question():
    focus = tracker.resolve("how sure are they about that", ["what did the big review find", "and then?"])
    assert focus.earlier == "what did the big review find"
    assert tracker.resolve("what about the bladder", ["what did the big review find"]).earlier is None
