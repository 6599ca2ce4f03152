"""Dense associative memory (Krotov & Hopfield 2016): energy descent, capacity beyond the
pairwise network, the n = 2 ↔ Hopfield identity, overflow-free exp interaction, theory lines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from astrobrian.abstract.dam import (
    DenseAssociativeMemory,
    dam_capacity_theory,
    hopfield_capacity_theory,
)
from astrobrian.abstract.hopfield import HopfieldNetwork
from astrobrian.errors import InputError
from astrobrian.patterns import cue_batch, n_flips, random_patterns

FAST = settings(max_examples=40, deadline=None)

interactions = st.sampled_from(
    [("power", 2, False), ("power", 3, False), ("power", 4, False), ("power", 5, False),
     ("power", 3, True), ("power", 4, True), ("exp", 4, False)]
)


@FAST
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(4, 25),
    k=st.integers(1, 40),
    b=st.integers(1, 4),
    batched=st.booleans(),
    kind=interactions,
)
def test_energy_never_increases_and_ends_at_fixed_point(seed, n, k, b, batched, kind):
    interaction, order, rectified = kind
    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng, batch=b if batched else None)
    cues = 2.0 * rng.integers(0, 2, size=(b, n)) - 1.0
    dam = DenseAssociativeMemory(xi, interaction, n=order, rectified=rectified)
    tr = dam.run(cues, max_sweeps=200, rng=rng)
    scale = 1e-12 * (1.0 + np.abs(tr.energy[:-1]))
    assert np.all(np.diff(tr.energy, axis=0) <= scale)
    # incrementally kept overlaps agree with a fresh computation from the final state
    np.testing.assert_allclose(tr.energy[-1], dam.energy(tr.final), rtol=1e-12, atol=1e-12)
    # converged: flipping any single spin does not lower the energy
    assert np.all(tr.extra["flips"][-1] == 0)
    for i in range(n):
        flipped = tr.final.copy()
        flipped[:, i] *= -1
        assert np.all(dam.energy(flipped) >= dam.energy(tr.final) - 1e-9 * (1 + np.abs(dam.energy(tr.final))))


def test_energy_definitions():
    rng = np.random.default_rng(0)
    xi = random_patterns(20, 7, rng)
    s = 2.0 * rng.integers(0, 2, size=(5, 20)) - 1.0
    m = s @ xi
    np.testing.assert_allclose(DenseAssociativeMemory(xi, n=3).energy(s), -np.sum(m**3, axis=1))
    np.testing.assert_allclose(
        DenseAssociativeMemory(xi, n=4, rectified=True).energy(s), -np.sum(np.maximum(m, 0) ** 4, axis=1)
    )
    np.testing.assert_allclose(DenseAssociativeMemory(xi, "exp").energy(s), -logsumexp(m, axis=1))


def test_dam2_is_the_hopfield_network():
    # (c + ξ)² − (c − ξ)² = 4ξc: the n = 2 rule is the zero-diagonal Hopfield sign rule
    rng = np.random.default_rng(1)
    xi = random_patterns(40, 12, rng)
    cues = 2.0 * rng.integers(0, 2, size=(10, 40)) - 1.0
    d = DenseAssociativeMemory(xi, "power", n=2).run(cues, rng=np.random.default_rng(5))
    h = HopfieldNetwork(xi).run(cues, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(d.t, h.t)
    np.testing.assert_array_equal(d.x, h.x)
    # energies: E_H = −(Σm² − KN)/(2N) = (E_DAM2 + KN)/(2N)
    np.testing.assert_allclose(h.energy, (d.energy + 12 * 40) / (2 * 40))


def test_stored_patterns_are_fixed_points_at_low_load():
    rng = np.random.default_rng(2)
    xi = random_patterns(30, 40, rng)  # K ≪ N³/(30 ln N) ≈ 264
    for dam in (DenseAssociativeMemory(xi, n=4), DenseAssociativeMemory(xi, "exp")):
        tr = dam.run(xi.T)
        np.testing.assert_array_equal(tr.final, xi.T)
        np.testing.assert_array_equal(tr.t, [0.0, 1.0])


def test_recall_from_ten_percent_flipped_bits():
    rng = np.random.default_rng(3)
    n, k, b = 100, 5, 30
    xi = random_patterns(n, k, rng)
    targets = rng.integers(0, k, b)
    cues = cue_batch(xi, targets, n_flips(n, 0.1), rng)
    for dam in (DenseAssociativeMemory(xi, n=3), DenseAssociativeMemory(xi, n=4), DenseAssociativeMemory(xi, "exp")):
        tr = dam.run(cues, rng=rng)
        np.testing.assert_array_equal(tr.final_overlaps(xi)[np.arange(b), targets], 1.0)


def test_quartic_dam_stores_far_beyond_pairwise_capacity():
    # N = 30, K = 60 = 2N: the pairwise network fails, the quartic DAM recalls
    rng = np.random.default_rng(4)
    n, k, b = 30, 60, 40
    xi = random_patterns(n, k, rng)
    targets = rng.integers(0, k, b)
    cues = cue_batch(xi, targets, n_flips(n, 0.1), rng)
    m4 = DenseAssociativeMemory(xi, n=4).run(cues, rng=rng).final_overlaps(xi)[np.arange(b), targets]
    m2 = HopfieldNetwork(xi).run(cues, rng=rng).final_overlaps(xi)[np.arange(b), targets]
    assert np.mean(m4 >= 0.95) >= 0.9
    assert np.mean(m2 >= 0.95) <= 0.1


def test_mirror_state_even_n_fixed_point_odd_n_not():
    rng = np.random.default_rng(5)
    xi = random_patterns(30, 5, rng)
    tr = DenseAssociativeMemory(xi, n=4).run(-xi.T)
    np.testing.assert_array_equal(tr.final, -xi.T)
    m = np.diagonal(tr.final_overlaps(xi))
    np.testing.assert_array_equal(m, -1.0)
    assert not np.any(m >= 0.95)  # the mirror is never a recall
    # F(z) = z³ is not even: −ξ is not a fixed point (the first sweep moves it)
    odd = DenseAssociativeMemory(xi, n=3).run(-xi.T)
    assert np.all(odd.extra["flips"][1] > 0)
    assert np.all(np.any(odd.final != -xi.T, axis=1))


def test_exp_interaction_never_overflows():
    # ξ·σ = 1000 would give exp(1000) = inf; the run must stay finite and recall
    rng = np.random.default_rng(6)
    n, k, b = 1000, 20, 6
    xi = random_patterns(n, k, rng)
    targets = rng.integers(0, k, b)
    cues = cue_batch(xi, targets, n_flips(n, 0.1), rng)
    with np.errstate(over="raise", invalid="raise"):
        tr = DenseAssociativeMemory(xi, "exp").run(cues, rng=rng)
    assert np.all(np.isfinite(tr.energy))
    np.testing.assert_array_equal(tr.final_overlaps(xi)[np.arange(b), targets], 1.0)
    # at the pattern E = −log Σ exp(ξ^μ·ξ) ≈ −N
    np.testing.assert_allclose(tr.energy[-1], -n, atol=1e-6)


def test_exp_tie_keeps_the_spin():
    # K = 2 patterns differing only in neuron 0, σ between them: Σ_μ w_μ ξ^μ_0 = 0 exactly
    xi = np.ones((4, 2))
    xi[0, 1] = -1.0
    for dam in (DenseAssociativeMemory(xi, "exp"), DenseAssociativeMemory(xi, n=2)):
        tr = dam.run(np.array([-1.0, 1.0, 1.0, 1.0]))
        assert tr.final[0] == -1.0


def test_batched_patterns_match_separate_runs():
    rng = np.random.default_rng(7)
    b, n, k = 4, 20, 30
    xi = random_patterns(n, k, rng, batch=b)
    cues = cue_batch(xi, rng.integers(0, k, b), 3, rng)
    for kind in ("power", "exp"):
        batched = DenseAssociativeMemory(xi, kind).run(cues, rng=np.random.default_rng(9))
        for i in range(b):
            alone = DenseAssociativeMemory(xi[i], kind).run(
                np.repeat(cues[i : i + 1], b, axis=0), rng=np.random.default_rng(9)
            )
            np.testing.assert_array_equal(alone.final[i], batched.final[i])
    shared = random_patterns(n, k, rng)
    a = DenseAssociativeMemory(shared).run(cues, rng=np.random.default_rng(2))
    t = DenseAssociativeMemory(np.broadcast_to(shared, (b, n, k))).run(cues, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(a.x, t.x)


def test_same_seed_identical_and_single_cue_shapes():
    rng = np.random.default_rng(8)
    xi = random_patterns(24, 50, rng)
    cues = 2.0 * rng.integers(0, 2, size=(5, 24)) - 1.0
    dam = DenseAssociativeMemory(xi)
    np.testing.assert_array_equal(
        dam.run(cues, rng=np.random.default_rng(1)).x, dam.run(cues, rng=np.random.default_rng(1)).x
    )
    tr = dam.run(cues[0])
    assert tr.x.shape == (len(tr.t), 24) and tr.overlaps.shape == (len(tr.t), 50) and tr.energy.shape == tr.t.shape


def test_bad_inputs_raise_input_error():
    rng = np.random.default_rng(9)
    xi = random_patterns(10, 3, rng)
    with pytest.raises(InputError):
        DenseAssociativeMemory(np.zeros((10, 3)))
    with pytest.raises(InputError):
        DenseAssociativeMemory(xi, n=1)
    with pytest.raises(InputError):
        DenseAssociativeMemory(xi, n=2.5)
    with pytest.raises(InputError):
        DenseAssociativeMemory(xi, interaction="cubic")
    with pytest.raises(InputError):
        DenseAssociativeMemory(xi, rectified="yes")
    with pytest.raises(InputError):
        DenseAssociativeMemory(xi).run(np.ones(11))
    with pytest.raises(InputError):
        DenseAssociativeMemory(xi).run(np.ones(10), record_every=0)


def test_capacity_theory_lines():
    n = np.array([16.0, 64.0, 256.0])
    np.testing.assert_allclose(dam_capacity_theory(n, 4), n**3 / (30 * np.log(n)))
    np.testing.assert_allclose(dam_capacity_theory(n, 3), n**2 / (6 * np.log(n)))
    np.testing.assert_allclose(dam_capacity_theory(n, 2), hopfield_capacity_theory(n, "exact"))
    assert hopfield_capacity_theory(100) == pytest.approx(13.8)
    assert hopfield_capacity_theory(100, "exact_all") == pytest.approx(100 / (4 * np.log(100)))
    assert isinstance(dam_capacity_theory(32, 4), float)
    # log-log slope n − 1 up to the ln N correction
    slope = np.diff(np.log(dam_capacity_theory(n, 4) * np.log(n))) / np.diff(np.log(n))
    np.testing.assert_allclose(slope, 3.0)
    with pytest.raises(InputError):
        hopfield_capacity_theory(100, "approximate")
    with pytest.raises(InputError):
        dam_capacity_theory(1, 4)
    with pytest.raises(InputError):
        dam_capacity_theory(100, 1)
