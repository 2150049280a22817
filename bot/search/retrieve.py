"""Hybrid retrieval of a parsed question: BM25 + dense search + lay-question search, fused, with a relevance bar."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from bot.cache import LRU
from bot.errors import InputError
from bot.index.embed import Embedder
from bot.index.store import Index
from bot.knowledge.load import Knowledge, Snippet
from bot.search import fusion
from bot.search.question import Query, Question, QuestionParser
from bot.text import tokenize


@dataclass(frozen=True)
class Hit:
    snippet: Snippet
    score: float  # fused score (higher is better)
    bm25_rank: int | None  # 1-based rank in the BM25 list, None if not among its candidates
    dense_rank: int | None
    similarity: float  # cosine between the question and the snippet
    question_similarity: float = -1.0  # cosine to the closest of the snippet's lay questions

    @property
    def relevance(self) -> float:
        """How close the snippet is to the question: its text or one of its lay questions."""
        return max(self.similarity, self.question_similarity)


@dataclass(frozen=True)
class Retrieval:
    query: Query
    hits: tuple[Hit, ...]  # above the relevance bar, best first; empty means "no evidence"
    ranked: tuple[Hit, ...]  # every fused candidate, best first, bar or not (for eval)
    timings: Mapping[str, float] = field(default_factory=dict)  # stage -> milliseconds
    bar: float = 0.0  # the relevance bar the hits passed
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)  # the query embedding

    @property
    def relevant(self) -> bool:
        return bool(self.hits)


@dataclass(frozen=True)
class RetrievalConfig:
    fusion: str = "rrf"  # "rrf" or "convex"
    rrf_k: float = 10.0
    dense_weight: float = 0.6  # convex only; BM25 gets the rest
    candidates: int = 30  # how many each ranker contributes
    keep: int = 20  # fused candidates kept (hits, suggestions and eval read from these)
    min_similarity: float = 0.40  # relevance bar: cosine to the snippet or one of its lay questions
    dense_text: str = "normalized"  # embed the "expanded" or the "normalized" question
    embedding_cache: int = 2048  # query embeddings kept (0 turns the cache off)
    drug_mismatch: float = 0.7  # fused-score factor for snippets only about other drugs than the one asked about


class Retriever:
    def __init__(self, knowledge: Knowledge, index: Index, embedder: Embedder,
                 config: RetrievalConfig | None = None, parser: QuestionParser | None = None):
        self.knowledge, self.index, self.embedder = knowledge, index, embedder
        self.config = config or RetrievalConfig()
        self.parser = parser or QuestionParser(knowledge)
        self.snippets = tuple(knowledge.snippet(i) for i in index.ids)
        self.vectors = LRU(self.config.embedding_cache)

    def search(self, question: Question | str, k: int = 3, context: Sequence[str] = (),
               dense_context: Sequence[str] | None = None, drug: str | None = None) -> Retrieval:
        """Hits for the question (a parsed Question; a string is parsed first).

        `context` holds terms carried over from earlier turns: BM25 weighs them lower, and the
        dense search sees only `dense_context` of them (default: all), so that the question's
        own words keep the lead. `drug`: the medicine the question names, if any; snippets about
        other medicines only are ranked lower.
        """
        if isinstance(question, str):
            question = self.parser.parse(question)
        if not isinstance(question, Question) or not question.text:
            raise InputError("the question is empty")
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        own = question.query
        query = self._with(question, context) if context else own
        clock = _tick(timings, "expansion", clock)
        own_tokens = set(question.tokens)
        context_tokens = [t for t in tokenize(query.expanded) if t not in own_tokens] if context else []
        bm25_scores = self.index.bm25.scores(question.tokens, context_tokens)
        bm25_list = _top(bm25_scores, self.config.candidates, positive_only=True)
        clock = _tick(timings, "bm25", clock)
        dense_context = context if dense_context is None else dense_context
        dense_query = self._with(question, dense_context) if dense_context else own
        dense_text = dense_query.expanded if self.config.dense_text == "expanded" else dense_query.normalized
        # the router already embedded the question itself: no second model run, cache or not
        vector = question.vector if question.vector is not None and dense_text == question.text \
            else self.embed(dense_text)
        clock = _tick(timings, "embedding", clock)
        n = min(self.config.candidates, self.index.vectors.ntotal)
        sims, rows = self.index.vectors.search(vector[None, :], n)
        dense = {int(r): float(s) for r, s in zip(rows[0], sims[0], strict=True) if r >= 0}
        asked = self._question_matches(vector)
        clock = _tick(timings, "vector_search", clock)
        ranked = self._fuse(bm25_list, bm25_scores, dense, asked, vector)
        if drug and self.config.drug_mismatch != 1.0:
            ranked = sorted((replace(h, score=h.score * self.config.drug_mismatch)
                             if h.snippet.drugs and drug not in h.snippet.drugs else h for h in ranked),
                            key=lambda h: -h.score)
        hits = tuple(h for h in ranked if h.relevance >= self.config.min_similarity)[:k]
        _tick(timings, "fusion", clock)
        return Retrieval(query, hits, tuple(ranked), timings, self.config.min_similarity, vector)

    def embed(self, text: str) -> np.ndarray:
        """The text's unit-length vector (remembered: the router and the search share it)."""
        vector = self.vectors.get(text)
        if vector is None:
            vector = self.embedder.encode([text])[0]
            vector.setflags(write=False)
            self.vectors.put(text, vector)
        return vector

    def nearest(self, vector: np.ndarray) -> float:
        """The best cosine to any snippet text or lay question (the router's relevance signal)."""
        best = float(self.index.vectors.search(vector[None, :], 1)[0][0][0])
        if self.index.questions.ntotal:
            best = max(best, float(self.index.questions.search(vector[None, :], 1)[0][0][0]))
        return best

    def _with(self, question: Question, terms: Sequence[str]) -> Query:
        """The question with terms carried from earlier turns, as searched."""
        return self.parser.expand(f"{question.text} ({', '.join(terms)})")

    def _question_matches(self, vector: np.ndarray) -> dict[int, float]:
        """Snippets whose lay questions are closest to the question: row -> best cosine."""
        n = min(self.config.candidates * 3, self.index.questions.ntotal)
        if n == 0:
            return {}  # a compact index has no lay-question vectors
        sims, rows = self.index.questions.search(vector[None, :], n)
        best: dict[int, float] = {}
        for row, sim in zip(rows[0], sims[0], strict=True):
            if row >= 0:
                owner = int(self.index.question_owner[row])
                best.setdefault(owner, float(sim))
        return dict(list(best.items())[: self.config.candidates])

    def _fuse(self, bm25_list: list[int], bm25_scores: np.ndarray, dense: dict[int, float],
              asked: dict[int, float], vector: np.ndarray) -> list[Hit]:
        dense_list = list(dense)
        if self.config.fusion == "convex":
            fused = fusion.convex([{i: float(bm25_scores[i]) for i in bm25_list}, dense, asked],
                                  [1 - self.config.dense_weight, self.config.dense_weight / 2,
                                   self.config.dense_weight / 2])
        else:
            fused = fusion.rrf([bm25_list, dense_list, list(asked)], k=self.config.rrf_k)
        bm25_rank = {item: r for r, item in enumerate(bm25_list, start=1)}
        dense_rank = {item: r for r, item in enumerate(dense_list, start=1)}
        order = fusion.ranked(fused)[: self.config.keep]
        missing = [item for item in order if item not in dense]
        if missing:  # BM25-only candidates: their cosines in one batch
            vectors = self.index.vectors.reconstruct_batch(np.asarray(missing, dtype=np.int64))
            dense = {**dense, **dict(zip(missing, (vectors @ vector).tolist(), strict=True))}
        return [Hit(self.snippets[item], fused[item], bm25_rank.get(item), dense_rank.get(item),
                    dense[item], asked.get(item, -1.0)) for item in order]


def _top(scores: np.ndarray, n: int, positive_only: bool = False) -> list[int]:
    candidates = np.flatnonzero(scores > 0) if positive_only else np.arange(len(scores))
    if len(candidates) > n:
        part = np.argpartition(-scores[candidates], n - 1)[:n]
        candidates = candidates[part]
    order = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
    return order


def _tick(timings: dict[str, float], stage: str, start: float) -> float:
    now = time.perf_counter()
    timings[stage] = (now - start) * 1000.0
    return now
