"""Rung 3 (biophysical): its building blocks, rest state, recall from a cue and its knockouts,
on the numpy target at small sizes (the N = 32 acceptance run is the 'biophysical' protocol)."""

import numpy as np
import pytest
from brian2 import ms, umolar

from astrobrian import models
from astrobrian.abstract import Knockouts, NeuronAstrocyteMemory, TerritoryCoupling
from astrobrian.errors import InputError
from astrobrian.network import build_network
from astrobrian.network.biophysical import process_steady_state, switch_production, tm_release
from astrobrian.network.modes import pair_matrix
from astrobrian.patterns import corrupt, random_patterns


def _release_by_iteration(rate, u0, omega_f, omega_d, spikes=400):
    """Tsodyks–Markram event updates iterated spike by spike (the definition)."""
    u, x, period = 0.0, 1.0, 1.0 / rate
    for _ in range(spikes):
        u += u0 * (1 - u)
        r = u * x
        x -= r
        u *= np.exp(-omega_f * period)
        x = 1 - (1 - x) * np.exp(-omega_d * period)
    return r


@pytest.mark.parametrize("rate", [5.0, 50.0, 120.0])
def test_release_normalisation_is_the_tsodyks_markram_steady_state(rate):
    assert tm_release(rate, 0.05, 1.9, 20.0) == pytest.approx(_release_by_iteration(rate, 0.05, 1.9, 20.0), rel=1e-9)
    with pytest.raises(InputError, match="rate"):
        tm_release(0.0, 0.05, 1.9, 20.0)


def test_process_ca_loop_has_a_switch_then_a_graded_branch():
    spec = models.load("biophysical_tripartite")
    low, high = process_steady_state(spec, 0.10)["C"], process_steady_state(spec, 0.30)["C"]
    assert low < 0.06 < 0.3 < high  # below / above the PLCδ switch (µM)
    branch = [process_steady_state(spec, j)["C"] for j in (0.3, 0.5, 0.7, 0.9)]
    assert np.all(np.diff(branch) > 0.005)  # monotone, graded: ψ is a function of the drive
    j = switch_production(spec)
    assert process_steady_state(spec, j)["C"] == pytest.approx(float(spec.namespace["C_mid"] / umolar), abs=0.01)


def _recall(n, k, seed=0, flips=None, **params):
    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng)
    cue = corrupt(xi[:, 0], int(0.15 * n) if flips is None else flips, rng)
    net = build_network("biophysical", xi, seed=seed, **params)
    return net, net.recall(cue, 0)


def test_every_process_starts_at_rest_and_has_no_common_bias():
    xi = random_patterns(8, 2, np.random.default_rng(1))
    net = build_network("biophysical", xi, record_synapses=10 * ms)
    run = net.recall(np.zeros(8), 0, cue_duration=0 * ms, duration=150 * ms)
    psi, ca = run.recordings["psi"], run.recordings["C"]  # (T, N²); C in SI (mol/m³ = mM)
    rest_c = net.parameters["process_rest"]["C_uM"]
    assert abs(rest_c - 0.46) < 0.01
    wired = ~np.eye(8, dtype=bool).ravel()  # no autapses by default: the i = i entries hold no process
    np.testing.assert_allclose(ca[0][wired] * 1e3, rest_c, rtol=1e-9)  # at rest, never set from a cue
    assert np.abs(psi[0]).max() < 1e-3
    # rest is a symmetric, unstable point (the network picks an attractor on its own, and ψ_ij then
    # follows φ_iφ_j), but the processes bring no common-mode bias of their own: while the network is
    # still near rest (the first 50 ms, measured |ψ| mean ≤ 0.04) ψ averages to ≈ 0 over the processes
    assert np.abs(psi[:6].mean(axis=1)).max() < 0.06
    assert np.all(np.isfinite(ca))


def test_biophysical_rung_recalls_beyond_pairwise_capacity_and_coupling_cut_loses_it():
    # N = 16, K = 6 (≈ 2.7× the pairwise capacity 0.138 N), 2 of 16 bits flipped. At this small
    # size 4 of 6 seeds recall (measured; N = 32 recalls 19/20, the 'biophysical' protocol): one
    # that recalls is a regression check, and the same network without T must not
    _, intact = _recall(16, 6, seed=4, flips=2)
    assert intact.report.target_overlap >= 0.9 and intact.report.persists
    _, cut = _recall(16, 6, seed=4, flips=2, knockouts=Knockouts(coupling_cut=1.0))
    assert cut.report.target_overlap < 0.9


def test_knockout_switches_act_on_the_same_network():
    xi = random_patterns(8, 2, np.random.default_rng(0))
    net = build_network("biophysical", xi, knockouts=Knockouts(ip3r2_knockout=0.5, process_ablation=0.25, seed=3))
    pairs, off = net.memory_modes.pairs, ~np.eye(8, dtype=bool)  # no autapses: the i ≠ j pairs
    cicr = pair_matrix(net.synapses.cicr[:], pairs, 8).reshape(8, 8)
    alive = pair_matrix(net.synapses.alive[:], pairs, 8).reshape(8, 8)
    assert np.array_equal(cicr, cicr.T) and np.array_equal(alive, alive.T)  # one process per unordered pair
    assert 0.3 < 1 - cicr[off].mean() < 0.7 and 0.1 < 1 - alive[off].mean() < 0.4
    coupled = build_network("biophysical", xi, coupling=TerritoryCoupling(2, gap_junction=1.0),
                            memory_modes="connections")
    blocked = build_network("biophysical", xi, coupling=TerritoryCoupling(2, gap_junction=1.0),
                            knockouts=Knockouts(gap_junction_block=1.0), memory_modes="connections")
    assert coupled.parameters["gap_junction"] == 1.0 and blocked.parameters["gap_junction"] == 0.0
    assert len(coupled.groups["read"]) == 2 * len(blocked.groups["read"])  # IP3 to the other astrocyte's modes
    glio = build_network("biophysical", xi, knockouts=Knockouts(gliotransmission_block=1.0))
    assert float(glio.synapses.namespace["feedback"]) == 0.0


def test_abstract_prediction_of_gap_junctions_and_ip3r2_knockout():
    rng = np.random.default_rng(2)
    xi = random_patterns(10, 3, rng)
    psi = rng.uniform(-1, 1, (1, 10, 10))
    psi = psi + np.swapaxes(psi, -1, -2)
    full = NeuronAstrocyteMemory(xi, coupling="full").T.apply(psi)
    own = NeuronAstrocyteMemory(xi, coupling=TerritoryCoupling(3, 1)).T.apply(psi)
    joined = NeuronAstrocyteMemory(xi, coupling=TerritoryCoupling(3, 1, gap_junction=1.0)).T.apply(psi)
    blocked = NeuronAstrocyteMemory(xi, coupling=TerritoryCoupling(3, 1, gap_junction=1.0),
                                    knockouts=Knockouts(gap_junction_block=1.0)).T.apply(psi)
    np.testing.assert_allclose(joined, full, atol=1e-12)
    np.testing.assert_allclose(blocked, own, atol=1e-12)
    ko = NeuronAstrocyteMemory(xi, knockouts=Knockouts(ip3r2_knockout=1.0))
    assert np.all(ko.process_mask == 0)


def test_bad_input_is_refused_with_the_field_named():
    xi = random_patterns(8, 2, np.random.default_rng(0))
    with pytest.raises(InputError, match="Omega_Q"):
        build_network("biophysical", xi, Omega_Q=1.0)
    with pytest.raises(InputError, match="J_rest"):
        build_network("biophysical", xi, J_rest=0.1 * umolar / (1 * ms))
    with pytest.raises(InputError, match="O_mem"):
        build_network("biophysical", xi, O_mem=1.5 * umolar / (1000 * ms))
    with pytest.raises(InputError, match="ip3r2"):
        build_network("spiking", xi, knockouts=Knockouts(ip3r2_knockout=0.5))
    with pytest.raises(InputError, match="ip3r2_knockout"):
        Knockouts(ip3r2_knockout=1.5)
