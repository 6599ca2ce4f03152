"""Claims about the neuron–astrocyte model (science.md §1) checked on random instances."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astrobrian.abstract.knockouts import Knockouts
from astrobrian.abstract.neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit
from astrobrian.abstract.process_coupling import FullCoupling, MixedCoupling, SparseCoupling, TerritoryCoupling
from astrobrian.errors import InputError
from astrobrian.patterns import corrupt, cue_batch, n_flips, random_patterns


def dense_T(xi, scale):
    """The explicit N⁴ Hebbian tensor (tiny N only), as the authors' einsum builds it."""
    return scale * np.einsum("im,jm,km,lm->ijkl", xi, xi, xi, xi)


def authors_loop(xi, x0, steps, dt=0.05, beta=5.0):
    """The authors' tutorial loop (numpy transcription, dense T, leaks 1)."""
    n = xi.shape[0]
    T = dense_T(xi, 1.0 / n**3)
    psi0 = -np.outer(np.tanh(beta * x0), np.tanh(beta * x0))
    P = np.arctanh(psi0) / beta
    S = np.arctanh(-np.einsum("ijkl,kl->ij", T, psi0)) / beta
    x = x0.copy()
    xs = [x.copy()]
    for _ in range(steps):
        h, g, psi = np.tanh(beta * x), np.tanh(beta * S), np.tanh(beta * P)
        x, S, P = (
            x + dt * (-x + g @ h),
            S + dt * (-S + np.outer(h, h) + psi),
            P + dt * (-P + np.einsum("ijkl,kl->ij", T, psi) + g),
        )
        xs.append(x.copy())
    return np.array(xs)


def test_reproduces_authors_trajectory_to_rounding():
    rng = np.random.default_rng(0)
    xi = random_patterns(7, 3, rng)
    x0 = corrupt(xi[:, 1], 1, rng)
    ref = authors_loop(xi, x0, steps=200)
    traj = NeuronAstrocyteMemory(xi).run(x0, steps=200, record_every=1)
    np.testing.assert_allclose(traj.x, ref, rtol=0, atol=1e-12)


@pytest.mark.slow  # 20 s; the authors' trajectories are checked in the default run at small N
def test_reference_setting_recalls_k10_in_n500():
    """β = 5, dt = 0.05, leaks 1, reference init: N = 500, K = 10, 10 % flipped bits."""
    rng = np.random.default_rng(2025)
    xi = random_patterns(500, 10, rng)
    targets = np.array([0, 7])
    cues = cue_batch(xi, targets, n_flips(500, 0.1), rng)
    traj = NeuronAstrocyteMemory(xi).run(cues, steps=1000, record_every=1000, stop_tol=1e-9)
    assert np.array_equal(traj.recalled, xi[:, targets].T)


@pytest.mark.slow
def test_reference_setting_recalls_every_pattern_1000_steps():
    rng = np.random.default_rng(7)
    xi = random_patterns(500, 10, rng)
    cues = xi.T * np.where(rng.random((10, 500)) <= 0.9, 1.0, -1.0)  # authors' Bernoulli cue
    traj = NeuronAstrocyteMemory(xi).run(cues, steps=1000, record_every=1000)
    assert np.array_equal(traj.recalled, xi.T)


couplings = st.sampled_from(["full", "territories", "sparse", "mixed"])


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(3, 7),
    k=st.integers(1, 4),
    beta=st.floats(0.5, 5.0),
    leaks=st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 2.0), st.floats(0.0, 2.0)),
    taus=st.tuples(st.floats(0.2, 2.0), st.floats(0.2, 2.0), st.floats(0.2, 2.0)),
    init=st.sampled_from(["reference", "cue", "random"]),
    coupling=couplings,
    ablation=st.sampled_from([0.0, 0.3]),
    autapses=st.booleans(),
    self_coupling=st.booleans(),
)
def test_energy_never_increases(seed, n, k, beta, leaks, taus, init, coupling, ablation, autapses, self_coupling):
    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng)
    spec = {
        "full": FullCoupling(),
        "territories": TerritoryCoupling(n_astrocytes=2, seed=seed),
        "sparse": SparseCoupling(partners=2, seed=seed),
        "mixed": MixedCoupling(uniform=0.4),
    }[coupling]
    model = NeuronAstrocyteMemory(
        xi, beta=beta, beta_s=beta / 2, lam=leaks[0], alpha=leaks[1], gamma=leaks[2],
        tau_n=taus[0], tau_s=taus[1], tau_p=taus[2], coupling=spec,
        knockouts=Knockouts(process_ablation=ablation, seed=seed), autapses=autapses, self_coupling=self_coupling,
    )
    cue = rng.choice([-1.0, 1.0], size=(2, n))
    if init == "random":  # any symmetric start: the energy argument needs only symmetry
        S = rng.normal(size=(2, n, n))
        P = rng.normal(size=(2, n, n))
        model.initial_state = lambda c, i: (
            rng.normal(size=c.shape), S + S.transpose(0, 2, 1), P + P.transpose(0, 2, 1)
        )
        init = "cue"
    traj = model.run(cue, dt=0.01, steps=300, method="rk4", init=init, record_every=1)
    dE = np.diff(traj.energy, axis=0)
    assert np.all(dE <= 1e-10 * (1 + np.abs(traj.energy[:-1])))


def test_without_self_coupling_T_is_the_dense_T_less_each_process_coupling_to_itself_and_its_mirror():
    rng = np.random.default_rng(3)
    n, k = 5, 4
    xi = random_patterns(n, k, rng)
    model = NeuronAstrocyteMemory(xi, self_coupling=False)
    T = dense_T(xi, 1.0 / n**3)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    T[i, j, i, j] = 0.0
    T[i, j, j, i] = 0.0
    assert np.allclose(T, T.transpose(2, 3, 0, 1))  # still symmetric
    psi = rng.normal(size=(2, n, n))
    np.testing.assert_allclose(model._coupling(psi), np.einsum("ijkl,bkl->bij", T, psi), rtol=0, atol=1e-14)


@pytest.mark.parametrize("coupling", [TerritoryCoupling(n_astrocytes=3, seed=1, gap_junction=0.3),
                                      SparseCoupling(partners=3, seed=2), MixedCoupling(uniform=0.3)])
def test_without_self_coupling_a_process_feels_neither_itself_nor_its_mirror(coupling):
    """The self-field is zero to round-off in every coupling: (T'ψ)_ij does not change with ψ_ij or
    ψ_ji; T' stays symmetric (⟨φ, T'ψ⟩ = ⟨ψ, T'φ⟩) and differs from T only there."""
    rng = np.random.default_rng(4)
    n = 6
    xi = random_patterns(n, 4, rng)
    full = NeuronAstrocyteMemory(xi, coupling=coupling)
    cut = NeuronAstrocyteMemory(xi, coupling=coupling, self_coupling=False)
    psi, phi = rng.normal(size=(1, n, n)), rng.normal(size=(1, n, n))
    for a, b in ((1, 4), (2, 2)):
        bumped = psi.copy()
        bumped[0, a, b] += 1.0
        bumped[0, b, a] += 1.0
        moved = cut._coupling(bumped) - cut._coupling(psi)
        assert abs(moved[0, a, b]) < 1e-12 and abs(moved[0, b, a]) < 1e-12
        assert np.abs(full._coupling(bumped) - full._coupling(psi))[0, a, b] > 1e-3  # T itself does feel it
    assert np.sum(phi * cut._coupling(psi)) == pytest.approx(np.sum(psi * cut._coupling(phi)), rel=1e-12)


def test_mixed_coupling_runs_from_the_hebbian_tensor_to_uniform_coupling():
    """MixedCoupling(w): w = 0 is the dense Hebbian T exactly; w = 1 couples every process equally,
    (Tψ)_ij = s √K Σ_kl ψ_kl, with the Frobenius norm of the Hebbian T for K ≪ N²; in between the
    convex mixture, symmetric."""
    rng = np.random.default_rng(6)
    n, k = 6, 3
    xi = random_patterns(n, k, rng)
    s = 1.0 / n**3
    T = dense_T(xi, s)
    psi = rng.normal(size=(2, n, n))
    hebbian = NeuronAstrocyteMemory(xi, coupling=MixedCoupling(0.0))
    np.testing.assert_allclose(hebbian._coupling(psi), np.einsum("ijkl,bkl->bij", T, psi), rtol=0, atol=1e-14)
    uniform = NeuronAstrocyteMemory(xi, coupling=MixedCoupling(1.0))
    expected = np.broadcast_to(s * np.sqrt(k) * psi.sum(axis=(1, 2))[:, None, None], psi.shape)
    np.testing.assert_allclose(uniform._coupling(psi), expected, rtol=1e-12)
    mixed = NeuronAstrocyteMemory(xi, coupling=MixedCoupling(0.25))
    np.testing.assert_allclose(mixed._coupling(psi), 0.75 * hebbian._coupling(psi) + 0.25 * uniform._coupling(psi),
                               rtol=1e-12)
    phi = rng.normal(size=(2, n, n))
    assert np.sum(phi * mixed._coupling(psi)) == pytest.approx(np.sum(psi * mixed._coupling(phi)), rel=1e-12)
    big = random_patterns(40, 4, rng)  # K ≪ N²: equal Frobenius norms
    t_u = np.sqrt(4) * 40**2  # ‖√K 𝟙𝟙ᵀ‖_F over N² processes
    v = np.stack([np.outer(big[:, m], big[:, m]).ravel() for m in range(4)], axis=1)
    assert np.linalg.norm(v.T @ v) == pytest.approx(t_u, rel=0.05)
    with pytest.raises(InputError, match="uniform"):
        NeuronAstrocyteMemory(xi, coupling=MixedCoupling(1.5))


def test_without_autapses_the_i_i_synapses_and_processes_are_absent():
    """autapses=False: g_ii = ψ_ii = 0 all along a recall from rest, so neuron i never drives
    itself, and S_ii never moves."""
    rng = np.random.default_rng(5)
    n, k = 12, 3
    xi = random_patterns(n, k, rng)
    model = NeuronAstrocyteMemory.rest_scaling(xi, autapses=False)
    cue = cue_batch(xi, np.array([0]), 1, rng)
    model.run(cue, init="rest", dt=0.02, steps=300, cue_duration=2.0)
    x, S, P = model.last_state
    phi, g, psi = model.outputs(x, S, P)
    assert np.all(np.diagonal(S, axis1=1, axis2=2) == 0) and np.all(np.diagonal(g, axis1=1, axis2=2) == 0)
    assert np.all(np.diagonal(psi, axis1=1, axis2=2) == 0)
    assert np.abs(S).max() > 0.1  # the other synapses did learn
    with pytest.raises(InputError, match="autapses"):
        NeuronAstrocyteMemory(xi, autapses="no")


def test_energy_terms_match_dense_formula():
    rng = np.random.default_rng(1)
    n, k = 5, 3
    xi = random_patterns(n, k, rng)
    model = NeuronAstrocyteMemory(xi, beta=2.0, lam=0.7, alpha=0.4, gamma=1.3, b=0.1, c=0.05, d=-0.02)
    x = rng.normal(size=(1, n))
    S = rng.normal(size=(1, n, n))
    P = rng.normal(size=(1, n, n))
    S = S + S.transpose(0, 2, 1)
    P = P + P.transpose(0, 2, 1)
    terms = model.energy_terms(x, S, P, model.b[None])
    T = dense_T(xi, 1.0 / n**3)
    phi, g, psi = np.tanh(2 * x[0]), np.tanh(2 * S[0]), np.tanh(2 * P[0])
    L = lambda z: np.log(np.cosh(2 * z)) / 2  # noqa: E731
    expected = {
        "E_n": 0.7 * np.sum(x[0] * phi - L(x[0])),
        "E_s": 0.2 * np.sum(S[0] * g - L(S[0])),
        "E_p": 0.65 * np.sum(P[0] * psi - L(P[0])),
        "E_ns": -0.5 * phi @ g @ phi,
        "E_ps": -0.5 * np.sum(psi * g),
        "E_pp": -0.25 * np.einsum("ijkl,ij,kl->", T, psi, psi),
        "E_in": -0.1 * phi.sum() - 0.025 * g.sum() + 0.01 * psi.sum(),
    }
    for name, value in expected.items():
        assert terms[name][0] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def test_masked_couplings_match_dense_masked_tensor():
    rng = np.random.default_rng(3)
    n, k = 6, 4
    xi = random_patterns(n, k, rng)
    psi = rng.normal(size=(2, n, n))
    psi = psi + psi.transpose(0, 2, 1)
    T = dense_T(xi, 1.0)
    terr = TerritoryCoupling(n_astrocytes=3, seed=5)
    lab = terr.territory_labels(n)
    mask_t = lab[:, :, None, None] == lab[None, None, :, :]
    np.testing.assert_allclose(terr.build(xi, 1.0).apply(psi), np.einsum("ijkl,bkl->bij", T * mask_t, psi), atol=1e-10)
    sparse = SparseCoupling(partners=3, seed=2)
    rows, cols = sparse.mask_pairs(n)
    mask_s = np.zeros((n * n, n * n), bool)
    mask_s[rows, cols] = True
    mask_s = mask_s.reshape(n, n, n, n)
    # the symmetries the energy needs hold for the mask itself
    assert np.array_equal(mask_s, mask_s.transpose(2, 3, 0, 1))
    assert np.array_equal(mask_s, mask_s.transpose(1, 0, 2, 3))
    np.testing.assert_allclose(
        sparse.build(xi, 1.0).apply(psi), np.einsum("ijkl,bkl->bij", T * mask_s, psi), atol=1e-10
    )
    full = SparseCoupling(partners=400, seed=0)  # enough partners to cover every pair
    np.testing.assert_allclose(full.build(xi, 1.0).apply(psi), FullCoupling().build(xi, 1.0).apply(psi), atol=1e-10)


def test_per_trial_patterns_equal_separate_runs():
    rng = np.random.default_rng(4)
    xi = random_patterns(8, 3, rng, batch=3)
    cues = cue_batch(xi, np.array([0, 1, 2]), 1, rng)
    batched = NeuronAstrocyteMemory(xi, coupling=TerritoryCoupling(2, 1)).run(cues, steps=50)
    for b in range(3):
        alone = NeuronAstrocyteMemory(xi[b], coupling=TerritoryCoupling(2, 1)).run(cues[b], steps=50)
        np.testing.assert_allclose(batched.x[:, b], alone.x, atol=1e-12)


def test_fast_limit_equals_quartic_dam_drive_on_the_slow_manifold():
    """With S, P on the fast-limit manifold (reference init), dx/dt of the full model is the
    quartic DAM's dx/dt exactly."""
    rng = np.random.default_rng(5)
    xi = random_patterns(12, 20, rng)
    cues = cue_batch(xi, np.arange(4), 2, rng)
    full = NeuronAstrocyteMemory(xi, alpha=0.0, gamma=0.0)
    x, S, P = full.initial_state(cues, "reference")
    dx_full = full.derivatives(x, S, P, np.zeros_like(x))[0]
    dx_dam = (-x + QuarticDAMLimit(xi).drive(np.tanh(5 * x)))
    np.testing.assert_allclose(dx_full, dx_dam, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("autapses, self_coupling", [(False, True), (True, False), (False, False)])
def test_fast_limit_equals_quartic_dam_drive_without_the_self_terms(autapses, self_coupling):
    """The same identity with either self-term removed from both models."""
    rng = np.random.default_rng(15)
    xi = random_patterns(10, 12, rng)
    cues = cue_batch(xi, np.arange(3), 2, rng)
    switches = {"autapses": autapses, "self_coupling": self_coupling}
    full = NeuronAstrocyteMemory(xi, alpha=0.0, gamma=0.0, **switches)
    x, S, P = full.initial_state(cues, "reference")
    dx_full = full.derivatives(x, S, P, np.zeros_like(x))[0]
    dx_dam = (-x + QuarticDAMLimit(xi, **switches).drive(np.tanh(5 * x)))
    np.testing.assert_allclose(dx_full, dx_dam, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("coupling", ["full", TerritoryCoupling(n_astrocytes=2, seed=3, gap_junction=0.5)])
def test_quartic_limit_self_field_is_zero_without_self_coupling(coupling):
    """A neuron's own drive with every other neuron at 0 (its self-field): a²sK φ_i³ with the
    self-coupling, zero to round-off without it (the field it sends the other neurons unchanged) and
    without autapses (then a lone neuron drives nothing: ψ_ii was its only process); the energy still
    falls along a run from the cue."""
    rng = np.random.default_rng(16)
    n, k = 12, 30
    xi = random_patterns(n, k, rng)
    phi = np.zeros((1, n))
    phi[0, 3] = 0.7
    scale = 1.0 / n**3
    kept = QuarticDAMLimit(xi, coupling=coupling).drive(phi)
    assert kept[0, 3] == pytest.approx(scale * k * 0.7**3, rel=1e-12)
    for switches in ({"self_coupling": False}, {"autapses": False}):
        model = QuarticDAMLimit(xi, coupling=coupling, **switches)
        drive = model.drive(phi)
        assert abs(drive[0, 3]) < 1e-15  # its own drive: gone
        if "self_coupling" in switches:  # the field it sends the others: as before
            np.testing.assert_allclose(np.delete(drive, 3), np.delete(kept, 3), rtol=1e-12, atol=1e-18)
        else:  # without autapses a lone active neuron has no process at all (ψ_ii is the only one)
            assert np.all(drive == 0)
        traj = model.run(cue_batch(xi, np.array([0]), 2, rng), dt=0.01, steps=400, method="rk4", record_every=1)
        assert np.all(np.diff(traj.energy, axis=0) <= 1e-12 * (1 + np.abs(traj.energy[:-1])))


def test_without_autapses_the_rest_scaling_reaches_the_measured_capacities():
    """The no-autapse rest-scaling model (self-coupling kept) reproduces the recorded K_max at
    P = 0.5 (docs/recall.md#self-terms-limit-recall-from-rest: 23, 156, 177 at N = 16, 24, 32;
    24 trials per point, ⌊N/8⌋ flips, final target overlap ≥ 0.9): at each recorded K our own 24
    trials give P(recall) within the binomial noise of 0.5, |P − 0.5| ≤ 2·√(0.25/24) ≈ 0.20
    (measured 0.58, 0.42, 0.58). The same K with the autapses back is lost (P ≤ 0.2)."""
    from astrobrian.capacity import Criterion, recall_trials

    crit, noise = Criterion("overlap", 0.9), 2 * np.sqrt(0.25 / 24)
    kept = {"autapses": False, "self_coupling": True}
    for n, k in ((16, 23), (24, 156), (32, 177)):
        p = recall_trials("neuron-astrocyte-rest", n, k, 24, 0.125, crit, 0, kept).mean()
        assert abs(p - 0.5) <= noise + 1e-12, (n, k, p)
    latched = recall_trials("neuron-astrocyte-rest", 24, 156, 24, 0.125, crit, 0,
                            {"autapses": True, "self_coupling": True}).mean()
    assert latched <= 0.2


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("autapses, self_coupling", [(True, True), (False, True), (True, False), (False, False)])
def test_quartic_limit_closed_form_drive_equals_the_coupling_operator(autapses, self_coupling, batched):
    """The O(NK) closed form of the drive and energy (full coupling) equals a Σ_j g_ij φ_j with g
    from the coupling operator (masks and self-terms applied there), to round-off, in every
    switch setting, for shared and per-trial patterns."""
    rng = np.random.default_rng(21)
    xi = random_patterns(12, 9, rng, batch=3 if batched else None)
    model = QuarticDAMLimit(xi, autapses=autapses, self_coupling=self_coupling, hebbian_scale=0.7)
    assert model._dense
    x = rng.normal(scale=0.3, size=(3, 12))
    phi, b = np.tanh(5 * x), np.zeros((3, 12))
    closed, e_closed = model.drive(phi), model.energy_terms(x, b)["E_DAM"]
    model._dense = False  # the operator's path
    np.testing.assert_allclose(closed, model.drive(phi), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(e_closed, model.energy_terms(x, b)["E_DAM"], rtol=1e-12, atol=1e-15)


def test_fast_limit_recalls_the_same_patterns_as_quartic_dam():
    """τ_s = τ_p = 0.1 τ_n, α = γ = 0: at K ≫ the pairwise capacity the full model ends in the
    same state as the quartic DAM for (almost) every cue."""
    rng = np.random.default_rng(6)
    n, k, b = 40, 150, 12
    xi = random_patterns(n, k, rng, batch=b)
    cues = cue_batch(xi, np.zeros(b, int), n_flips(n, 0.1), rng)
    dam = QuarticDAMLimit(xi).run(cues, dt=0.02, steps=500, record_every=500)
    full = NeuronAstrocyteMemory(xi, tau_s=0.1, tau_p=0.1, alpha=0.0, gamma=0.0).run(
        cues, dt=0.02, steps=500, record_every=500
    )
    same = np.all(full.recalled == dam.recalled, axis=1)
    assert same.mean() >= 0.9
    assert np.mean(dam.final_overlaps(xi)[:, 0] == 1.0) >= 0.9


def test_quartic_limit_energy_decreases_and_matches_krotov_hopfield_form():
    rng = np.random.default_rng(8)
    xi = random_patterns(10, 6, rng)
    dam = QuarticDAMLimit(xi, beta=2.0)
    traj = dam.run(corrupt(xi[:, 0], 2, rng), dt=0.01, steps=400, method="rk4", record_every=1)
    assert np.all(np.diff(traj.energy) <= 1e-12)
    phi = np.tanh(2.0 * traj.x[-1])
    assert traj.energy_terms["E_DAM"][-1] == pytest.approx(-np.sum((xi.T @ phi) ** 4) / (4 * 10**3))


def test_rest_scaling_recalls_from_rest_above_pairwise_capacity():
    """science.md §6: N = 32, K = 16, 15 % flipped, cue as input, S = P = 0 at start."""
    rng = np.random.default_rng(9)
    xi = random_patterns(32, 16, rng, batch=8)
    cues = cue_batch(xi, np.zeros(8, int), n_flips(32, 0.15), rng)
    model = NeuronAstrocyteMemory.rest_scaling(xi)
    traj = model.run(cues, init="rest", dt=0.01, steps=1500, record_every=1500)
    assert np.mean(traj.final_overlaps(xi)[:, 0] == 1.0) >= 0.75
    cut = NeuronAstrocyteMemory.rest_scaling(xi, knockouts=Knockouts(coupling_cut=1.0))
    traj_cut = cut.run(cues, init="rest", dt=0.01, steps=1500, record_every=1500)
    assert np.mean(traj_cut.final_overlaps(xi)[:, 0] == 1.0) < np.mean(traj.final_overlaps(xi)[:, 0] == 1.0)


def test_knockouts_switch_off_what_they_name():
    rng = np.random.default_rng(10)
    xi = random_patterns(6, 2, rng)
    x = rng.normal(size=(1, 6))
    S = rng.normal(size=(1, 6, 6))
    P = rng.normal(size=(1, 6, 6))
    S = S + S.transpose(0, 2, 1)
    P = P + P.transpose(0, 2, 1)
    cut = NeuronAstrocyteMemory(xi, knockouts=Knockouts(coupling_cut=1.0))
    assert cut.energy_terms(x, S, P, 0 * x)["E_pp"][0] == 0.0
    ablated = NeuronAstrocyteMemory(xi, knockouts=Knockouts(process_ablation=1.0))
    assert np.all(ablated.outputs(x, S, P)[2] == 0.0)
    glio = NeuronAstrocyteMemory(xi, knockouts=Knockouts(gliotransmission_block=1.0))
    intact = NeuronAstrocyteMemory(xi)
    dS_glio = glio.derivatives(x, S, P, 0 * x)[1]
    dS = intact.derivatives(x, S, P, 0 * x)[1]
    np.testing.assert_allclose(dS - dS_glio, np.tanh(5 * P))
    half = Knockouts(process_ablation=0.5, seed=3).process_mask(6, None)
    assert np.array_equal(half, half.T) and half.sum() < 36
    terr = TerritoryCoupling(n_astrocytes=3, seed=0)
    gone = Knockouts(astrocyte_ablation=1 / 3, seed=0).process_mask(6, terr.territory_labels(6))
    labels = terr.territory_labels(6)
    assert len(np.unique(labels[gone == 0])) == 1  # exactly one astrocyte's processes removed


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"beta": -1.0}, "beta"),
        ({"tau_s": 0.0}, "tau_s"),
        ({"alpha": float("nan")}, "alpha"),
        ({"coupling": "ring"}, "coupling"),
        ({"knockouts": Knockouts(coupling_cut=0.0) if False else "all"}, "knockouts"),
    ],
)
def test_bad_parameters_name_the_field(kwargs, field):
    xi = random_patterns(5, 2, np.random.default_rng(0))
    with pytest.raises(InputError, match=field):
        NeuronAstrocyteMemory(xi, **kwargs)


def test_bad_inputs_are_clear_errors():
    rng = np.random.default_rng(0)
    xi = random_patterns(5, 2, rng)
    with pytest.raises(InputError, match="patterns"):
        NeuronAstrocyteMemory(xi * 0.5)
    with pytest.raises(InputError, match="cues"):
        NeuronAstrocyteMemory(xi).run(np.ones(4))
    with pytest.raises(InputError, match="cues"):
        NeuronAstrocyteMemory(xi).run(np.full(5, np.nan))
    with pytest.raises(InputError, match="init"):
        NeuronAstrocyteMemory(xi).run(np.ones(5), init="warm")
    with pytest.raises(InputError, match="knockouts.process_ablation"):
        Knockouts(process_ablation=1.5)
    with pytest.raises(InputError, match="gliotransmission_block"):
        QuarticDAMLimit(xi, knockouts=Knockouts(gliotransmission_block=1.0))
