"""The router: its decision table row by row, the trained model's arrays, thresholds and training."""

import numpy as np
import pytest

from bot.enums import Kind, Route
from bot.knowledge.load import load_knowledge
from bot.triage import train
from bot.triage.model import SAFETY_ROUTES, RouterModel
from bot.triage.router import TABLE, decide
from tests.conftest import FIXTURE_KNOWLEDGE

# (route, on_topic, follow_up, answerable) -> (row id, kind). One line per row of the table, each
# the simplest case that reaches that row: removing or reordering a row fails here.
ROWS = [
    ((Route.CRISIS, True, False, True), ("crisis", Kind.CRISIS)),
    ((Route.ABUSE, False, False, False), ("abuse", Kind.CRISIS)),
    ((Route.EMERGENCY, True, False, True), ("emergency", Kind.EMERGENCY)),
    ((Route.SUBSTANCE_HELP, False, False, False), ("substance-help", Kind.PERSONAL_ADVICE)),
    ((Route.ILLICIT, True, False, True), ("illicit", Kind.ILLICIT)),
    ((Route.PERSONAL_ADVICE, True, False, True), ("advice", Kind.PERSONAL_ADVICE)),
    ((Route.PERSONAL_ADVICE, False, False, True), ("advice-elsewhere", Kind.OUT_OF_SCOPE)),
    ((Route.SYMPTOM, True, False, True), ("symptom", Kind.ANSWER)),
    ((Route.SYMPTOM, True, False, False), ("symptom-unknown", Kind.NO_EVIDENCE)),
    ((Route.OUT_OF_SCOPE, True, False, True), ("off-topic", Kind.OUT_OF_SCOPE)),
    ((Route.OUT_OF_SCOPE, True, True, True), ("answer", Kind.ANSWER)),
    ((Route.INFO, True, False, False), ("no-evidence", Kind.NO_EVIDENCE)),
    ((Route.INFO, False, False, False), ("elsewhere", Kind.OUT_OF_SCOPE)),
]


@pytest.mark.parametrize("inputs,expected", ROWS)
def test_each_row_of_the_decision_table(inputs, expected):
    decision = decide(*inputs)
    row_id, kind = expected
    assert decision.kind == kind and decision.reason.startswith(f"row {row_id} ")


def test_every_row_is_tested_and_the_last_row_catches_everything():
    assert {row.id for row in TABLE} == {expected[0] for _, expected in ROWS}
    last = TABLE[-1]
    assert last.routes is None and (last.on_topic, last.follow_up, last.answerable) == (None, None, None)


def test_illicit_or_advice_about_something_we_do_not_cover_is_out_of_scope():
    assert decide(Route.ILLICIT, False, False, False).kind == Kind.OUT_OF_SCOPE
    assert decide(Route.PERSONAL_ADVICE, False, False, False).kind == Kind.OUT_OF_SCOPE


def test_a_follow_up_read_as_off_topic_still_gets_the_evidence():
    assert decide(Route.OUT_OF_SCOPE, False, True, True).kind == Kind.ANSWER


def _model(thresholds):
    labels = (Route.INFO, Route.CRISIS, Route.OUT_OF_SCOPE)
    return RouterModel(labels, np.eye(3, dtype=np.float32), np.zeros(3, np.float32), ("a", "b", "c"), thresholds)


def test_a_safety_route_is_taken_at_its_threshold_even_when_another_is_likelier():
    model = _model({Route.CRISIS: 0.3})
    assert model.route(np.array([0.6, 0.3, 0.1])) == Route.CRISIS
    assert model.route(np.array([0.6, 0.29, 0.11])) == Route.INFO
    # A likeliest safety route under its threshold gives way to the likeliest other route.
    assert _model({Route.CRISIS: 0.6}).route(np.array([0.35, 0.4, 0.25])) == Route.INFO


def test_probabilities_are_a_softmax_of_the_linear_scores():
    model = _model({})
    p = model.probabilities(np.array([2.0, 0.0, 0.0], np.float32))[0]
    assert p.sum() == pytest.approx(1.0) and p.argmax() == 0 and p[0] == pytest.approx(np.e**2 / (np.e**2 + 2))


def test_the_model_round_trips_through_plain_files():
    model = _model({Route.CRISIS: 0.25})
    files = model.to_files()
    assert all(not blob.startswith(b"\x80") for blob in files.values())  # no pickle
    back = RouterModel.from_files(files)
    assert back.labels == model.labels and back.thresholds == model.thresholds
    assert np.array_equal(back.weights, model.weights)


def test_arrays_that_do_not_match_their_labels_are_refused():
    files = _model({}).to_files()
    files["router_bias.npy"] = RouterModel((Route.INFO,), np.zeros((1, 3), np.float32), np.zeros(1, np.float32),
                                           ("a", "b", "c")).to_files()["router_bias.npy"]
    with pytest.raises(ValueError):
        RouterModel.from_files(files)


def _separable(n=40, seed=3):
    rng = np.random.default_rng(seed)
    routes = [Route.INFO, Route.CRISIS, Route.OUT_OF_SCOPE, Route.EMERGENCY]
    centres = np.eye(len(routes), 8) * 4
    x = np.vstack([centres[i] + rng.normal(0, 0.5, (n, 8)) for i in range(len(routes))]).astype(np.float32)
    return x, [r for r in routes for _ in range(n)]


def test_training_learns_separable_routes_and_sets_safety_thresholds():
    x, labels = _separable()
    model = train.fit(x, labels, "hash")
    predicted = [model.route(p) for p in model.probabilities(x)]
    assert np.mean([p == t for p, t in zip(predicted, labels, strict=True)]) > 0.95
    config = train.TrainingConfig()
    for route in (Route.CRISIS, Route.EMERGENCY):
        assert config.lowest_threshold <= model.thresholds[route] <= config.highest_threshold
    assert Route.ABUSE not in model.thresholds  # a route with no examples gets no threshold
    assert model.training_hash == "hash" and model.training_rows == len(labels)


def test_training_is_deterministic():
    x, labels = _separable()
    a, b = train.fit(x, labels), train.fit(x, labels)
    assert np.array_equal(a.weights, b.weights) and a.thresholds == b.thresholds


def test_routing_examples_cover_every_route():
    routing = load_knowledge(FIXTURE_KNOWLEDGE).routing
    assert {label for _, label in routing.examples} == set(Route)
    assert set(SAFETY_ROUTES) <= set(Route)


def test_a_safety_route_needs_a_message_near_one_of_its_examples():
    support = np.array([[1.0, 0.0, 0.0]], np.float32)
    model = RouterModel((Route.INFO, Route.CRISIS, Route.OUT_OF_SCOPE), np.eye(3, dtype=np.float32),
                        np.zeros(3, np.float32), ("a", "b", "c"), {Route.CRISIS: 0.3}, support=support,
                        support_labels=(Route.CRISIS,), support_thresholds={Route.CRISIS: 0.6})
    likely_crisis = np.array([0.2, 0.7, 0.1])
    assert model.route(likely_crisis, np.array([0.9, 0.436, 0.0], np.float32)) == Route.CRISIS
    # Far from every crisis example (a request to count one's steps): the next likeliest route.
    assert model.route(likely_crisis, np.array([0.0, 0.0, 1.0], np.float32)) == Route.INFO
    assert model.route(likely_crisis) == Route.CRISIS  # without a vector there is nothing to compare


def test_training_keeps_the_safety_examples_and_a_reach_for_each_route():
    x, labels = _separable()
    model = train.fit(x, labels)
    assert set(model.support_labels) == {Route.CRISIS, Route.EMERGENCY, Route.INFO}
    assert len(model.support) == sum(labels.count(r) for r in (Route.CRISIS, Route.EMERGENCY, Route.INFO))
    back = RouterModel.from_files(model.to_files())
    assert back.support_thresholds == model.support_thresholds and np.array_equal(back.support, model.support)


def test_an_info_reading_unlike_every_info_example_and_without_a_subject_word_is_off_topic():
    support = np.array([[1.0, 0.0, 0.0]], np.float32)
    model = RouterModel((Route.INFO, Route.CRISIS, Route.OUT_OF_SCOPE), np.eye(3, dtype=np.float32),
                        np.zeros(3, np.float32), ("a", "b", "c"), {}, support=support,
                        support_labels=(Route.INFO,), support_thresholds={Route.INFO: 0.6})
    likely_info, far = np.array([0.7, 0.1, 0.2]), np.array([0.0, 0.0, 1.0], np.float32)
    assert model.route(likely_info, far, subject_words=False) == Route.OUT_OF_SCOPE
    assert model.route(likely_info, far, subject_words=True) == Route.INFO  # "ketamine" keeps it ours
    assert model.route(likely_info, np.array([1.0, 0.0, 0.0], np.float32), subject_words=False) == Route.INFO


def test_a_message_that_all_but_repeats_a_labelled_example_takes_that_examples_route():
    support = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], np.float32)
    model = RouterModel((Route.INFO, Route.CRISIS, Route.OUT_OF_SCOPE), np.eye(3, dtype=np.float32),
                        np.zeros(3, np.float32), ("a", "b", "c"), {Route.CRISIS: 0.3}, support=support,
                        support_labels=(Route.INFO, Route.CRISIS),
                        support_thresholds={Route.INFO: 0.2, Route.CRISIS: 0.2})
    leans_crisis = np.array([0.3, 0.6, 0.1])
    near_info = np.array([0.98, 0.199, 0.0], np.float32)  # cosine 0.98 with the info example
    assert model.route(leans_crisis, near_info) == Route.INFO
    near_crisis = np.array([0.199, 0.98, 0.0], np.float32)
    assert model.route(np.array([0.8, 0.1, 0.1]), near_crisis) == Route.CRISIS  # and the other way
    between = np.array([0.8, 0.6, 0.0], np.float32)  # near neither: the probabilities decide
    assert model.route(leans_crisis, between) == Route.CRISIS
