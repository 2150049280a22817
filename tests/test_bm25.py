import numpy as np
from rank_bm25 import BM25Okapi

from bot.index.bm25 import BM25Matrix
from bot.knowledge.load import load_knowledge
from bot.text import tokenize
from tests.conftest import FIXTURE_KNOWLEDGE


def _corpus():
    return [tokenize(s.search_text()) for s in load_knowledge(FIXTURE_KNOWLEDGE).snippets]


def test_sparse_scores_equal_rank_bm25():
    corpus = _corpus()
    reference = BM25Okapi(corpus, k1=1.5, b=0.75, epsilon=0.25)
    matrix = BM25Matrix.from_tokens(corpus)
    for query in ("ketamine pain", "bladder pee pee", "magnesium nerve pain tablets", "unknownword"):
        tokens = tokenize(query)
        assert np.allclose(matrix.scores(tokens), reference.get_scores(tokens), rtol=1e-5, atol=1e-6)


def test_round_trip_through_bytes(tmp_path):
    matrix = BM25Matrix.from_tokens(_corpus())
    names = matrix.save(tmp_path)
    loaded = BM25Matrix.from_bytes(*((tmp_path / n).read_bytes() for n in names))
    assert np.allclose(loaded.scores(["ketamin"]), matrix.scores(["ketamin"]))
