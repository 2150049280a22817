"""The router's trained classifier as plain arrays: a multinomial logistic regression over the
question's features (bot/triage/features.py). Stored in the index folder as .npy files and a JSON
manifest entry (no pickle); applied with one matrix product and a softmax.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from bot.enums import Route

WEIGHTS, BIAS, SUPPORT, META = "router_weights.npy", "router_bias.npy", "router_support.npy", "router.json"
FILES = (WEIGHTS, BIAS, SUPPORT, META)
# A safety route is taken when its probability reaches this, even if another route is likelier:
# recall first (a false alarm costs a moment; a missed crisis can cost a life).
SAFETY_ROUTES = (Route.CRISIS, Route.ABUSE, Route.EMERGENCY)
# Routes whose training vectors are kept to judge whether a message is like any of their examples.
GUARDED_ROUTES = (*SAFETY_ROUTES, Route.INFO)
# A message at least this close (cosine) to a kept example all but repeats it: it takes that
# example's route whatever the linear scores say, so the router never contradicts its own labels.
NEAR_DUPLICATE = 0.95


@dataclass(frozen=True)
class RouterModel:
    labels: tuple[Route, ...]
    weights: np.ndarray  # labels x features
    bias: np.ndarray  # labels
    feature_names: tuple[str, ...]
    thresholds: dict[Route, float] = field(default_factory=dict)  # safety route -> probability that takes it
    training_hash: str = ""
    training_rows: int = 0
    # The safety routes' training vectors, and how close a message must come to one of its route's:
    # a message far from every example of a safety route (a request to count steps, a blackjack
    # question) is not read as that route however the linear scores fall.
    support: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    support_labels: tuple[Route, ...] = ()
    support_thresholds: dict[Route, float] = field(default_factory=dict)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Softmax of the linear scores; one row per input row."""
        scores = np.atleast_2d(x) @ self.weights.T + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def route(self, probabilities: np.ndarray, vector: np.ndarray | None = None, subject_words: bool = True) -> Route:
        """The route for one row of probabilities: the route of a kept example the message all but
        repeats (a safety example first, then an info one); else a safety route at its threshold
        (and, given the message's vector, within reach of that route's examples); else the
        likeliest other route.
        A message read as `info` that has no word of our subject and is unlike every `info` example
        ("date please", "where do you come from") is off-topic."""
        p = dict(zip(self.labels, probabilities.tolist(), strict=True))
        close = self.closeness(vector, SAFETY_ROUTES)
        repeated = _repeated(close)
        if repeated is not None:
            return repeated
        allowed = [r for r in SAFETY_ROUTES if r in p and p[r] >= self.thresholds.get(r, 0.5)
                   and self.supported(r, close)]
        others = {r: v for r, v in p.items() if r not in SAFETY_ROUTES}
        route = allowed[0] if allowed else max(others or p, key=lambda r: p[r])
        if route == Route.INFO and subject_words:
            return route  # the info examples could only say info again: not compared (it saves a product)
        close = self.closeness(vector, (Route.INFO,))
        if _repeated(close) is not None:
            return Route.INFO
        if route == Route.INFO and not self.supported(Route.INFO, close):
            return Route.OUT_OF_SCOPE
        return route

    def closeness(self, vector: np.ndarray | None, routes: tuple[Route, ...]) -> dict[Route, float]:
        """For each of these routes with kept examples, the message's best cosine with one of them."""
        if vector is None:
            return {}
        return {route: float((block @ vector).max()) for route, block in self._blocks.items() if route in routes}

    def supported(self, route: Route, close: dict[Route, float]) -> bool:
        """Whether the message comes as close to one of the route's training examples as most of
        its own examples come to each other (nothing to compare, or no threshold: yes)."""
        if route not in close or route not in self.support_thresholds:
            return True
        return close[route] >= self.support_thresholds[route]

    @cached_property
    def _blocks(self) -> dict[Route, np.ndarray]:
        """The kept examples of each route, as one contiguous block each."""
        labels = np.array([str(label) for label in self.support_labels])
        return {route: np.ascontiguousarray(self.support[labels == str(route)])
                for route in dict.fromkeys(self.support_labels)}

    def to_files(self) -> dict[str, bytes]:
        meta = {"labels": list(self.labels), "features": list(self.feature_names),
                "thresholds": {str(k): v for k, v in self.thresholds.items()},
                "support_labels": list(self.support_labels),
                "support_thresholds": {str(k): v for k, v in self.support_thresholds.items()},
                "training_hash": self.training_hash, "training_rows": self.training_rows}
        return {WEIGHTS: _npy(self.weights), BIAS: _npy(self.bias), SUPPORT: _npy(self.support),
                META: json.dumps(meta, indent=2, sort_keys=True).encode()}

    @classmethod
    def from_files(cls, files: dict[str, bytes]) -> RouterModel:
        meta = json.loads(files[META])
        weights = np.load(io.BytesIO(files[WEIGHTS]), allow_pickle=False)
        bias = np.load(io.BytesIO(files[BIAS]), allow_pickle=False)
        support = np.load(io.BytesIO(files[SUPPORT]), allow_pickle=False)
        labels = tuple(Route(label) for label in meta["labels"])
        support_labels = tuple(Route(label) for label in meta["support_labels"])
        if weights.shape != (len(labels), len(meta["features"])) or bias.shape != (len(labels),) \
                or len(support) != len(support_labels):
            raise ValueError("router arrays do not match their labels and features")
        return cls(labels, weights, bias, tuple(meta["features"]),
                   {Route(k): float(v) for k, v in meta["thresholds"].items()},
                   meta.get("training_hash", ""), meta.get("training_rows", 0), support, support_labels,
                   {Route(k): float(v) for k, v in meta["support_thresholds"].items()})


def _repeated(close: dict[Route, float]) -> Route | None:
    """The route of the kept example the message all but repeats, if any."""
    route = max(close, key=close.get, default=None)
    return route if route is not None and close[route] >= NEAR_DUPLICATE else None


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()
