"""The queue orders' pure rules: a seeded random rank that is a fixed
scramble of document ids, and a document's confidence margin."""

import itertools

import pytest

from annotator.core.queue import MAX_SEED, MODULUS, confidence_margin, random_rank

IDS = range(1, 201)


def order(seed):
    return sorted(IDS, key=lambda i: (random_rank(i, seed), i))


def test_the_same_seed_gives_the_same_order_and_others_differ():
    assert order(42) == order(42)
    orders = {tuple(order(seed)) for seed in (0, 1, 42, MAX_SEED)}
    assert len(orders) == 4
    assert order(42) != list(IDS)


def test_a_random_order_is_not_the_import_order_in_disguise():
    ranked = order(7)
    # In a random order about half of the neighbours are in import order;
    # the import order has them all, its reverse none.
    rising = sum(a < b for a, b in itertools.pairwise(ranked))
    assert 0.35 < rising / (len(ranked) - 1) < 0.65
    assert set(ranked[:20]) != set(range(1, 21))


def test_ranks_are_integers_below_the_modulus():
    ranks = [random_rank(i, 123) for i in IDS]
    assert all(isinstance(r, int) and 0 <= r < MODULUS for r in ranks)
    assert random_rank(2**40 + 5, 9) == random_rank((2**40 + 5) % MODULUS, 9)


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1])
def test_a_seed_out_of_range_is_refused(seed):
    with pytest.raises(ValueError, match="seed must be from 0 to"):
        random_rank(1, seed)


def test_the_margin_is_the_mean_distance_of_the_scores_from_a_coin_toss():
    assert confidence_margin([0.5, 0.9]) == pytest.approx(0.2)
    assert confidence_margin([0.55, 0.45]) == pytest.approx(0.05)
    assert confidence_margin([1.0, 0.0]) == pytest.approx(0.5)
    assert confidence_margin([]) is None
    assert confidence_margin(iter([0.6])) == pytest.approx(0.1)
