"""Modern Hopfield network (Ramsauer et al. 2021): attention update, CCCP energy descent,
one-step retrieval, early stop, batching, no overflow at large β."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astrobrian.abstract.modern import ModernHopfield
from astrobrian.errors import InputError
from astrobrian.patterns import cue_batch, n_flips, random_patterns

FAST = settings(max_examples=50, deadline=None)


@FAST
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 30),
    k=st.integers(1, 40),
    b=st.integers(1, 4),
    beta=st.floats(0.01, 5.0),
    batched=st.booleans(),
)
def test_energy_never_increases_and_is_bounded_below(seed, n, k, b, beta, batched):
    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng, batch=b if batched else None)
    cues = 2.0 * rng.standard_normal((b, n))
    tr = ModernHopfield(xi, beta=beta).run(cues, steps=20)
    assert np.all(np.diff(tr.energy, axis=0) <= 1e-9 * (1.0 + np.abs(tr.energy[1:])))
    assert np.all(tr.energy >= -1e-9)  # Ramsauer et al. Lemma: 0 ≤ E (for M = max ‖ξ^μ‖)
    np.testing.assert_allclose(tr.energy[0], ModernHopfield(xi, beta=beta).energy(cues))


def test_update_is_softmax_attention():
    rng = np.random.default_rng(0)
    xi = random_patterns(16, 9, rng)
    q = rng.standard_normal((3, 16))
    beta = 0.37
    scores = beta * q @ xi  # query · keys
    att = np.exp(scores - scores.max(axis=1, keepdims=True))
    att /= att.sum(axis=1, keepdims=True)
    expected = att @ xi.T  # attention-weighted values
    net = ModernHopfield(xi, beta=beta)
    np.testing.assert_allclose(net.update(q), expected, rtol=1e-12)
    tr = net.run(q, steps=1)
    np.testing.assert_allclose(tr.x[1], expected, rtol=1e-12)


def test_energy_formula():
    rng = np.random.default_rng(1)
    xi = random_patterns(10, 4, rng)
    q = rng.standard_normal(10)
    beta = 2.0
    expected = (
        -np.log(np.sum(np.exp(beta * q @ xi))) / beta + 0.5 * q @ q + np.log(4) / beta + 0.5 * 10
    )
    assert ModernHopfield(xi, beta=beta).energy(q) == pytest.approx(expected, rel=1e-12)


def test_one_step_retrieval_of_separated_patterns():
    rng = np.random.default_rng(2)
    n, k, b = 64, 10, 20
    xi = random_patterns(n, k, rng)
    targets = rng.integers(0, k, b)
    cues = cue_batch(xi, targets, n_flips(n, 0.1), rng)
    tr = ModernHopfield(xi, beta=1.0).run(cues, steps=1)
    np.testing.assert_allclose(tr.x[1], xi[:, targets].T, atol=1e-6)
    np.testing.assert_allclose(tr.overlaps[1, np.arange(b), targets], 1.0, atol=1e-6)


def test_small_beta_gives_a_metastable_mixture_not_a_pattern():
    # β → 0: ξ → mean of the patterns (global averaging fixed point), far from any one pattern
    rng = np.random.default_rng(3)
    xi = random_patterns(64, 10, rng)
    tr = ModernHopfield(xi, beta=1e-4).run(xi[:, 0], steps=50)
    np.testing.assert_allclose(tr.final, xi.mean(axis=1), atol=1e-2)
    assert tr.overlaps[-1, 0] < 0.5


def test_early_stop_records_final_state():
    rng = np.random.default_rng(4)
    xi = random_patterns(50, 5, rng)
    tr = ModernHopfield(xi, beta=1.0).run(xi.T, steps=100, record_every=7)
    assert len(tr.t) < 5 and tr.t[-1] < 100
    np.testing.assert_array_equal(tr.x[-1], tr.final)
    np.testing.assert_allclose(tr.final, xi.T, atol=1e-12)


def test_large_beta_no_overflow():
    rng = np.random.default_rng(5)
    xi = random_patterns(100, 8, rng)
    cues = cue_batch(xi, np.arange(8), 10, rng)
    with np.errstate(over="raise", invalid="raise"):
        tr = ModernHopfield(xi, beta=100.0).run(cues)
    assert np.all(np.isfinite(tr.energy))
    np.testing.assert_allclose(tr.final, xi.T)


def test_batched_patterns_match_separate_runs_and_shapes():
    rng = np.random.default_rng(6)
    b, n, k = 4, 20, 6
    xi = random_patterns(n, k, rng, batch=b)
    cues = rng.standard_normal((b, n))
    batched = ModernHopfield(xi, beta=0.3).run(cues, steps=5)
    for i in range(b):
        alone = ModernHopfield(xi[i], beta=0.3).run(cues[i], steps=5)
        assert alone.x.shape == (6, n) and alone.energy.shape == (6,) and alone.overlaps.shape == (6, k)
        np.testing.assert_allclose(alone.x, batched.x[:, i], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(alone.energy, batched.energy[:, i], rtol=1e-12)


def test_bad_inputs_raise_input_error():
    xi = random_patterns(8, 3, np.random.default_rng(7))
    with pytest.raises(InputError):
        ModernHopfield(xi, beta=0.0)
    with pytest.raises(InputError):
        ModernHopfield(xi * 0.5)
    with pytest.raises(InputError):
        ModernHopfield(xi).run(np.ones(7))
    with pytest.raises(InputError):
        ModernHopfield(xi).run(np.ones(8), steps=0)
