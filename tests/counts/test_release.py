import math
import random

import pytest

from chorus.counts import release


@pytest.mark.parametrize("epsilon", [0.5, 0.1, 1.0])
def test_opendp_certifies_the_epsilon_the_scale_was_chosen_for(epsilon: float) -> None:
    assert release.privacy_loss(release.scale_for(epsilon)) == pytest.approx(epsilon)


def test_noise_is_added_and_is_centred() -> None:
    values = release.noisy_counts([1000] * 2000, scale=2.0)
    assert len(set(values)) > 5
    assert abs(sum(values) / len(values) - 1000) < 0.5


def test_single_term_tail_bound_is_exact() -> None:
    scale, delta = 2.0, 1e-7
    t = release.tail_bound(terms=1, scale=scale, delta=delta)
    p = math.exp(-1 / scale)
    assert p**t / (1 + p) <= delta < p ** (t - 1) / (1 + p)


def test_tail_bound_grows_with_the_number_of_terms() -> None:
    bounds = [release.tail_bound(terms=k, scale=2.0, delta=1e-7) for k in (1, 2, 10, 100, 1000)]
    assert bounds == sorted(bounds)
    assert bounds[-1] > bounds[0] * 5


@pytest.mark.parametrize("terms", [1, 3, 20])
def test_the_tail_bound_holds_empirically(terms: int) -> None:
    # Sample discrete Laplace sums and check the exceedance rate at delta = 1e-2.
    rng = random.Random(7)  # noqa: S311  (a reproducible simulation, not a secret)
    scale, delta, n = 3.0, 1e-2, 20000
    p = math.exp(-1 / scale)

    def geometric() -> int:
        return int(math.log(1 - rng.random()) / math.log(p))

    def draw() -> int:  # the difference of two geometric variables is discrete Laplace
        return geometric() - geometric()

    bound = release.tail_bound(terms=terms, scale=scale, delta=delta)
    exceed = sum(sum(draw() for _ in range(terms)) >= bound for _ in range(n))
    assert exceed / n <= delta * 1.5


def test_threshold_is_never_below_the_minimum_cell() -> None:
    assert release.threshold(terms=1, scale=0.01, delta=1e-7, min_cell=11) == 11
    assert release.threshold(terms=1, scale=2.0, delta=1e-7, min_cell=11) > 11


def test_empty_input_needs_no_noise() -> None:
    assert release.noisy_counts([], scale=1.0) == []
