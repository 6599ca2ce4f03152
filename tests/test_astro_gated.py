"""Astrocyte-gated associative memory (Vivet & Arenas 2026; science.md §2)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import simpson

from astrobrian.abstract.astro_gated import DEFAULT_SIGMA, AstrocyteGatedMemory
from astrobrian.errors import InputError
from astrobrian.patterns import cue_batch, random_patterns, sign

INF = float("inf")


def _instance(seed: int, n: int, k: int, b: int, per_trial: bool = False, flips: int = 1):
    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng, batch=b if per_trial else None)
    targets = rng.integers(0, k, b)
    return xi, targets, cue_batch(xi, targets, flips, rng)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- Lyapunov function


def _dissipation(xi, x, p, sigma, temp, tau_x, tau_p, score):
    """−dL/dt = τ_x Σ φ'(x) ẋ² + (c/τ_p) Var_p(f − T log p), from the paper's equations.

    x (..., B, N), p (..., B, K); patterns (N, K) or (B, N, K). Written independently of the
    package: the derivation in astro_gated's docstring, evaluated directly.
    """
    n, k = xi.shape[-2:]
    full = np.broadcast_to(xi, (x.shape[-2], n, k))  # (B, N, K) either way
    ov = np.einsum("...bn,bnk->...bk", np.tanh(sigma * x), full)
    if score == "quadratic":
        c, f, drive = k, ov**2 / (2 * n), (k / n) * np.einsum("bnk,...bk->...bn", full, p * ov)
    else:
        c, f, drive = 1.0, ov, np.einsum("bnk,...bk->...bn", full, p)
    xdot = (drive - x) / tau_x
    neurons = tau_x * np.sum(sigma / np.cosh(sigma * x) ** 2 * xdot**2, axis=-1)
    if tau_p == INF:
        return neurons
    g = f - temp * np.log(p)
    var = np.sum(p * g**2, axis=-1) - np.sum(p * g, axis=-1) ** 2
    return neurons + c / tau_p * np.maximum(var, 0.0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 7),
    k=st.integers(1, 5),
    sigma=st.floats(0.3, 5.0),
    temperature=st.one_of(st.just(0.0), st.floats(1e-3, 1.0)),
    tau_x=st.floats(0.3, 3.0),
    tau_p=st.one_of(st.just(INF), st.floats(0.3, 3.0)),
    score=st.sampled_from(["quadratic", "linear"]),
    per_trial=st.booleans(),
    spread=st.floats(0.1, 10.0),
)
def test_lyapunov_never_increases(seed, n, k, sigma, temperature, tau_x, tau_p, score, per_trial, spread):
    """L is non-increasing step by step (RK4, round-off 1e-10 relative), and its total decrease
    equals the integrated natural-gradient dissipation (Simpson's rule, 1e-3 relative)."""
    rng = np.random.default_rng(seed)
    b = 3
    xi = random_patterns(n, k, rng, batch=b if per_trial else None)
    cues = spread * rng.standard_normal((b, n))
    p0 = rng.dirichlet(np.ones(k), size=b) * 0.9 + 0.1 / k  # interior, random
    model = AstrocyteGatedMemory(
        xi, sigma=sigma, temperature=temperature, tau_x=tau_x, tau_p=tau_p, score=score, p0=p0
    )
    dt = 1e-3
    traj = model.run(cues, t_end=0.5, dt=dt, method="rk4", record_every=1)
    steps = np.diff(traj.energy, axis=0)
    scale = 1.0 + np.abs(traj.energy[:-1])
    assert np.all(steps <= 1e-10 * scale), f"L rose by {np.max(steps / scale):.3g} (relative)"
    rate = _dissipation(xi, traj.x, traj.extra["gains"], sigma, temperature, tau_x, tau_p, score)
    dissipated = simpson(rate, dx=dt, axis=0)  # 4th order: steep φ' at large σ|x| defeats the trapezoid
    drop = traj.energy[0] - traj.energy[-1]
    np.testing.assert_allclose(drop, dissipated, rtol=1e-3, atol=1e-9 * (1 + np.max(np.abs(traj.energy[0]))))


@pytest.mark.parametrize("score", ["quadratic", "linear"])
def test_energy_rate_is_minus_natural_gradient_dissipation(score):
    """dL/dt = −τ_x Σ φ'(x) ẋ² − (c/τ_p) Var_p(f − T log p) < 0, checked by central differences."""
    xi, _, cues = _instance(3, n=9, k=4, b=2)
    sigma, temp, tau_x, tau_p = 2.0, 0.3, 0.7, 1.3
    model = AstrocyteGatedMemory(xi, sigma=sigma, temperature=temp, tau_x=tau_x, tau_p=tau_p, score=score)
    h = 1e-4
    traj = model.run(cues, t_end=0.3, dt=h, method="rk4", record_every=1)
    i = len(traj.t) // 2
    predicted = -_dissipation(xi, traj.x[i], traj.extra["gains"][i], sigma, temp, tau_x, tau_p, score)
    measured = (traj.energy[i + 1] - traj.energy[i - 1]) / (2 * h)
    np.testing.assert_allclose(measured, predicted, rtol=1e-5)
    assert np.all(predicted < 0)


# ---------------------------------------------------------------- simplex


@pytest.mark.parametrize("method", ["euler", "rk4"])
@pytest.mark.parametrize("score", ["quadratic", "linear"])
def test_gains_stay_on_the_simplex(method, score):
    """Paper setting (T = 0.01, dt = 0.001, t = 10): Σp = 1 to 1e-12 and p > 0 throughout."""
    xi, _, cues = _instance(7, n=20, k=10, b=4, per_trial=True, flips=2)
    t_end = 10.0 if method == "euler" else 2.0
    traj = AstrocyteGatedMemory(xi, score=score).run(cues, t_end=t_end, dt=1e-3, method=method, record_every=10)
    p = traj.extra["gains"]
    assert p.shape == (len(traj.t), 4, 10)
    assert np.max(np.abs(p.sum(axis=-1) - 1.0)) <= 1e-12
    assert np.all(p > 0)


def test_step_that_would_leave_the_simplex_raises():
    xi, _, cues = _instance(0, n=20, k=5, b=2, flips=0)
    model = AstrocyteGatedMemory(xi, tau_p=0.01)
    with pytest.raises(FloatingPointError, match="reduce dt"):
        model.run(cues, t_end=1.0, dt=0.01)


# ---------------------------------------------------------------- limits


def test_frozen_uniform_gains_are_the_classical_continuous_hopfield_network():
    """τ_p = inf, p = 1/K: τ dx/dt = −x + (1/N) ΞΞᵀ tanh(σx), diagonal kept (own Euler loop)."""
    xi, _, cues = _instance(11, n=12, k=7, b=5, flips=3)
    sigma, tau, dt, n_steps = 3.0, 0.8, 1e-3, 2000
    traj = AstrocyteGatedMemory(xi, sigma=sigma, tau_x=tau, tau_p=INF).run(
        cues, t_end=n_steps * dt, dt=dt, record_every=500
    )
    w = xi @ xi.T / xi.shape[0]
    x = cues.copy()
    reference = [x.copy()]
    for step in range(1, n_steps + 1):
        x = x + dt / tau * (-x + np.tanh(sigma * x) @ w)
        if step % 500 == 0:
            reference.append(x.copy())
    np.testing.assert_allclose(traj.x, np.stack(reference), rtol=1e-11, atol=1e-12)
    assert np.all(traj.extra["gains"] == 1.0 / 7)


def test_large_temperature_keeps_gains_uniform_and_matches_classical_hopfield():
    """T = 1e3 ≫ max f = N/2: |Kp − 1| ≲ N/(2T) = 5e-3; x within 1e-2 of classical Hopfield."""
    xi, _, cues = _instance(5, n=10, k=6, b=4, flips=2)
    kw = dict(t_end=3.0, dt=1e-3, record_every=100)
    hot = AstrocyteGatedMemory(xi, sigma=2.0, temperature=1e3).run(cues, **kw)
    classical = AstrocyteGatedMemory(xi, sigma=2.0, tau_p=INF).run(cues, **kw)
    assert np.max(np.abs(6 * hot.extra["gains"] - 1.0)) <= 10 / (2 * 1e3)
    np.testing.assert_allclose(hot.x, classical.x, rtol=0, atol=1e-2 * np.max(np.abs(classical.x)))
    assert np.array_equal(sign(hot.final), sign(classical.final))


def test_fast_gains_track_the_softmax_of_the_scores():
    """τ_p = τ_x/100: p(t) ≈ softmax(f(x(t))/T) within 0.02 after the first 0.5 τ_x and to 1e-6 at
    t = 6 τ_x, where x is a fixed point of the fast-gain map to 1% (x still relaxes as e^{−t/τ_x})."""
    xi, _, cues = _instance(2, n=10, k=4, b=3, flips=2)
    model = AstrocyteGatedMemory(xi, sigma=2.0, temperature=0.5, tau_p=0.01)
    traj = model.run(cues, t_end=6.0, dt=1e-3, method="rk4", record_every=100)
    late = traj.t >= 0.5
    expected = np.stack([model.fixed_point_gains(x) for x in traj.x[late]])
    assert np.max(np.abs(traj.extra["gains"][late] - expected)) <= 0.02
    np.testing.assert_allclose(traj.extra["gains"][-1], model.fixed_point_gains(traj.final), atol=1e-6)
    residual = np.abs(traj.final - model.fast_gain_update(traj.final))
    assert np.max(residual) <= 0.01 * np.max(np.abs(traj.final))
    assert np.max(residual) <= 1e-2 * np.max(np.abs(cues - model.fast_gain_update(cues)))


def test_fast_gain_energy_is_the_minimum_of_L_over_the_gains():
    xi, _, cues = _instance(4, n=8, k=5, b=6, flips=2)
    rng = np.random.default_rng(0)
    x = cues * rng.uniform(0.2, 2.0, cues.shape)
    for score in ("quadratic", "linear"):
        for temp in (0.0, 0.05, 2.0):
            model = AstrocyteGatedMemory(xi, temperature=temp, sigma=1.5, score=score)
            e = model.fast_gain_energy(x)
            for _ in range(5):
                p = rng.dirichlet(np.ones(5), size=6)
                assert np.all(e <= model.lyapunov(x, p) + 1e-12)
            if temp > 0:
                np.testing.assert_allclose(model.lyapunov(x, model.fixed_point_gains(x)), e, rtol=1e-12)


def test_linear_score_fast_gain_fixed_point_is_the_attention_update():
    """score="linear": at the fixed point x = Ξ softmax(Ξᵀ tanh(σx)/T) (Ramsauer et al. 2021)."""
    xi, _, cues = _instance(9, n=8, k=3, b=4, flips=1)
    sigma, temp = 2.0, 0.2
    model = AstrocyteGatedMemory(xi, sigma=sigma, temperature=temp, tau_p=0.05, score="linear")

    def attention(x):
        return _softmax(np.tanh(sigma * x) @ xi / temp) @ xi.T

    rng = np.random.default_rng(1)
    probe = rng.standard_normal((4, 8))
    np.testing.assert_allclose(model.fast_gain_update(probe), attention(probe), rtol=1e-12)
    traj = model.run(cues, t_end=20.0, dt=1e-2, method="rk4", record_every=100)
    np.testing.assert_allclose(traj.final, attention(traj.final), atol=1e-8)


# ---------------------------------------------------------------- recall and API


def test_recalls_the_cued_pattern_at_high_load_where_classical_hopfield_fails():
    """N = 20, K = 60 (load 3), 2 flipped bits, paper parameters: gated recall is exact."""
    xi, targets, cues = _instance(12, n=20, k=60, b=8, per_trial=True, flips=2)
    clean = xi[np.arange(8), :, targets]
    gated = AstrocyteGatedMemory(xi).run(cues, t_end=10.0, dt=1e-2)
    classical = AstrocyteGatedMemory(xi, tau_p=INF).run(cues, t_end=10.0, dt=1e-2)
    assert np.mean(gated.recalled != clean) < np.mean(classical.recalled != clean)
    winner = np.argmax(gated.extra["gains"][-1], axis=1)
    assert np.mean(winner == targets) >= 7 / 8


def test_trajectory_shapes_and_single_cue():
    xi, _, cues = _instance(1, n=6, k=3, b=2)
    model = AstrocyteGatedMemory(xi)
    traj = model.run(cues, t_end=0.5, dt=0.01, record_every=10)
    assert traj.x.shape == (6, 2, 6) and traj.overlaps.shape == (6, 2, 3)
    assert traj.energy.shape == (6, 2) and traj.extra["gains"].shape == (6, 2, 3)
    np.testing.assert_allclose(traj.t, np.arange(6) * 0.1)
    np.testing.assert_allclose(sum(traj.energy_terms.values()), traj.energy)
    np.testing.assert_allclose(traj.overlaps, sign(traj.x) @ xi / 6)  # ±1 read-out
    one = model.run(cues[0], t_end=0.5, dt=0.01, record_every=10)
    assert one.x.shape == (6, 6) and one.extra["gains"].shape == (6, 3) and one.final.shape == (6,)
    np.testing.assert_array_equal(one.x, traj.x[:, 0])
    assert model.fixed_point_gains(cues[0]).shape == (3,)
    assert np.ndim(model.fast_gain_energy(cues[0])) == 0
    assert model.sigma == DEFAULT_SIGMA


def test_same_input_gives_identical_output():
    xi, _, cues = _instance(6, n=10, k=4, b=3, per_trial=True, flips=2)
    runs = [AstrocyteGatedMemory(xi, temperature=0.1).run(cues, t_end=1.0, dt=1e-3) for _ in range(2)]
    for field in ("x", "energy", "overlaps", "final"):
        np.testing.assert_array_equal(getattr(runs[0], field), getattr(runs[1], field))
    np.testing.assert_array_equal(runs[0].extra["gains"], runs[1].extra["gains"])


def test_zero_temperature_gains_pick_the_best_score():
    xi, targets, cues = _instance(10, n=12, k=4, b=5, flips=1)
    model = AstrocyteGatedMemory(xi, temperature=0.0)
    p = model.fixed_point_gains(cues)
    np.testing.assert_array_equal(p, np.eye(4)[targets])
    np.testing.assert_allclose(model.fast_gain_energy(cues), model.lyapunov(cues, p))
    traj = model.run(cues, t_end=0.0)
    assert len(traj.t) == 1 and np.array_equal(traj.final, cues)


def test_initial_gains_p0():
    xi, _, cues = _instance(8, n=6, k=3, b=2)
    p0 = np.array([0.5, 0.3, 0.2])
    traj = AstrocyteGatedMemory(xi, p0=p0, tau_p=INF).run(cues, t_end=0.1, dt=0.01)
    np.testing.assert_array_equal(traj.extra["gains"][-1], np.tile(p0, (2, 1)))


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(sigma=0.0), "sigma"),
        (dict(sigma=-1.0), "sigma"),
        (dict(sigma=float("nan")), "sigma"),
        (dict(temperature=-0.01), "temperature"),
        (dict(temperature=INF), "temperature"),
        (dict(tau_x=0.0), "tau_x"),
        (dict(tau_x=INF), "tau_x"),
        (dict(tau_p=-1.0), "tau_p"),
        (dict(tau_p=0.0), "tau_p"),
        (dict(tau_p="fast"), "tau_p"),
        (dict(score="cubic"), "score"),
        (dict(p0=[0.5, 0.5]), "p0"),
        (dict(p0=[0.5, 0.5, 0.0]), "p0"),
        (dict(p0=[0.5, 0.4, 0.4]), "p0"),
        (dict(patterns=np.full((4, 3), 0.5)), "patterns"),
    ],
)
def test_bad_parameters_raise_input_error(kwargs, field):
    xi = random_patterns(4, 3, np.random.default_rng(0))
    kwargs = {"patterns": xi, **kwargs}
    with pytest.raises(InputError) as err:
        AstrocyteGatedMemory(**kwargs)
    assert err.value.field == field


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(dt=0.0), "dt"),
        (dict(dt=-1e-3), "dt"),
        (dict(t_end=-1.0), "t_end"),
        (dict(method="heun"), "method"),
        (dict(record_every=0), "record_every"),
        (dict(cues=np.ones((2, 5))), "cues"),
        (dict(cues=np.full(4, np.nan)), "cues"),
    ],
)
def test_bad_run_arguments_raise_input_error(kwargs, field):
    xi = random_patterns(4, 3, np.random.default_rng(0))
    model = AstrocyteGatedMemory(xi)
    kwargs = {"cues": np.ones(4), **kwargs}
    with pytest.raises(InputError) as err:
        model.run(**kwargs)
    assert err.value.field == field


def test_per_trial_patterns_need_one_set_per_cue():
    xi = random_patterns(4, 3, np.random.default_rng(0), batch=3)
    with pytest.raises(InputError) as err:
        AstrocyteGatedMemory(xi).run(np.ones((2, 4)), t_end=0.1)
    assert err.value.field == "patterns"
    with pytest.raises(InputError) as err:
        AstrocyteGatedMemory(random_patterns(4, 3, np.random.default_rng(0)), p0=np.full((3, 3), 1 / 3)).run(
            np.ones((2, 4)), t_end=0.1
        )
    assert err.value.field == "p0"
