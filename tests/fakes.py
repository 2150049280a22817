"""Fast, deterministic stand-ins for the real model (unit tests only)."""

from __future__ import annotations

import zlib

import numpy as np

from bot.text import tokenize


class HashEmbedder:
    """Bag of stemmed words hashed into a fixed number of dimensions, L2-normalised.

    Texts that share words get similar vectors, which is all retrieval tests need.
    """

    def __init__(self, dim: int = 256, model_id: str = "fake-hash-256"):
        self.dim, self.model_id = dim, model_id
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text):
                out[row, zlib.crc32(token.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


class FailingEmbedder(HashEmbedder):
    """Fails part-way through a build, to prove a crash leaves the old index alone.
    (Another model id, so the build cannot reuse the old index's vectors and must embed.)"""

    def __init__(self):
        super().__init__(model_id="fake-failing")

    def encode(self, texts):
        raise RuntimeError("simulated crash while embedding")
