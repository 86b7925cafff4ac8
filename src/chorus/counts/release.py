"""Differential privacy for published counts: OpenDP's discrete Laplace, and safe suppression.

Each voice is released exactly once (in the snapshot that covers its period), and contributes 1
to one cell of the wave and 1 to one cell of each facet table; so every table has L1 sensitivity
1 and the snapshot's tables compose to ``epsilon_wave + epsilon_facets`` per voice, for life.

Published figures are sums of noisy releases (post-processing: free). A cell is shown only if its
noisy value reaches ``threshold``: the smallest value such that a cell whose true count is below
``min_cell`` is published with probability at most ``delta`` (a Chernoff bound on the sum of the
discrete Laplace noise terms it is made of), and never below ``min_cell``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import opendp.prelude as dp

dp.enable_features("contrib")
MECHANISM = "discrete Laplace (OpenDP make_laplace), known keys, add/remove-one-voice neighbours"


@lru_cache(maxsize=64)
def _laplace(scale: float) -> dp.Measurement:
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return dp.m.make_laplace(*space, scale=scale)


def scale_for(epsilon: float) -> float:
    """The noise scale giving ``epsilon`` for a table of sensitivity 1."""
    return 1.0 / epsilon


def privacy_loss(scale: float) -> float:
    """The epsilon OpenDP's privacy map certifies for one voice (d_in = 1) at this scale."""
    return float(_laplace(scale).map(1))  # type: ignore[no-untyped-call]


def noisy_counts(counts: list[int], *, scale: float) -> list[int]:
    if not counts:
        return []
    return [int(v) for v in _laplace(scale)(counts)]


def _log_tail_bound(t: float, terms: int, scale: float) -> float:
    """log of min over theta of exp(-theta t) * M(theta)^terms (discrete Laplace MGF)."""
    log_p = -1.0 / scale
    p = math.exp(log_p)

    def f(theta: float) -> float:
        log_mgf = (
            2 * math.log1p(-p)
            - math.log1p(-p * math.exp(theta))
            - math.log1p(-p * math.exp(-theta))
        )
        return -theta * t + terms * log_mgf

    lo, hi = 0.0, -log_p * (1 - 1e-9)
    for _ in range(200):  # golden-section search; f is convex in theta
        m1 = lo + (hi - lo) * 0.381966
        m2 = lo + (hi - lo) * 0.618034
        if f(m1) < f(m2):
            hi = m2
        else:
            lo = m1
    return min(f((lo + hi) / 2), 0.0)


@lru_cache(maxsize=4096)
def tail_bound(*, terms: int, scale: float, delta: float) -> int:
    """The smallest integer t with P(sum of ``terms`` noise draws >= t) <= delta."""
    if terms == 1:  # exact: P(Z >= t) = p^t / (1 + p) for t >= 1
        p = math.exp(-1.0 / scale)
        return max(1, math.ceil(math.log(delta * (1 + p)) / math.log(p)))
    target = math.log(delta)
    lo, hi = 0, 1
    while _log_tail_bound(hi, terms, scale) > target:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _log_tail_bound(mid, terms, scale) > target:
            lo = mid
        else:
            hi = mid
    return hi


def threshold(*, terms: int, scale: float, delta: float, min_cell: int) -> int:
    """Smallest noisy value that may be published for a cell summed from ``terms`` releases."""
    return max(min_cell, (min_cell - 1) + tail_bound(terms=max(terms, 1), scale=scale, delta=delta))


def accuracy95(*, terms: int, scale: float) -> int:
    """Half-width of a two-sided 95 % interval for the noise of a cell (Chernoff bound)."""
    return tail_bound(terms=max(terms, 1), scale=scale, delta=0.025)
