"""Training the router (at `python -m bot build`, and for `python -m bot eval --cross`).

scikit-learn's multinomial logistic regression on the features of each labelled row; the stored
weights are the mean of several fits on bootstrap samples of the rows (bagging: steadier
boundaries). Safety thresholds come from out-of-fold probabilities on the training rows themselves:
the highest probability at which each safety route still keeps its recall target. Deterministic:
fixed folds, fixed seed, fixed solver, rows in file order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.enums import Route
from bot.search.question import QuestionParser
from bot.triage.coverage import Coverage
from bot.triage.features import SIGNALS, features, signals, top_relevance
from bot.triage.model import GUARDED_ROUTES, SAFETY_ROUTES, RouterModel


@dataclass(frozen=True)
class TrainingConfig:
    # Chosen by leave-one-set-out runs of the classifier (docs/routing.md): unweighted classes route
    # about 0.97 of held-out questions right against 0.87 with balanced weights, which pushed
    # ordinary questions into the small safety classes.
    c: float = 4.0  # inverse regularisation strength
    folds: int = 5
    recall_target: float = 0.97  # out-of-fold recall each safety route must keep
    lowest_threshold: float = 0.35  # never take a safety route on less than this probability
    highest_threshold: float = 0.5
    balanced: bool = False  # weight classes to balance them (else each row counts once)
    # A safety route needs a message at least as close to one of its examples as all but this share
    # of its own examples come to their nearest sibling (an open-set guard against messages unlike
    # any training example, which a linear model may still score high).
    support_quantile: float = 0.1
    info_support_quantile: float = 0.02  # the same for `info`, applied only to messages with no word of our subject
    # The stored weights average this many models, each fitted on a bootstrap sample of the rows (fixed
    # seed): a single fit moved borderline messages whenever a few examples were added. Measured against
    # one fit on the same rows: false urgent replies on CLINC150 16 -> 13 and MedQuAD 9 -> 6, two false
    # emergencies fewer on v4 and one false crisis fewer on v6 (left out), v7 emergency recall 0.7 -> 0.8;
    # two dev illicit questions were missed when dev was left out.
    bags: int = 8


def feature_rows(texts: Sequence[str], vectors: np.ndarray, parser: QuestionParser, coverage: Coverage,
                 snippet_vectors: np.ndarray, question_vectors: np.ndarray) -> np.ndarray:
    """The router's features for texts whose (unit-length) vectors are given."""
    relevance = top_relevance(vectors, snippet_vectors, question_vectors)
    signal_rows = np.vstack([signals(parser.parse(text), coverage, float(r)) for text, r in zip(texts, relevance,
                                                                                                 strict=True)])
    return features(vectors, signal_rows)


def fit(x: np.ndarray, labels: Sequence[Route], training_hash: str = "",
        config: TrainingConfig | None = None, progress: Callable[[str], None] | None = None) -> RouterModel:
    config = config or TrainingConfig()
    say = progress or (lambda message: None)
    y = np.array([str(label) for label in labels])
    say(f"training the router on {len(y)} labelled rows")
    classes, final = _fit(x, y, config)
    bagged = _bagged(x, y, config, classes) if config.bags else None
    coef, intercept = bagged or (final.coef_, final.intercept_)
    out_of_fold = _out_of_fold(x, y, config, classes)
    thresholds = {route: _threshold(out_of_fold, y, classes, route, config) for route in SAFETY_ROUTES
                  if str(route) in classes}
    vectors = x[:, :x.shape[1] - len(SIGNALS)]
    keep = np.isin(y, [str(r) for r in GUARDED_ROUTES])
    support_thresholds = {route: _support_threshold(vectors[y == str(route)], config.info_support_quantile
                                                    if route == Route.INFO else config.support_quantile)
                          for route in GUARDED_ROUTES if (y == str(route)).sum() >= 2}
    return RouterModel(tuple(Route(c) for c in classes), coef.astype(np.float32),
                       intercept.astype(np.float32), (*(f"v{i}" for i in range(vectors.shape[1])), *SIGNALS),
                       thresholds, training_hash, len(y), vectors[keep].astype(np.float32),
                       tuple(Route(label) for label in y[keep]), support_thresholds)


def _bagged(x: np.ndarray, y: np.ndarray, config: TrainingConfig,
            classes: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """The mean weights and biases of `config.bags` fits on bootstrap samples (a sample that misses a
    class is skipped, so every fit has the same rows of weights); None if every sample missed one."""
    rng = np.random.default_rng(11)
    fits = []
    for _ in range(config.bags):
        rows = rng.integers(0, len(y), len(y))
        bag_classes, model = _fit(x[rows], y[rows], config)
        if bag_classes == classes:
            fits.append(model)
    if not fits:
        return None
    return np.mean([m.coef_ for m in fits], axis=0), np.mean([m.intercept_ for m in fits], axis=0)


def _support_threshold(vectors: np.ndarray, quantile: float) -> float:
    """The similarity to its nearest sibling that all but `quantile` of a route's examples reach
    (exact duplicates do not count as siblings)."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -1.0)
    sims[sims > 0.999] = -1.0
    return float(np.quantile(sims.max(axis=1), quantile))


def _fit(x: np.ndarray, y: np.ndarray, config: TrainingConfig):
    model = LogisticRegression(C=config.c, class_weight="balanced" if config.balanced else None, max_iter=5000)
    model.fit(x, y)
    return list(model.classes_), model


def _out_of_fold(x: np.ndarray, y: np.ndarray, config: TrainingConfig, classes: list[str]) -> np.ndarray:
    """Each row's probabilities from a model that did not see it."""
    counts = {c: int((y == c).sum()) for c in classes}
    folds = min(config.folds, min(counts.values()))
    probabilities = np.zeros((len(y), len(classes)), dtype=np.float32)
    if folds < 2:
        return probabilities
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=7).split(x, y):
        fold_classes, model = _fit(x[train], y[train], config)
        columns = [classes.index(c) for c in fold_classes]
        probabilities[np.ix_(test, columns)] = model.predict_proba(x[test])
    return probabilities


def _threshold(probabilities: np.ndarray, y: np.ndarray, classes: list[str], route: Route,
               config: TrainingConfig) -> float:
    """The highest threshold (within bounds) that keeps the route's out-of-fold recall at the target."""
    scores = np.sort(probabilities[y == str(route), classes.index(str(route))])
    if len(scores) == 0:
        return config.highest_threshold
    allowed_misses = int(np.floor(len(scores) * (1 - config.recall_target)))
    threshold = float(scores[allowed_misses])  # at most `allowed_misses` rows score below it
    return float(np.clip(threshold, config.lowest_threshold, config.highest_threshold))
