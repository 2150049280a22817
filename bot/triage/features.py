"""What the router reads from a question: its MiniLM vector plus a few signals the engine already
computes. The same functions make the features at training time (build, --cross) and per request.
"""

from __future__ import annotations

import re

import numpy as np

from bot.search.question import Question
from bot.triage.coverage import Coverage

SIGNALS = ("relevance", "names_medicine", "domain_word", "rare_word", "other_treatment", "first_person")
FIRST_PERSON = re.compile(r"\b(i|i'?m|i'?ve|i'?d|me|my|myself|mine)\b")


def signals(question: Question, coverage: Coverage, relevance: float) -> np.ndarray:
    """How close the nearest evidence is, and whether the question names one of our medicines,
    uses a word of our subject, has a word nothing in the knowledge base knows, names a treatment we
    do not cover, or speaks of the asker."""
    return np.array([
        relevance,
        question.named.drug is not None,
        coverage.mentions_domain(question.text),
        bool(question.rare),
        coverage.other_treatment(question) is not None,
        bool(FIRST_PERSON.search(question.folded)),
    ], dtype=np.float32)


def features(vectors: np.ndarray, signal_rows: np.ndarray) -> np.ndarray:
    """One row per question: the unit-length vector, then the signals."""
    return np.hstack([np.atleast_2d(vectors), np.atleast_2d(signal_rows)]).astype(np.float32)


def top_relevance(vectors: np.ndarray, snippet_vectors: np.ndarray, question_vectors: np.ndarray) -> np.ndarray:
    """Each question's best cosine to a snippet text or one of the snippets' lay questions."""
    best = (vectors @ snippet_vectors.T).max(axis=1)
    if len(question_vectors):
        best = np.maximum(best, (vectors @ question_vectors.T).max(axis=1))
    return best.astype(np.float32)
