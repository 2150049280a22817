import pytest

from bot.errors import InputError
from bot.knowledge.load import Lexicon, load_knowledge
from bot.search.question import Expander
from tests.conftest import FIXTURE_KNOWLEDGE


@pytest.fixture(scope="module")
def expander():
    return Expander(load_knowledge(FIXTURE_KNOWLEDGE).lexicon)


def test_expander_adds_clinical_terms_and_shows_them(expander):
    query = expander.expand("Does a ketamin DRIP help my nerve pain?")
    assert query.expanded.endswith("ketamine intravenous infusion neuropathic pain")
    assert query.understood_as == "does a ketamine intravenous infusion help my neuropathic pain?"
    assert [t for t, _ in query.expansions] == ["ketamin", "drip", "nerve pain"]


def test_expander_matches_whole_words_only(expander):
    query = expander.expand("tripod and fibrous dripping")
    assert query.expansions == ()
    assert query.understood_as == "tripod and fibrous dripping"


def test_expander_shows_several_targets_in_brackets(expander):
    assert expander.expand("will it make me trip").understood_as == \
        "will it make me trip (hallucinations, dissociation)"


def test_search_finds_the_matching_snippet_with_ranks(engine):
    retrieval = engine.retriever.search("does ketamine help fibro")
    top = retrieval.hits[0]
    assert top.snippet.id == "fibro"
    assert top.bm25_rank == 1 and top.dense_rank == 1
    assert top.relevance >= engine.retriever.config.min_similarity
    assert set(retrieval.timings) == {"expansion", "bm25", "embedding", "vector_search", "fusion"}


def test_unrelated_question_falls_below_the_bar(engine):
    retrieval = engine.retriever.search("best pizza toppings in naples")
    assert retrieval.hits == () and not retrieval.relevant
    assert retrieval.ranked  # candidates exist, the bar removed them


def test_hits_never_include_snippets_below_the_bar(engine):
    for question in ("bladder pain", "magnesium tablets", "side effects of the drip"):
        retrieval = engine.retriever.search(question)
        assert all(h.relevance >= retrieval.bar for h in retrieval.hits)


def test_convex_fusion_is_available(fake_settings):
    from bot.engine import Engine
    from bot.search.retrieve import RetrievalConfig
    from tests.fakes import HashEmbedder

    engine = Engine(fake_settings, HashEmbedder(), RetrievalConfig(fusion="convex", min_similarity=0.2))
    assert engine.retriever.search("bladder problems pee").hits[0].snippet.id == "bladder"


@pytest.mark.parametrize("bad", ["", "   ", None, 42])
def test_empty_or_non_text_question_is_an_input_error(engine, bad):
    with pytest.raises(InputError):
        engine.retriever.search(bad)


def test_snippets_line_up_with_index_rows(engine):
    knowledge = load_knowledge(FIXTURE_KNOWLEDGE)
    assert [s.id for s in engine.retriever.snippets] == [s.id for s in knowledge.snippets]


def test_search_works_on_a_compact_index(tmp_path, monkeypatch):
    from bot.engine import Engine, build_index
    from bot.index import store as index
    from bot.search.retrieve import RetrievalConfig
    from bot.settings import Settings
    from tests.fakes import HashEmbedder

    monkeypatch.setattr(index, "COMPACT_THRESHOLD", 3)
    settings = Settings(knowledge_dir=FIXTURE_KNOWLEDGE, index_dir=tmp_path / "index")
    build_index(settings, HashEmbedder())
    engine = Engine(settings, HashEmbedder(), RetrievalConfig(min_similarity=0.2))
    hit = engine.retriever.search("does ketamine help fibro").hits[0]
    assert hit.snippet.id == "fibro" and hit.question_similarity == -1.0


def test_snippets_about_other_drugs_rank_lower_when_a_drug_is_named(engine):
    plain = engine.retriever.search("nerve pain side effects during a drip", k=6).ranked
    named = engine.retriever.search("nerve pain side effects during a drip", k=6, drug="magnesium").ranked
    factor = engine.retriever.config.drug_mismatch
    scores = {h.snippet.id: h.score for h in plain}
    for hit in named:
        expected = scores[hit.snippet.id] * (1.0 if "magnesium" in hit.snippet.drugs else factor)
        assert hit.score == pytest.approx(expected)
    assert [h.score for h in named] == sorted((h.score for h in named), reverse=True)
    assert [h.snippet.id for h in named].index("magnesium") <= [h.snippet.id for h in plain].index("magnesium")


@pytest.mark.parametrize("question, shown", [
    ("ketamine for nerve pain pain", "ketamine for neuropathic pain"),
    ("does a drip help nerve pain", "does a intravenous infusion help neuropathic pain"),
    ("painful nerve pain painkillers", "painful neuropathic pain painkillers"),
])
def test_understood_as_never_repeats_the_last_word_of_a_replacement(expander, question, shown):
    assert expander.expand(question).understood_as == shown


def test_a_carried_condition_is_not_shown_as_nerve_pain_pain():
    """The real lexicon reads "neuropathic" as "nerve pain"; a follow-up carries "neuropathic pain"."""
    lexicon = Lexicon(expansions=(("neuropathic", ("nerve pain",)),), jargon=())
    query = Expander(lexicon).expand("what about side effects? (ketamine, neuropathic pain)")
    assert query.understood_as == "what about side effects? (ketamine, nerve pain)"
    assert query.expanded.endswith("nerve pain")  # the search still gets the expansion


def test_understood_as_does_not_repeat_the_term_among_its_readings():
    lexicon = Lexicon(expansions=(("nerve pain", ("neuropathic pain", "nerve pain")),), jargon=())
    query = Expander(lexicon).expand("Does ketamine help nerve pain?")
    assert query.understood_as == "does ketamine help nerve pain (neuropathic pain)?"
    assert query.expanded.endswith("neuropathic pain nerve pain")  # the search terms are unchanged
