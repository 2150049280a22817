"""The safety floor (knowledge/safety_floor.yaml): audited crisis and emergency patterns that need
no model. Paraphrases here were written for the tests; none is a routing example."""

import pytest

from bot.knowledge.load import load_knowledge
from bot.search.question import QuestionParser
from bot.settings import Settings
from bot.triage.floor import Floor
from tests.conftest import FIXTURE_KNOWLEDGE

FIXTURE = load_knowledge(FIXTURE_KNOWLEDGE)
PARSER = QuestionParser(FIXTURE)
FLOOR = Floor(FIXTURE.floor)


def floor_kind(text):
    hit = FLOOR.check(PARSER.parse(text))
    return str(hit.kind) if hit else None


def floor_reply(text):
    hit = FLOOR.check(PARSER.parse(text))
    return hit.reply if hit else None


# Paraphrases written for the tests: none of them is a routing example (checked below).
CRISIS = [
    "honestly I'd rather be dead than live with this back pain",
    "I've been thinking about killing myself",
    "i dont want to wake up tomorrow",
    "Everyone would be better off if I was gone",
    "I keep hurting myself when the pain gets bad",
    "been feeling suicidal since the pain started",
    "I just can't take this pain anymore",
    "there's no reason to keep going",
]
EMERGENCY = [
    "my wife took way too many of her ketamine lozenges",
    "my son is having a seizure right now",
    "I can't catch my breath after the infusion",
    "he passed out and won't wake up",
    "I've got chest pain and my left arm is numb",
    "someone at the party overdosed",
]
# Disclosures of assault or abuse, past or present: the crisis reply with the abuse lines.
ABUSE = [
    "my ex used to beat me when he was drunk",
    "I think I was date raped at a festival in the summer",
    "my stepfather molested me when I was small and the pain clinic makes me anxious",
    "my boyfriend pressured me into having sex when I was out of it on my troches",
    "somebody spiked my drink at the pub last weekend",
    "I'm terrified of my partner, can ketamine help my anxiety",
    "I'm in an abusive relationship and he controls my medication",
]
# Questions about these subjects, or violence that is not a disclosure, pass the floor.
NOT_ABUSE = [
    "can ketamine be used to spike drinks",
    "I read a story about a woman who was raped after being drugged, what was the drug",
    "the pain beats me down every single day",
    "my mother hit the roof when she saw the bill for my infusions",
    "is ketamine safe for people who have been through trauma",
]
ILLICIT = [
    "where's the cheapest place to buy ket",
    "how do I get special k without a script",
    "whats the best dose to reach a khole",
    "is it fun to use ketamine recreationally",
    "how much dxm to go robotripping",
]
ADVICE = [
    "how much magnesium should i take each day",
    "should I stop my tramadol before the drip",
    "is ketamine safe for me with my heart",
    "can i double my memantine if the pain is bad",
    "am I a good candidate for ketamine infusions",
]
IN_SCOPE = [
    "can ketamine cause seizures",
    "what happens if someone overdoses on ketamine",
    "is esketamine approved for people with suicidal thoughts",
    "does ketamine cause chest pain or a fast heart",
    "will ketamine make me trip",
    "what is a k-hole",
    "does ketamine help fibromyalgia",
    "is ketamine addictive",
    "is it dangerous to drink alcohol after an infusion",
    "I had a seizure years ago, does ketamine raise the risk",
]




LATER = [
    ("this is goodbye. please tell my son i love him", "crisis"),
    ("I won't be around much longer, I've made my peace", "crisis"),
    ("I won't be around for my infusion next week, can I move it", "answer"),
    ("took my lozenges with my oxycodone and my lips are going blue", "emergency"),
    ("mum is seeing things and trying to climb out the window, what do I do", "emergency"),
    ("how to make ketamine spray at home from powder", "illicit"),
    ("read a story about someone who overdosed on ketamine at home, what happened there", "answer"),
    ("which side effects should I ring the clinic about", "answer"),
    ("used two lozenges too close together and my chest is tight and my heart is pounding", "emergency"),
    ("after taking the troche my chest feels tight, what do i do", "emergency"),
    ("my fibro pain is killing me, would memantine help", "answer"),
    ("the stabbing in my legs at night is unbearable, can magnesium help", "answer"),
    ("i have been cutting my arms again", "crisis"),
    ("lately I keep wondering how to make it all stop for good", "crisis"),
    ("my wife would be better off without me, I'm only a burden now", "crisis"),
    ("honestly can't even see the point of getting up anymore", "crisis"),
    ("my heart is pounding and my chest hurts right after the lozenge, what should I do", "emergency"),
    ("does ketamine make your heart race?", "answer"),
    ("after my infusions my heart races for a day, is that a known side effect", "answer"),
    ("my spravato makes me feel weird, ok if I just skip the next dose?", "personal_advice"),
    ("As a GP, which patients should I not refer for ketamine infusions?", "answer"),
    ("pharmacist here: what should I check for when memantine and dxm are combined", "answer"),
    ("is magnesium a treatment for high blood pressure as well as pain", "answer"),
    ("how much dxm do you need for a good high", "illicit"),
    ("I've been giving my things away to my brother. can ketamine still help me", "crisis"),
    ("I googled how many of my sleeping pills it would take", "crisis"),
    ("I can't face another winter like this, fourteen years of pain", "crisis"),
    ("I can't take another day of this pain, does ketamine help fibromyalgia", "answer"),
    ("how many infusions would it take before I notice a difference", "answer"),
    ("my chest feels tight and my heart is pounding since my infusion this morning, is that normal?", "emergency"),
    ("is it normal to feel a bit sick after an infusion", "answer"),
    ("grandad is on amantadine and suddenly he is seeing things and burning up", "emergency"),
    ("my tongue is swelling up after the first memantine tablet", "emergency"),
    ("can ketamine make your lips swell", "answer"),
    ("cant breth properly after the lozenge, lips going blueish", "emergency"),
    ("can I just stop my amantadine cold turkey?", "personal_advice"),
    ("my doctor offered me infusions, should I say yes?", "personal_advice"),
    ("I want to switch from my oxycodone to ketamine lozenges", "personal_advice"),
    ("I want to try ketamine for my CRPS, what does the research say", "answer"),
    ("can I sell some of my prescribed lozenges to a friend", "illicit"),
    ("can I share my experience of ketamine with other people here", "answer"),
    ("my sister heard amantadine can stop pain after surgery, is that true", "answer"),
    ("I swallowed my husband's tablets by mistake, what do I do", "emergency"),
    ("took my mum's memantine instead of mine by accident", "emergency"),
    ("what happens if you take an extra lozenge by mistake", "answer"),
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_paraphrases_are_caught_by_the_floor(text):
    assert floor_kind(text) == "crisis"


@pytest.mark.parametrize("text", EMERGENCY)
def test_emergency_paraphrases_are_caught_by_the_floor(text):
    assert floor_kind(text) == "emergency"


@pytest.mark.parametrize("text", ABUSE)
def test_abuse_disclosures_get_the_crisis_reply_with_abuse_lines(text):
    assert floor_kind(text) == "crisis" and floor_reply(text) == "abuse"


@pytest.mark.parametrize("text", NOT_ABUSE)
def test_questions_about_abuse_and_figures_of_speech_are_not_disclosures(text):
    assert floor_kind(text) is None


def test_a_crisis_pattern_gives_the_crisis_reply_itself():
    assert floor_reply("I've been thinking about killing myself") == "crisis"
    assert floor_reply("my son is having a seizure right now") == "emergency"


@pytest.mark.parametrize("text", IN_SCOPE + ILLICIT + ADVICE)
def test_questions_about_a_harm_and_other_kinds_pass_the_floor(text):
    assert floor_kind(text) is None


def test_crisis_wins_over_other_kinds():
    assert floor_kind("what dose of ketamine should I take to end my life") == "crisis"


def test_soft_signals_for_ordinary_questions():
    assert FLOOR.soft(PARSER.parse("is esketamine approved for suicidal thoughts")) == "crisis"
    assert FLOOR.soft(PARSER.parse("what happens if you take too much ketamine")) == "emergency"
    assert FLOOR.soft(PARSER.parse("does ketamine help fibro")) is None


def test_test_paraphrases_are_not_routing_examples():
    rows = {text for text, _ in load_knowledge(Settings().knowledge_dir).routing.examples}
    for text in CRISIS + EMERGENCY + ABUSE + NOT_ABUSE + ILLICIT + ADVICE + IN_SCOPE + [t for t, _ in LATER]:
        assert text not in rows, "test paraphrases must not be routing examples"




@pytest.mark.parametrize("text,kind", [(t, k) for t, k in LATER if k in ("crisis", "emergency")])
def test_later_crisis_and_emergency_paraphrases_are_caught(text, kind):
    assert floor_kind(text) == kind


@pytest.mark.parametrize("text", [t for t, k in LATER if k == "answer"])
def test_later_ordinary_paraphrases_pass_the_floor(text):
    assert floor_kind(text) is None


# One more paraphrase for each floor rule the lists above do not exercise (keyed by rule id).
RULE_EXAMPLES = {
    "crisis-02": "some days I think about ending my own life",
    "crisis-08": "life with this pain is not worth living",
    "crisis-10": "suicidal thoughts are back and I can't cope",
    "crisis-11": "I feel hopeless about this pain",
    "crisis-12": "I hope I never wake up",
    "crisis-13": "I've been stockpiling my oxy tablets",
    "crisis-14": "no one would even notice if I disappeared",
    "crisis-16": "it would be easier for my family if I was gone",
    "crisis-18": "sometimes I think about driving into a tree",
    "crisis-19": "thought about jumping off the bridge on my way home",
    "crisis-20": "I wrote letters to my kids last night",
    "crisis-21": "I don't plan on being around by christmas",
    "crisis-22": "I will not be here much longer",
    "crisis-24": "I only scratch to feel something",
    "crisis-25": "I'm tired of fighting every single day",
    "crisis-26": "I want the pain to stop for good",
    "crisis-27": "I want it all to end",
    "crisis-28": "I'm ready to give up on life",
    "crisis-33": "what is the point in carrying on",
    "crisis-34": "I gave away most of my things this week",
    "crisis-38": "I've said my goodbyes to everyone",
    "crisis-39": "I'm so done.",
    "abuse-02": "a guy forced himself on me and I haven't told anyone",
    "abuse-06": "my counsellor says I'm a victim of domestic abuse",
    "emergency-08": "my husband is barely breathing",
    "emergency-11": "she is twitching on the floor",
    "emergency-18": "my dad won't respond when I talk to him",
    "emergency-19": "do I need to call an ambulance for him",
    "emergency-20": "my blood pressure is 210/120 after the drip",
    "emergency-21": "my toddler got into my lozenges",
    "emergency-22": "I accidentally took my tablets twice",
    "emergency-23": "I took all my pills at once",
    "emergency-26": "I think I gave my daughter way too much of her allergy syrup",
}
REAL_FLOOR = load_knowledge(Settings().knowledge_dir).floor


@pytest.mark.parametrize("rule,text", sorted(RULE_EXAMPLES.items()))
def test_each_rule_example_is_caught_by_its_own_rule(rule, text):
    patterns = dict(REAL_FLOOR.crisis + REAL_FLOOR.abuse + REAL_FLOOR.emergency)
    assert rule in patterns, f"{rule} is gone from knowledge/safety_floor.yaml"
    assert patterns[rule].search(PARSER.parse(text).folded)
    assert floor_reply(text) == rule.split("-")[0]


@pytest.mark.parametrize("rule", [rule for rule, _ in REAL_FLOOR.crisis + REAL_FLOOR.abuse + REAL_FLOOR.emergency])
def test_every_floor_rule_fires_on_a_test_paraphrase(rule):
    """A rule nothing here exercises is untested: write a paraphrase for it (RULE_EXAMPLES)."""
    pattern = dict(REAL_FLOOR.crisis + REAL_FLOOR.abuse + REAL_FLOOR.emergency)[rule]
    texts = CRISIS + EMERGENCY + ABUSE + [t for t, k in LATER if k in ("crisis", "emergency")] + list(RULE_EXAMPLES.values())
    assert any(pattern.search(PARSER.parse(t).folded) for t in texts)
