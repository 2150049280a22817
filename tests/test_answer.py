from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer import summary
from bot.answer.compose import Composer, overall_certainty
from bot.answer.context import FollowUp
from bot.answer.relate import opposed, same_question, why_they_differ
from bot.answer.render import CITE_MARK, describe, render_html
from bot.errors import InputError
from bot.knowledge.load import load_knowledge
from bot.measure.answer_stats import answer_words, measure
from bot.measure.answer_stats import on_topic as measured_on_topic
from bot.search.question import Query
from bot.search.retrieve import Hit, Retrieval
from bot.text import normalize
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.invariants import check_answer

K = load_knowledge(FIXTURE_KNOWLEDGE)


def snip(base: str, new_id: str, body: str | None = None, **meta):
    """A fixture snippet with another id, body or front matter."""
    return replace(K.snippet(base), id=new_id, **({"body": body} if body else {}), **meta)


def hits_of(*items, start=1):
    """Hits for (snippet or fixture id, similarity) pairs, best first (fused scores as close as
    reciprocal-rank fusion makes them)."""
    out = []
    for n, (item, sim) in enumerate(items, start=start):
        snippet = K.snippet(item) if isinstance(item, str) else item
        out.append(Hit(snippet, 0.3 - 0.02 * n, n, n, sim))
    return tuple(out)


def retrieval(*items, extra=(), question="q", bar=0.3):
    """A retrieval whose hits are `items`; `extra`: ranked candidates after them (bar or not)."""
    hits = hits_of(*items)
    more = tuple(replace(h, score=0.001) for h in hits_of(*extra, start=len(hits) + 1))
    query = Query(question, question, question, question)
    return Retrieval(query, tuple(h for h in hits if h.relevance >= bar), hits + more, {}, bar)


def shown(answer):
    return [p.snippet.id for p in answer.parts]


@pytest.fixture(scope="module")
def composer(engine):
    return Composer(K, engine.messages)


def lines_come_from_the_snippets(answer):
    """Every line of the short form is whole sentences of one shown snippet, with its citations."""
    sentences = {s for p in answer.parts for s in summary.sentences(p.snippet.body)}
    for line in (answer.lead, *answer.points):
        text = CITE_MARK.sub("", line).strip()
        assert CITE_MARK.search(line), line
        rest = text
        while rest:
            first = next((s for s in sentences if rest.startswith(s)), None)
            assert first is not None, f"not a sentence of a shown snippet: {rest!r}"
            rest = rest[len(first):].strip()


# --- the short form: a lead and at most three key points, the snippets in full behind them

def test_lead_and_key_points_are_whole_sentences_with_numbered_citations(composer, engine):
    answer = composer.evidence(retrieval(("side-effects", 0.8)))
    assert answer.lead == ("During a drip, people may feel strange, dizzy or sick to the stomach. [1][2]")
    assert 1 <= len(answer.points) <= 3
    assert answer.markdown == answer.lead + "\n\n" + "\n".join(f"- {p}" for p in answer.points)
    assert answer.details == (K.snippet("side-effects").body + " [1][2]",)
    assert "<ul>" in answer.html and "<li>" in answer.html
    assert [c.source.id for c in answer.citations] == ["review-a", "label-c"]
    lines_come_from_the_snippets(answer)
    check_answer(answer, K, engine.messages)


def test_the_json_contract_is_unchanged(composer):
    data = composer.evidence(retrieval(("review-pain", 0.8), ("clinic-improved", 0.78))).to_json()
    assert list(data) == ["kind", "answer", "answer_html", "certainty", "caveats", "citations", "snippets",
                          "suggestions", "understood_as"]
    assert isinstance(data["answer"], str) and data["answer"].count("\n- ") <= 3


def test_the_lead_carries_the_hedge_its_certainty_needs():
    body = ("In one clinic, 46 of 100 people felt better. The drips ran for five days. "
            "There was no comparison group, so we are very uncertain the drug caused it. Ask your doctor.")
    cut = summary.Cutter("did people get better").summarise([snip("clinic-improved", "c", body)])
    assert cut.lead == (0, 2)  # the claim, then its hedge; the sentence between waits
    low = snip("review-pain", "r", "Two small trials found less pain for a few days. Both were small. "
               "Ketamine may help some people.")
    assert summary.Cutter("q").summarise([low]).lead == (0, 2)
    short = snip("review-pain", "s", "Two trials found less pain. Both were small. Ketamine may help some people.")
    assert summary.Cutter("q").summarise([short]).lead == (0, 1, 2)  # 8 words at least, then the hedge


@pytest.mark.parametrize("body,lead,point", [
    ("No. Ketamine is not an opioid. It blocks a switch on nerve cells.", (0, 1, 2), (1,)),
    ("Yes. Ask your doctor first, and tell them about any other medicines.", (0, 1), (1,)),
    ("Not clear. Trials were small and short, and results varied.", (0, 1), (1,)),
])
def test_a_bare_reply_leads_with_the_next_sentence_but_is_left_out_of_a_key_point(body, lead, point):
    reply = snip("bladder", "reply", body, certainty="not-graded")
    assert summary.Cutter("q").opening(reply) == lead
    assert summary.Cutter("q").opening(reply, as_point=True)[0] == point[0]


@pytest.mark.parametrize("body,expected", [
    ("Drips are given in a clinic by trained staff. Most people go home the same day. "
     "These visits take about four hours. Bring a friend to drive you home.", [(1,), (2,), (3,)]),
    ("Drips are given in a clinic by trained staff. These visits take about four hours. "
     "They are often repeated. Bring a friend.", [(1,), (2,), (3,)]),  # each after the one it leans on
    ("The label lists bladder pain with long-term use. It also lists blood in the urine. Tell your doctor.",
     [(1,), (2,)]),
])
def test_a_sentence_that_leans_back_comes_after_the_one_it_leans_on(body, expected):
    cut = summary.Cutter("q", max_points=3).summarise([snip("bladder", "b", body, certainty="not-graded")])
    assert [group for _, group in cut.points] == expected


def test_a_sentence_leaning_on_one_that_leans_back_itself_is_skipped():
    body = ("Drips are given in a clinic by trained staff. Bring a friend to drive you home. "
            "These visits take about four hours. They are often repeated every week.")
    cut = summary.Cutter("repeated every week", max_points=1).summarise([snip("bladder", "b", body)])
    assert [group for _, group in cut.points] == [(1,)]
    cut = summary.Cutter("how long are these visits", max_points=1).summarise([snip("bladder", "b", body)])
    assert [group for _, group in cut.points] == [(1, 2)]  # "These visits..." comes with the sentence before it


def test_plain_sentences_come_before_hard_ones():
    body = ("Ketamine may help nerve pain for a short time. "
            "Methodological heterogeneity substantially compromised interpretability of pharmacological efficacy. "
            "Ask your doctor. Trials were small.")
    cut = summary.Cutter("nerve pain", max_points=2).summarise([snip("review-pain", "r", body)])
    assert [g for _, g in cut.points] == [(2,), (3,)]


def test_key_points_share_words_with_the_question_first():
    body = ("Ketamine may ease pain for a while. It is given as a drip. Relief lasted about two weeks. "
            "The trials were small.")
    cut = summary.Cutter("how long would the relief last", max_points=1).summarise([snip("review-pain", "r", body)])
    assert [g for _, g in cut.points] == [(2,)]


def test_no_key_point_repeats_a_line_already_shown():
    lead = snip("review-pain", "lead", "It is unclear whether ketamine helps chronic pain. "
                "The largest review found no clear evidence that it eases pain. Ask your doctor.")
    support = snip("review-pain", "support", "The largest review could not tell whether ketamine eases chronic pain "
                   "and found no clear evidence. It may help some.")
    cut = summary.Cutter("q", plain=frozenset({"ketamin", "chronic", "pain"})).summarise([lead, support])
    texts = [summary.text_of([lead, support][i], g) for i, g in cut.points]
    assert "The largest review found no clear evidence that it eases pain." not in texts


def test_a_sentence_about_another_medicine_is_left_out_when_the_question_names_one(composer):
    body = ("There is little evidence that ketamine helps migraine. A review of magnesium found unclear results. "
            "A guideline found weak evidence for ketamine drips. Trials of ketamine left out headache.")
    both = snip("review-pain", "both", body, drugs=("ketamine", "magnesium"))
    cutter = summary.Cutter("ketamine for migraine attacks", frozenset({"ketamine"}), composer.chooser.drug_names)
    texts = [summary.text_of(both, g) for _, g in cutter.summarise([both]).points]
    assert texts and not any("magnesium" in t for t in texts)
    # Asked about magnesium, the magnesium sentence is a key point, and a support opens on it.
    about_magnesium = summary.Cutter("magnesium for migraine attacks", frozenset({"magnesium"}), composer.chooser.drug_names)
    assert about_magnesium.opening(both, as_point=True)[0] == 1


def test_answers_stay_short(composer):
    long_body = " ".join(f"Sentence number {n} says one more plain thing about pain." for n in range(1, 13))
    big = snip("review-pain", "big", f"Ketamine may ease pain. {long_body}")
    answer = composer.evidence(retrieval((big, 0.8)))
    assert len(answer.points) <= 3
    assert len(answer_words(answer.markdown).split()) <= composer.config.max_words


# --- what is shown: supporting snippets only on the lead's drug and question

@pytest.mark.parametrize("lead,other", [
    ("side-effects", "bladder"),  # side effects, then bladder: another outcome
    ("review-pain", "magnesium"),  # pain with ketamine, then pain with magnesium: another drug
    ("bladder", "side-effects"),
])
def test_a_support_on_another_drug_or_outcome_is_left_out(composer, lead, other):
    answer = composer.evidence(retrieval((lead, 0.8), (other, 0.79)))
    assert shown(answer) == [lead]


def test_supports_on_the_same_drug_and_question_are_kept_and_numbered(composer, engine):
    twin = snip("side-effects", "side-effects-2", "A few people had a rise in blood pressure, so staff check it "
                "often. Most effects pass soon after the drip ends.", sources=("label-c",))
    answer = composer.evidence(retrieval(("side-effects", 0.8), (twin, 0.75)))
    assert shown(answer) == ["side-effects", "side-effects-2"]
    assert answer.parts[1].numbers == (2,) and answer.points[-1].endswith("[2]")
    lines_come_from_the_snippets(answer)


@pytest.mark.parametrize("lead_outcome,stray", [
    (("cost",), snip("review-pain", "cancer", "Evidence on cancer pain is not covered here.", outcomes=(),
                     conditions=("cancer-pain",))),  # "will insurance pay" -> a cancer-pain paragraph
    (("dependence",), snip("bladder", "bladder-recreational", "About half of recreational users got better. "
                           "We are very uncertain how it applies.", certainty="very-low", finding="uncertain")),
    (("access",), snip("magnesium", "magnesium-tablets", "Magnesium tablets are sold without a prescription.",
                       outcomes=("access",))),
])
def test_unrelated_paragraphs_are_left_out_and_do_not_change_the_certainty(composer, lead_outcome, stray):
    lead = snip("bladder", "lead", "Ask what the whole course costs. Ask what insurance covers.", outcomes=lead_outcome)
    answer = composer.evidence(retrieval((lead, 0.8), (stray, 0.78)))
    assert shown(answer) == ["lead"] and answer.certainty == "not-graded"


@pytest.mark.parametrize("question", [
    "is it safe to breastfeed after ketamine",
    "ketamine and breastfeeding",
    "can I breastfeed my baby after a drip",
])
def test_a_support_without_what_the_question_asks_is_left_out(composer, question):
    nursing = snip("side-effects", "breastfeeding", "Ask your doctor before breastfeeding after ketamine. "
                   "We are very uncertain whether it is safe to breastfeed.", certainty="very-low", finding="uncertain",
                   outcomes=("contraindications", "side-effects"), questions=("can I breastfeed after ketamine",))
    answer = composer.evidence(retrieval((nursing, 0.8), ("side-effects", 0.78), question=question))
    assert shown(answer) == ["breastfeeding"]


# --- "Studies disagree": the same question of benefit or harm, answered both ways

def test_opposite_findings_on_the_same_question_get_a_note_saying_why(composer):
    answer = composer.evidence(retrieval(("review-pain", 0.8), ("clinic-improved", 0.78)))
    assert answer.disagreement.startswith("Studies disagree")
    assert "no comparison group" in answer.disagreement  # trials against an observational study
    assert answer.caveats[1] == answer.disagreement


@pytest.mark.parametrize("outcome", ["bladder", "liver", "side-effects"])
def test_a_harm_and_an_uncertain_finding_do_not_disagree(composer, outcome):
    harm = snip("bladder", "harm", "Long-term use can harm it. Tell your doctor.", outcomes=(outcome,))
    unsure = snip("clinic-improved", "unsure", "In one survey, half got better after stopping. "
                  "We are very uncertain how this applies.", finding="uncertain", outcomes=(outcome,))
    answer = composer.evidence(retrieval((harm, 0.8), (unsure, 0.79)))
    assert shown(answer) == ["harm", "unsure"] and answer.disagreement == ""


def test_the_counterpart_with_the_opposite_finding_is_brought_in(composer):
    answer = composer.evidence(retrieval(("review-pain", 0.8), extra=[("clinic-improved", 0.4)]))
    assert shown(answer) == ["review-pain", "clinic-improved"] and answer.disagreement
    answer = composer.evidence(retrieval(("review-pain", 0.8), extra=[("clinic-improved", 0.2)]))
    assert shown(answer) == ["review-pain"] and not answer.disagreement  # below the bar: never shown


def test_a_counterpart_about_another_medicine_than_the_question_names_is_not_brought_in(composer):
    both = snip("review-pain", "both", drugs=("ketamine", "magnesium"))
    magnesium = snip("clinic-improved", "magnesium-benefit", drugs=("magnesium",))
    answer = composer.evidence(retrieval((both, 0.8), extra=[(magnesium, 0.5)], question="does ketamine help"))
    assert shown(answer) == ["both"]
    answer = composer.evidence(retrieval((both, 0.8), extra=[(magnesium, 0.5)], question="does magnesium help"))
    assert shown(answer) == ["both", "magnesium-benefit"] and answer.disagreement


def _finding(finding, **meta):
    return snip("review-pain", f"s-{finding}-{len(meta)}", finding=finding, **meta)


@pytest.mark.parametrize("a,b,expected", [
    (_finding("benefit"), _finding("no-clear-benefit"), True),
    (_finding("harm", outcomes=("liver",)), _finding("no-clear-harm", outcomes=("liver",)), True),
    (_finding("harm", outcomes=("liver",)), _finding("uncertain", outcomes=("liver",)), False),
    (_finding("benefit"), _finding("uncertain"), False),
    (_finding("benefit"), _finding("harm"), False),
    (_finding("benefit"), _finding("no-clear-benefit", drugs=("magnesium",)), False),
    (_finding("benefit"), _finding("no-clear-benefit", outcomes=("function",)), False),
    (_finding("benefit", conditions=("fibromyalgia",)), _finding("no-clear-benefit", conditions=("crps",)), False),
    (_finding("benefit", conditions=("fibromyalgia",)), _finding("no-clear-benefit", conditions=()), True),
])
def test_opposed_means_same_drug_same_outcome_opposite_direction(a, b, expected):
    assert opposed(a, b) is expected and opposed(b, a) is expected


def test_why_they_differ_reads_the_designs_of_the_sources():
    assert why_they_differ(K.snippet("review-pain"), K.snippet("clinic-improved"), K) == "trial_vs_observational"
    assert why_they_differ(K.snippet("review-pain"), K.snippet("magnesium"), K) == "reviews_differ"
    assert why_they_differ(K.snippet("bladder"), K.snippet("clinic-improved"), K) == "other"


def test_same_question_reads_outcomes_conditions_and_topic():
    assert same_question(K.snippet("review-pain"), K.snippet("clinic-improved"))
    assert not same_question(K.snippet("review-pain"), K.snippet("fibro"))  # chronic pain vs fibromyalgia
    assert not same_question(K.snippet("side-effects"), K.snippet("bladder"))
    no_outcome = snip("bladder", "x", outcomes=())
    assert same_question(no_outcome, snip("bladder", "y", outcomes=()))  # same folder
    assert not same_question(no_outcome, snip("review-pain", "z", outcomes=()))


# --- follow-ups: the earlier drug or condition, the new question's answer first

NERVE_SIDE_EFFECTS = snip("side-effects", "nerve-side-effects", "In the nerve pain review, trip-like effects "
                          "may have been 5 times as common.", conditions=("neuropathic-pain",), routes=("iv",))
GENERAL_SIDE_EFFECTS = snip("side-effects", "study-side-effects", "The study reported no adverse events. "
                            "We are very uncertain about its safety results.", certainty="very-low",
                            finding="uncertain", conditions=("chronic-pain",), routes=())


@pytest.mark.parametrize("focus", [
    FollowUp(drug="ketamine", condition="neuropathic-pain", asks=frozenset({"side", "effect"})),
    FollowUp(drug="ketamine", condition="neuropathic-pain", asks=frozenset({"risk"})),
    FollowUp(drug="ketamine", route="iv", asks=frozenset({"side", "effect"})),
])
def test_a_follow_up_leads_with_the_answer_to_the_new_question_in_the_earlier_focus(composer, focus):
    found = retrieval((GENERAL_SIDE_EFFECTS, 0.78), (NERVE_SIDE_EFFECTS, 0.7))
    assert shown(composer.evidence(found))[0] == "study-side-effects"  # a new question: the best hit
    assert shown(composer.evidence(found, focus=focus))[0] == "nerve-side-effects"


@pytest.mark.parametrize("asks", [{"bladder"}, {"pee"}, {"bladder", "damag"}])
def test_a_follow_up_asking_something_new_does_not_lead_with_the_earlier_question(composer, asks):
    focus = FollowUp(drug="ketamine", condition="fibromyalgia", asks=frozenset(asks))
    answer = composer.evidence(retrieval(("bladder", 0.8), ("fibro", 0.75)), focus=focus)
    assert shown(answer) == ["bladder"]


@pytest.mark.parametrize("focus", [
    FollowUp(drug="memantine", condition="fibromyalgia"),  # "and memantine?" after fibromyalgia
    FollowUp(drug="memantine", condition="fibromyalgia", route="oral"),
    FollowUp(condition="fibromyalgia"),
])
def test_a_follow_up_that_only_swaps_a_facet_keeps_the_earlier_question(composer, focus):
    what_is = snip("magnesium", "what-is-memantine", "Memantine is a medicine for dementia.",
                   drugs=("memantine",), outcomes=("approval",), conditions=("chronic-pain",))
    for_fibro = snip("fibro", "memantine-fibro", drugs=("ketamine", "memantine"), routes=("oral",))
    answer = composer.evidence(retrieval((what_is, 0.76), (for_fibro, 0.6)), focus=focus)
    assert shown(answer)[0] == "memantine-fibro"


# --- a medicine the question names: a snippet only about others never answers it

BREASTFEEDING = snip("side-effects", "breastfeeding", "Ask your doctor before breastfeeding after ketamine. "
                     "We are very uncertain whether it is safe to breastfeed.", certainty="very-low", finding="uncertain",
                     outcomes=("contraindications", "side-effects"), conditions=(),
                     questions=("can I breastfeed after ketamine", "is ketamine in breast milk"))
MEMANTINE_SIDE_EFFECTS = snip("magnesium", "memantine-side-effects", "Memantine can make people dizzy.",
                              drugs=("memantine",), outcomes=("side-effects",), finding="harm")


@pytest.mark.parametrize("question", [
    "is memantine fine while breastfeeding",
    "can I breastfeed if I take memantine",
    "memantine and breastfeeding a baby",
])
def test_no_answer_when_only_other_medicines_answer_the_question(composer, question):
    found = retrieval((BREASTFEEDING, 0.58), (MEMANTINE_SIDE_EFFECTS, 0.5), question=question)
    assert not composer.answers(found)
    memantine_nursing = replace(BREASTFEEDING, id="memantine-breastfeeding", drugs=("memantine",))
    found = retrieval((BREASTFEEDING, 0.58), (memantine_nursing, 0.55), question=question)
    assert composer.answers(found) and shown(composer.evidence(found))[0] == "memantine-breastfeeding"


def test_a_question_naming_no_medicine_or_the_lead_s_is_answered_as_before(composer):
    found = retrieval((BREASTFEEDING, 0.58), (MEMANTINE_SIDE_EFFECTS, 0.5), question="can I breastfeed after a drip")
    assert composer.answers(found) and shown(composer.evidence(found))[0] == "breastfeeding"
    found = retrieval((BREASTFEEDING, 0.58), question="ketamine while breastfeeding")
    assert composer.answers(found)
    assert not composer.answers(retrieval((BREASTFEEDING, 0.2), question="q"))  # nothing above the bar


# --- certainty, suggestions, rendering, no evidence

def test_certainty_is_computed_from_cited_snippets(composer, engine):
    assert overall_certainty([K.snippet("review-pain")]) == "low"
    assert overall_certainty([K.snippet("bladder")]) == "not-graded"
    assert overall_certainty([K.snippet("review-pain"), K.snippet("bladder")]) == "low"
    assert overall_certainty([]) == "none"
    mixed = composer.evidence(retrieval(("review-pain", 0.8), ("clinic-improved", 0.78)))
    assert mixed.certainty == "mixed"
    assert "low and very low" in mixed.certainty_line
    check_answer(mixed, K, engine.messages)


def test_suggestions_come_from_related_snippets_not_shown(composer):
    answer = composer.evidence(retrieval(("fibro", 0.8), extra=[("bladder", 0.1), ("magnesium", 0.1)]))
    assert answer.suggestions == ("Can ketamine hurt my bladder?",)  # magnesium is another drug


def test_no_evidence_lists_what_is_covered(composer, engine):
    answer = composer.no_evidence("tell me about gout")
    assert answer.kind == "no_evidence" and answer.covers and answer.suggestions
    assert answer.parts == () and answer.citations == () and answer.certainty == "none"
    assert answer.lead == "" and answer.points == () and answer.details == ()
    check_answer(answer, K, engine.messages)


def test_design_in_plain_words():
    assert describe(K.source("review-a")) == "a review of 67 studies with 2,309 people"
    assert describe(K.source("clinic-b")) == "an observational study with 1,034 people"
    assert describe(K.source("label-c")) == "an official drug label or regulator's notice"


def test_render_html_links_citations_and_sanitises():
    html = render_html("Text [1] <script>alert(1)</script> [x](javascript:alert(2)) <b onclick=x>b</b>", "a1")
    assert '<sup><a href="#a1-src-1">[1]</a></sup>' in html
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html


# --- the measure python -m bot eval prints

def test_answer_stats_count_words_without_marks_and_flag_supports_off_the_lead_s_topic(composer):
    assert answer_words("Ketamine may help. [1][2]\n\n- It is given as a drip. [1]") == \
        "Ketamine may help. It is given as a drip."
    assert measured_on_topic(K.snippet("clinic-improved"), K.snippet("review-pain"))
    assert not measured_on_topic(K.snippet("bladder"), K.snippet("side-effects"))
    assert not measured_on_topic(K.snippet("magnesium"), K.snippet("review-pain"))

    class Case:
        question, expected, kind, history = "q", ("side-effects",), "answer", ()
    answer = composer.evidence(retrieval(("side-effects", 0.8)))
    stray = replace(answer, parts=answer.parts + composer.evidence(retrieval(("bladder", 0.8))).parts)
    stats = measure([Case, Case], [answer, stray])
    assert stats["evidence_answers"] == 2 and stats["lead_at_1"] == 1.0
    assert stats["off_topic_answers"] == 1 and stats["off_topic"][0]["off_topic"] == ["bladder"]


ADVERSARIAL = st.sampled_from([
    "<script>alert(1)</script> ketamine pain", "[click](javascript:alert(1)) fibro",
    "<img src=x onerror=alert(1)>", "ketamine " + "a" * 3000, "data:text/html,<b>x</b> bladder",
    "\x00\x01 side effects \u202e", "DROP TABLE snippets; -- pain", "ketamine" * 200,
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.one_of(st.text(max_size=300), ADVERSARIAL),
       history=st.lists(st.one_of(st.text(max_size=50), ADVERSARIAL), max_size=6))
def test_composer_never_raises_never_leaks_html_never_cites_missing(engine, question, history):
    try:
        answer = engine.ask(question, history=history)
    except InputError:  # only an empty question, or one over the limit, may be refused
        assert normalize(question) == "" or len(normalize(question)) > engine.settings.max_question_chars
        return
    check_answer(answer, K, engine.messages)
    if answer.parts:
        lines_come_from_the_snippets(answer)
