"""Every rule of knowledge/claim_rules.yaml has an example here, and every example uses its rule:
removing a rule from the file, or adding one without an example, fails this file."""

import pytest

from bot.check.context import Context
from bot.check.reading import Reader
from bot.knowledge.check_rules import Cue
from bot.knowledge.load import load_knowledge
from bot.search.question import QuestionParser
from bot.settings import Settings

KNOWLEDGE = load_knowledge(Settings().knowledge_dir)
RULES = KNOWLEDGE.claim_rules
CONTEXT = Context(RULES)
READER = Reader(KNOWLEDGE, QuestionParser(KNOWLEDGE))

# modifier id -> (sentence, the concept's words it must reach)
REACHES = {
    "neg-not": ("Ketamine does not work for pain", "work"),
    "neg-without": ("Ketamine infusions without side effects", "side effects"),
    "neg-unlikely": ("Ketamine cream is unlikely to cause side effects", "side effects"),
    "neg-lack": ("The study lacked a control group", "control group"),
    "neg-non": ("Ketamine is non-habit forming", "habit forming"),
    "neg-never": ("Ketamine never causes bladder damage", "bladder"),
    "neg-nobody": ("Nobody has studied memantine for pain", "studied"),
    "neg-nothing-at-all": ("The trials show nothing at all", "trials"),
    "neg-post": ("Liver injury has not been reported with ketamine", "liver"),
    "qualifier-clear": ("Ketamine did not clearly reduce pain", "reduce"),
    "gap-unclear": ("It is unclear whether magnesium eases pain", "eases"),
    "gap-lacking": ("High-quality evidence of benefit is lacking", "evidence"),
    "hedge-that-clause": ("The results suggest that a single dose of oral amantadine before the operation did not "
                          "reduce pain", "reduce"),
    "hedge-very-uncertain": ("We are very uncertain whether ketamine helps", "helps"),
    "hedge-may": ("Ketamine may help nerve pain", "help"),
    "hedge-probably": ("Memantine probably causes dizziness", "dizziness"),
    "certainty-high": ("There is strong evidence that ketamine works", "works"),
    "certainty-moderate": ("There is moderate certainty evidence for memantine", "evidence"),
    "certainty-low": ("The evidence is weak", "evidence"),
    "certainty-very-low": ("The evidence was very low certainty", "evidence"),
    "booster-proven": ("Ketamine is proven to relieve pain", "relieve"),
    "booster-size": ("Ketamine dramatically reduces pain", "reduces"),
    "booster-lasting": ("Ketamine gives lasting relief", "relief"),
    "absolute-at-all": ("There is no evidence at all", "evidence"),
    "minimiser-rare": ("Side effects are rare", "side effects"),
    "minimiser-small": ("The rise in blood pressure is small", "blood pressure"),
    "approximator-essentially": ("Ketamine is essentially free of risk", "risk"),
    "restriction-only": ("Bladder damage only happens in recreational users", "recreational users"),
    "restriction-mainly": ("Bladder damage is mainly seen in recreational users", "recreational users"),
    "report-found": ("The review found a small reduction in pain", "reduction"),
    "frequency-usually": ("Ketamine usually causes nausea", "nausea"),
}

# pseudo-cues and terminators: (sentence, concept words the cue must NOT reach, the cue kept away)
KEEPS_AWAY = {
    "pseudo-not-only": ("Bladder problems occur not only in recreational users", "recreational users",
                        Cue.RESTRICTION),
    "pseudo-no-doubt": ("No doubt ketamine works for some", "works", Cue.NEGATION),
    "pseudo-directive": ("Ketamine should not be taken with opioids", "with opioids", Cue.NEGATION),
    "pseudo-not-rare": ("Side effects are not rare", "side effects", Cue.NEGATION),
    "terminate-but": ("Ketamine does not cure pain but it helps some people", "helps", Cue.NEGATION),
    "terminate-so": ("It is not approved therefore it works", "works", Cue.NEGATION),
    "terminate-soft": ("Ketamine does not help unless it works", "works", Cue.NEGATION),
}

TARGETS = {
    "benefit-verbs": ("Ketamine relieves nerve pain", "relieves"),
    "benefit-overclaim": ("Ketamine cures chronic pain", "cures"),
    "benefit-denied": ("Memantine is useless for pain", "useless"),
    "worse-verbs": ("Ketamine makes pain worse", "worse"),
    "harm-general": ("Ketamine causes side effects", "side effects"),
    "harm-severe": ("Ketamine will destroy your liver", "destroy"),
    "harm-mental": ("Ketamine can cause hallucinations", "hallucinations"),
    "harm-liver": ("Ketamine can harm the liver", "liver"),
    "harm-bladder": ("Ketamine can damage the bladder", "bladder"),
    "harm-dependence": ("Ketamine is addictive", "addictive"),
    "harm-heart": ("Ketamine raises blood pressure", "blood pressure"),
    "harm-breathing": ("Ketamine can slow breathing", "breathing"),
    "harm-memory": ("Ketamine may harm memory", "memory"),
    "harm-interactions": ("Ketamine has interactions with theophylline", "interactions"),
    "harm-denied": ("Ketamine is risk-free", "risk free"),
    "safety-safe": ("Ketamine is safe", "safe"),
    "evidence-nouns": ("There is no research on this", "research"),
    "evidence-verbs": ("This has not been shown", "shown"),
    "approval-approved": ("Ketamine is approved as an anaesthetic", "approved"),
    "approval-denied": ("Its use for pain is off-label", "off label"),
    "misuse-setting": ("Bladder damage is seen in recreational users", "recreational users"),
    "study-words": ("The review found little", "review"),
    "comparator-placebo": ("Pain fell as much with a dummy drip", "dummy"),
    "design-controlled": ("The study had no comparison group", "comparison group"),
    "setting-acute": ("Ketamine given during spine surgery", "during spine surgery"),
    "setting-chronic": ("Ketamine for chronic pain", "chronic"),
    "outcome-opioids": ("Ketamine cuts opioid use", "opioid use"),
    "outcome-mood": ("Ketamine lifts low mood", "low mood"),
    "outcome-function": ("Ketamine improves function", "function"),
    "outcome-quality-of-life": ("Ketamine improves quality of life", "quality of life"),
    "outcome-completion": ("Most patients completed the course", "completed"),
    "outcome-combination": ("Ketamine taken together with opioids", "together with"),
}


def mention(text, words):
    tagged = CONTEXT.tag(text)
    found = [m for c in tagged.clauses for m in c.mentions if m.text == words]
    assert found, f"no concept '{words}' in {text!r}: {[m.text for c in tagged.clauses for m in c.mentions]}"
    return found[0]


def rule_ids(m):
    return {r.id for rules in m.cues.values() for r in rules}


@pytest.mark.parametrize("rule_id", sorted(REACHES))
def test_the_modifier_reaches_its_concept(rule_id):
    text, words = REACHES[rule_id]
    assert rule_id in rule_ids(mention(text, words))


@pytest.mark.parametrize("rule_id", sorted(KEEPS_AWAY))
def test_pseudo_cues_and_terminators_keep_a_cue_away(rule_id):
    text, words, cue = KEEPS_AWAY[rule_id]
    tagged = CONTEXT.tag(text)
    assert any(m.rule.id == rule_id for c in tagged.clauses for m in c.modifiers)
    assert not mention(text, words).has(cue)


@pytest.mark.parametrize("rule_id", sorted(TARGETS))
def test_the_target_names_its_concept(rule_id):
    text, words = TARGETS[rule_id]
    assert mention(text, words).target.id == rule_id


def test_subordinate_clauses_describe_rather_than_claim():
    text = "Ketamine is effective in patients whose pain has not responded"
    assert mention(text, "responded").subordinate and not mention(text, "effective").subordinate


def test_a_comparison_with_another_treatment_is_read():
    assert READER.read("Ketamine lozenges work as well as IV infusions")[0][0].comparison
    assert not READER.read("Ketamine works better than a placebo")[0][0].comparison


def test_a_contrast_after_a_comma_denies_what_came_before():
    claims = READER.read("Spravato is approved for depression, not for pain")[0]
    assert [c.denied for c in claims] == [False, True]
    assert any(m.rule.id == "terminate-not-for" for c in CONTEXT.tag("approved for X, not for pain").clauses
               for m in c.modifiers)


SPECIAL = {"subordinate-who", "comparison-better-than", "terminate-not-for", "pseudo-used-for"}


def test_used_for_is_not_a_claim_that_it_works():
    tagged = CONTEXT.tag("Ketamine is used to treat chronic pain")
    assert any(m.rule.id == "pseudo-used-for" for c in tagged.clauses for m in c.modifiers)
    assert not [m for c in tagged.clauses for m in c.mentions if m.category == "benefit"]


def test_every_rule_has_an_example_and_every_example_a_rule():
    ids = {r.id for r in RULES.modifiers} | {r.id for r in RULES.targets}
    examples = set(REACHES) | set(KEEPS_AWAY) | set(TARGETS) | SPECIAL
    assert ids == examples, (f"rules without an example: {sorted(ids - examples)}; "
                             f"examples without a rule: {sorted(examples - ids)}")


def test_british_spellings_and_contractions_are_read_alike():
    assert [t.text for t in CONTEXT.tokenize("The anaesthetic isn't randomised")] == \
        ["the", "anesthetic", "is", "not", "randomized"]
