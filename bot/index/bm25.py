"""BM25 as a precomputed sparse matrix, built from rank-bm25's own statistics.

rank-bm25 scores every document in Python for each query term; here its per-term weights are
computed once at build time (doc x term, Okapi formula, same k1, b and idf), so a query is one
sparse column slice and a dot product. A test checks the scores equal rank-bm25's.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi
from scipy import sparse

K1, B, EPSILON = 1.5, 0.75, 0.25


class BM25Matrix:
    def __init__(self, weights: sparse.csc_matrix, vocab: dict[str, int]):
        self.weights = weights
        self.vocab = vocab

    @property
    def n_docs(self) -> int:
        return self.weights.shape[0]

    @classmethod
    def from_tokens(cls, token_lists: Sequence[Sequence[str]]) -> BM25Matrix:
        okapi = BM25Okapi([list(t) for t in token_lists], k1=K1, b=B, epsilon=EPSILON)
        vocab = {term: i for i, term in enumerate(sorted(okapi.idf))}
        rows, cols, data = [], [], []
        for doc, (freqs, length) in enumerate(zip(okapi.doc_freqs, okapi.doc_len, strict=True)):
            norm = K1 * (1 - B + B * length / okapi.avgdl)
            for term, tf in freqs.items():
                rows.append(doc)
                cols.append(vocab[term])
                data.append(okapi.idf[term] * tf * (K1 + 1) / (tf + norm))
        shape = (len(token_lists), len(vocab))
        weights = sparse.csc_matrix((np.asarray(data, dtype=np.float32), (rows, cols)), shape=shape)
        return cls(weights, vocab)

    def scores(self, query_tokens: Sequence[str], context_tokens: Sequence[str] = (),
               context_weight: float = 0.3) -> np.ndarray:
        """BM25 score of every document (repeated query terms count again, as in rank-bm25).

        Context tokens (carried over from earlier turns) count with a smaller weight.
        """
        counts: Counter = Counter(t for t in query_tokens if t in self.vocab)
        for token in context_tokens:
            if token in self.vocab:
                counts[token] += context_weight
        scores = np.zeros(self.n_docs, dtype=np.float32)
        indptr, indices, data = self.weights.indptr, self.weights.indices, self.weights.data
        for token, weight in counts.items():
            col = self.vocab[token]
            start, end = indptr[col], indptr[col + 1]
            scores[indices[start:end]] += weight * data[start:end]  # rows within a column are unique
        return scores

    def save(self, folder: Path) -> list[str]:
        sparse.save_npz(folder / "bm25_weights.npz", self.weights, compressed=False)
        (folder / "bm25_vocab.json").write_text(json.dumps(self.vocab, separators=(",", ":")))
        return ["bm25_weights.npz", "bm25_vocab.json"]

    @classmethod
    def from_bytes(cls, weights_npz: bytes, vocab_json: bytes) -> BM25Matrix:
        weights = sparse.load_npz(io.BytesIO(weights_npz)).tocsc()
        vocab = json.loads(vocab_json)
        if weights.shape[1] != len(vocab):
            raise ValueError("BM25 weights and vocabulary disagree")
        return cls(weights, vocab)
