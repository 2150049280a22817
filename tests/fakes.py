"""Fast, deterministic stand-ins for the real model (unit tests only)."""

from __future__ import annotations

import re
import zlib

import numpy as np

from bot.enums import Route
from bot.text import tokenize
from bot.triage.router import Reading, Router


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


class KeywordRouter(Router):
    """Reads the route from a few keywords instead of the trained classifier, so unit tests of the
    engine's wiring do not depend on what a model learned from hashed bag-of-words vectors. The
    trained router itself is tested with the real model (tests/test_routing_real.py)."""

    RULES = (
        (Route.ABUSE, r"\b(hits me|hurts me|raped|assaulted)\b"),
        (Route.SUBSTANCE_HELP, r"\b(hooked|addicted|can'?t stop using)\b"),
        (Route.ILLICIT, r"\b(buy|get high|for fun|recreational)\b"),
        (Route.SYMPTOM, r"\b(since my|after my) (drip|infusion|lozenges?)\b"),
        (Route.PERSONAL_ADVICE, r"\b(should i|what dose|can i take|how much .* should i)\b"),
        (Route.OUT_OF_SCOPE, r"\b(weather|poem|recipe|football|router)\b"),
    )

    @classmethod
    def like(cls, router: Router) -> KeywordRouter:
        return cls(None, router.floor, router.coverage, router.relevance)

    def read(self, question):
        for route, pattern in self.RULES:
            if re.search(pattern, question.folded):
                return Reading(route, {route: 1.0})
        return Reading(Route.INFO, {Route.INFO: 1.0})
