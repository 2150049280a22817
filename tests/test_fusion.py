import pytest

from bot.search.fusion import convex, ranked, rrf


def test_rrf_rewards_items_ranked_well_by_both_lists():
    fused = rrf([[1, 2, 3], [2, 1, 4]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[4] == pytest.approx(1 / 63)
    assert ranked(fused)[:2] == [1, 2]  # tie broken by the smaller item


def test_convex_normalises_each_list_then_weights():
    fused = convex([{1: 10.0, 2: 0.0}, {1: 0.2, 2: 0.8}], [0.5, 0.5])
    assert fused == {1: pytest.approx(0.5), 2: pytest.approx(0.5)}
    fused = convex([{1: 10.0, 2: 0.0}, {1: 0.2, 2: 0.8}], [0.2, 0.8])
    assert ranked(fused) == [2, 1]


def test_convex_handles_single_and_empty_lists():
    assert convex([{7: 3.0}, {}], [0.4, 0.6]) == {7: pytest.approx(0.4)}
    with pytest.raises(ValueError):
        convex([{1: 1.0}], [0.5, 0.5])
