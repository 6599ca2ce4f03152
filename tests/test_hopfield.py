"""Classical Hopfield networks: energy descent, fixed points, recall, batching, input errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astrobrian.abstract.hopfield import ContinuousHopfield, HopfieldNetwork
from astrobrian.errors import InputError
from astrobrian.patterns import cue_batch, n_flips, random_patterns

FAST = settings(max_examples=40, deadline=None)


def _instance(seed: int, n: int, k: int, b: int, batched: bool):
    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng, batch=b if batched else None)
    cues = 2.0 * rng.integers(0, 2, size=(b, n)) - 1.0
    return xi, cues


# ---------------------------------------------------------------- binary Hopfield


def test_weights_are_hebbian_with_zero_diagonal():
    rng = np.random.default_rng(0)
    xi = random_patterns(12, 3, rng)
    w = HopfieldNetwork(xi).weights
    expected = xi @ xi.T / 12
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(w, expected)
    xb = random_patterns(12, 3, rng, batch=4)
    wb = HopfieldNetwork(xb).weights
    assert wb.shape == (4, 12, 12)
    np.testing.assert_allclose(wb[2], xb[2] @ xb[2].T / 12 - 3 / 12 * np.eye(12))


def test_energy_is_minus_half_sWs():
    rng = np.random.default_rng(1)
    xi = random_patterns(15, 4, rng)
    net = HopfieldNetwork(xi)
    s = 2.0 * rng.integers(0, 2, size=(6, 15)) - 1.0
    expected = -0.5 * np.einsum("bi,ij,bj->b", s, net.weights, s)
    np.testing.assert_allclose(net.energy(s), expected, atol=1e-12)


@FAST
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(4, 30),
    k=st.integers(1, 12),
    b=st.integers(1, 4),
    batched=st.booleans(),
)
def test_energy_never_increases_and_ends_at_fixed_point(seed, n, k, b, batched):
    xi, cues = _instance(seed, n, k, b, batched)
    net = HopfieldNetwork(xi)
    tr = net.run(cues, max_sweeps=100, rng=np.random.default_rng(seed))
    assert np.all(np.diff(tr.energy, axis=0) <= 1e-12)
    # recorded energy is the energy of the recorded state
    np.testing.assert_allclose(tr.energy[-1], net.energy(tr.final), atol=1e-12)
    # converged (last sweep changed nothing) → every spin agrees with its field or h = 0
    assert np.all(tr.extra["flips"][-1] == 0)
    c = np.einsum("...ik,...jk->...ij", xi, xi)  # integer N·W (exact), zero its diagonal
    c = c - k * np.eye(n)
    h = np.einsum("bij,bj->bi", np.broadcast_to(c, (b, n, n)), tr.final)
    assert np.all((h == 0) | (np.sign(h) == tr.final))


def test_stored_patterns_are_fixed_points_at_low_load():
    rng = np.random.default_rng(2)
    xi = random_patterns(100, 5, rng)
    tr = HopfieldNetwork(xi).run(xi.T)
    np.testing.assert_array_equal(tr.final, xi.T)
    np.testing.assert_array_equal(tr.t, [0.0, 1.0])  # the first sweep changes nothing


def test_recall_from_ten_percent_flipped_bits():
    rng = np.random.default_rng(3)
    n, k, b = 100, 5, 40
    xi = random_patterns(n, k, rng)
    targets = rng.integers(0, k, b)
    cues = cue_batch(xi, targets, n_flips(n, 0.1), rng)
    tr = HopfieldNetwork(xi).run(cues, rng=rng)
    m = tr.final_overlaps(xi)[np.arange(b), targets]
    assert np.all(m >= 0.99)
    assert np.mean(m == 1.0) >= 0.95
    # the initial overlap was exactly 1 − 2·0.1
    np.testing.assert_allclose(tr.overlaps[0, np.arange(b), targets], 0.8)


def test_overloaded_network_fails():
    # far above 0.138 N the cue does not lead back to the stored pattern
    rng = np.random.default_rng(4)
    n, k, b = 100, 60, 20
    xi = random_patterns(n, k, rng)
    targets = rng.integers(0, k, b)
    tr = HopfieldNetwork(xi).run(cue_batch(xi, targets, 10, rng), rng=rng)
    m = tr.final_overlaps(xi)[np.arange(b), targets]
    assert np.mean(m >= 0.95) < 0.5


def test_mirror_state_is_a_fixed_point_but_not_a_recall():
    rng = np.random.default_rng(5)
    xi = random_patterns(100, 5, rng)
    tr = HopfieldNetwork(xi).run(-xi.T)
    np.testing.assert_array_equal(tr.final, -xi.T)
    m = np.diagonal(tr.final_overlaps(xi))
    np.testing.assert_array_equal(m, -1.0)
    assert not np.any(m >= 0.95)


def test_zero_field_keeps_the_current_spin():
    # W_12 = W_13 = 0: neuron 0 has h = 0 forever and must keep its cue value −1
    xi = np.array([[1.0, 1.0], [1.0, -1.0], [1.0, -1.0]])
    net = HopfieldNetwork(xi)
    np.testing.assert_allclose(net.weights[0], 0.0)
    tr = net.run(np.array([-1.0, 1.0, 1.0]))
    np.testing.assert_array_equal(tr.final, [-1.0, 1.0, 1.0])


def test_batched_patterns_match_separate_runs():
    # trial b of a batched run sees row b of every drawn order; a shared-pattern run of B
    # copies of cue b with the same seed and batch size draws the same orders
    rng = np.random.default_rng(6)
    b, n, k = 5, 40, 6
    xi = random_patterns(n, k, rng, batch=b)
    cues = cue_batch(xi, rng.integers(0, k, b), 8, rng)
    batched = HopfieldNetwork(xi).run(cues, rng=np.random.default_rng(11))
    for i in range(b):
        alone = HopfieldNetwork(xi[i]).run(np.repeat(cues[i : i + 1], b, axis=0), rng=np.random.default_rng(11))
        np.testing.assert_array_equal(alone.final[i], batched.final[i])


def test_shared_patterns_equal_tiled_batched_patterns():
    rng = np.random.default_rng(7)
    xi = random_patterns(30, 4, rng)
    cues = 2.0 * rng.integers(0, 2, size=(6, 30)) - 1.0
    a = HopfieldNetwork(xi).run(cues, rng=np.random.default_rng(1))
    t = HopfieldNetwork(np.broadcast_to(xi, (6, 30, 4))).run(cues, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a.x, t.x)
    np.testing.assert_array_equal(a.energy, t.energy)


def test_same_seed_gives_identical_runs():
    rng = np.random.default_rng(8)
    xi = random_patterns(50, 10, rng)
    cues = 2.0 * rng.integers(0, 2, size=(7, 50)) - 1.0
    net = HopfieldNetwork(xi)
    a = net.run(cues, rng=np.random.default_rng(3))
    b = net.run(cues, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.t, b.t)
    c = net.run(cues)  # default generator is seeded: reproducible too
    np.testing.assert_array_equal(c.x, net.run(cues).x)


def test_single_cue_drops_batch_axis_and_record_every():
    rng = np.random.default_rng(9)
    xi = random_patterns(60, 20, rng)
    cue = 2.0 * rng.integers(0, 2, size=60) - 1.0
    tr = HopfieldNetwork(xi).run(cue, max_sweeps=7, record_every=3)
    assert tr.x.ndim == 2 and tr.x.shape[1] == 60
    assert tr.overlaps.shape == (len(tr.t), 20)
    assert tr.energy.shape == tr.t.shape and tr.final.shape == (60,)
    assert tr.t[0] == 0 and all(t % 3 == 0 for t in tr.t[1:-1])


def test_bad_inputs_raise_input_error():
    rng = np.random.default_rng(10)
    xi = random_patterns(10, 3, rng)
    bad = xi.copy()
    bad[0, 0] = 0.5
    with pytest.raises(InputError):
        HopfieldNetwork(bad)
    net = HopfieldNetwork(xi)
    with pytest.raises(InputError):
        net.run(np.ones(9))
    with pytest.raises(InputError):
        net.run(np.ones((2, 3, 10)))
    with pytest.raises(InputError):
        HopfieldNetwork(random_patterns(10, 3, rng, batch=3)).run(np.ones((2, 10)))
    with pytest.raises(InputError):
        net.run(np.ones(10), max_sweeps=0)
    with pytest.raises(InputError):
        net.run(np.ones(10), rng=42)


# ---------------------------------------------------------------- continuous Hopfield


@FAST
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 16),
    k=st.integers(1, 5),
    b=st.integers(1, 3),
    beta=st.floats(0.3, 8.0),
    leak=st.floats(0.0, 2.0),
    zero_diagonal=st.booleans(),
    with_bias=st.booleans(),
)
def test_continuous_energy_never_increases(seed, n, k, b, beta, leak, zero_diagonal, with_bias):
    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng, batch=b if seed % 2 else None)
    bias = 0.3 * rng.standard_normal(n) if with_bias else None
    net = ContinuousHopfield(xi, beta=beta, leak=leak, zero_diagonal=zero_diagonal, bias=bias)
    cues = 1.5 * rng.standard_normal((b, n))
    tr = net.run(cues, dt=0.02, steps=150, method="rk4")
    de = np.diff(tr.energy, axis=0)
    assert np.all(de <= 1e-9 * (1.0 + np.abs(tr.energy[1:])))
    np.testing.assert_allclose(tr.energy, tr.energy_terms["interaction"] + tr.energy_terms["leak"])


def test_continuous_energy_decreases_with_small_euler_steps():
    rng = np.random.default_rng(12)
    xi = random_patterns(20, 3, rng)
    tr = ContinuousHopfield(xi, beta=2.0).run(rng.standard_normal((4, 20)), dt=0.005, steps=400, method="euler")
    assert np.all(np.diff(tr.energy, axis=0) <= 1e-10)
    assert np.all(tr.energy[-1] < tr.energy[0])


def test_continuous_energy_gradient_is_the_dynamics():
    # τ dx/dt = −∂E/∂φ: check by finite differences of E along φ = tanh(βx)
    rng = np.random.default_rng(13)
    xi = random_patterns(8, 2, rng)
    net = ContinuousHopfield(xi, beta=1.5, leak=0.7, bias=0.2 * rng.standard_normal(8))
    x = 0.8 * rng.standard_normal(8)
    phi = np.tanh(1.5 * x)
    rhs = -0.7 * x + net.weights @ phi + net.bias
    for i in range(8):
        eps = 1e-6
        dphi = np.zeros(8)
        dphi[i] = eps
        xp, xm = np.arctanh(phi + dphi) / 1.5, np.arctanh(phi - dphi) / 1.5
        grad = (net.energy(xp) - net.energy(xm)) / (2 * eps)
        assert grad == pytest.approx(-rhs[i], abs=1e-6)


def test_continuous_recall_starts_at_cue_and_fixes_on_pattern():
    rng = np.random.default_rng(14)
    n, k, b = 100, 5, 10
    xi = random_patterns(n, k, rng)
    targets = rng.integers(0, k, b)
    cues = cue_batch(xi, targets, n_flips(n, 0.1), rng)
    net = ContinuousHopfield(xi, beta=5.0)
    tr = net.run(cues, dt=0.05, steps=400)
    np.testing.assert_array_equal(tr.x[0], cues)  # initial state = cue
    np.testing.assert_array_equal(tr.recalled, xi[:, targets].T)
    # converged to a fixed point of −λx + W tanh(βx)
    resid = -tr.final + np.tanh(5.0 * tr.final) @ net.weights
    assert np.max(np.abs(resid)) < 1e-6


def test_continuous_bad_inputs():
    xi = random_patterns(6, 2, np.random.default_rng(0))
    for kwargs in ({"beta": 0.0}, {"tau": -1.0}, {"leak": -0.1}, {"zero_diagonal": "no"}, {"bias": np.ones(5)}):
        with pytest.raises(InputError):
            ContinuousHopfield(xi, **kwargs)
    net = ContinuousHopfield(xi)
    with pytest.raises(InputError):
        net.run(np.ones(6), method="midpoint")
    with pytest.raises(InputError):
        net.run(np.ones(6), dt=0.0)
    with pytest.raises(InputError):
        net.run(np.full(6, np.nan))
