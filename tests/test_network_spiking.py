"""Rung 2 (spiking) of the Brian2 memory network and its spiking pairwise-Hopfield control.

Small sizes on the numpy target; the 20-trial acceptance at N = 32, K = 16 is
benchmarks/spiking_recall.py.
"""

import numpy as np
import pytest
from brian2 import ms, mV, nA, pA

from astrobrian.abstract import Knockouts, TerritoryCoupling
from astrobrian.errors import InputError
from astrobrian.network import build_network
from astrobrian.network.modes import pair_matrix
from astrobrian.network.spiking import hopfield_weights
from astrobrian.patterns import cue_batch, n_flips, random_patterns


def _problem(n, k, seed, flip=0.15):
    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng)
    cue = cue_batch(xi, np.array([0]), n_flips(n, flip), rng)[0]
    return xi, cue


def test_builder_wires_processes_through_n2k_mode_connections():
    n, k = 8, 3
    xi, _ = _problem(n, k, 0)
    net = build_network("spiking", xi, memory_modes="connections", autapses=True)
    assert len(net.synapses) == n * n  # with autapses: one tripartite synapse (and process) per ordered pair
    assert net.groups["modes"].N == k
    assert len(net.groups["read"]) == len(net.groups["write"]) == n * n * k  # never N⁴
    post, pre = np.asarray(net.synapses.j[:]), np.asarray(net.synapses.i[:])
    syn, mode = np.asarray(net.groups["read"].i[:]), np.asarray(net.groups["read"].j[:])
    np.testing.assert_array_equal(net.groups["read"].w[:], xi[post[syn], mode] * xi[pre[syn], mode])
    # territories: one set of K modes per astrocyte
    terr = build_network("spiking", xi, coupling=TerritoryCoupling(3, seed=1), memory_modes="connections",
                         autapses=True)
    assert terr.groups["modes"].N == 3 * k and len(terr.groups["read"]) == n * n * k
    # the slower process clock
    assert float(net.synapses.clock.dt / net.neurons.clock.dt) == pytest.approx(10.0)
    # on the runtime device 'auto' computes the same modes as matrix products
    assert build_network("spiking", xi).memory_modes.method == "matrix"


@pytest.mark.parametrize("self_terms", [True, False])
@pytest.mark.parametrize("rung", ["spiking", "biophysical"])
def test_matrix_modes_equal_the_summed_connections(rung, self_terms):
    """The two methods of the memory modes give the same run: q and the coupling input Tψ equal to
    round-off, every spike at the same time (three territories with a gap junction and half their
    processes ablated), with both self-terms or with neither (no autapses, no self-coupling)."""
    n, k = 12, 4
    xi, cue = _problem(n, k, 2)
    runs = {}
    for method in ("connections", "matrix"):
        net = build_network(rung, xi, seed=2, memory_modes=method,
                            coupling=TerritoryCoupling(3, seed=0, gap_junction=0.3), autapses=self_terms,
                            self_coupling=self_terms, knockouts=Knockouts(process_ablation=0.5, seed=1),
                            readout_window=20 * ms)
        assert len(net.synapses) == (n * n if self_terms else n * (n - 1))
        run = net.recall(cue, 0, cue_duration=40 * ms, duration=70 * ms)
        runs[method] = (run, net.memory_modes.coupling_input(net.synapses), np.asarray(net.groups["modes"].q[:]))
    (a, tpsi_a, q_a), (b, tpsi_b, q_b) = runs["connections"], runs["matrix"]
    assert np.abs(tpsi_a).max() > 0.05  # the modes carry a real drive
    np.testing.assert_allclose(tpsi_b, tpsi_a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(q_b, q_a, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(b.recordings["spike_i"], a.recordings["spike_i"])
    np.testing.assert_array_equal(b.recordings["spike_t"], a.recordings["spike_t"])


@pytest.mark.parametrize("rung", ["spiking", "hopfield-spiking"])
def test_one_run_recall_equals_two_runs_with_the_cue_released_between(rung):
    """`present` is one run() with the cue released by an operation; two runs with I_cue set to 0
    between them give the same spikes and the same final state."""
    from astrobrian.network.spiking import run_spiking

    n, k = 12, 3
    xi, cue = _problem(n, k, 4)
    one = build_network(rung, xi, seed=4, readout_window=20 * ms)
    one.present(cue, 40 * ms, 70 * ms)
    two = build_network(rung, xi, seed=4, readout_window=20 * ms, name="two")
    two.neurons.I_cue = cue * two.cue_current
    run_spiking(two.network, 40 * ms)
    two.neurons.I_cue = 0 * two.cue_current
    run_spiking(two.network, 30 * ms)
    sa, sb = one.monitors["spikes"], two.monitors["spikes"]
    assert sa.num_spikes > 0
    np.testing.assert_array_equal(np.asarray(sa.i[:]), np.asarray(sb.i[:]))
    np.testing.assert_array_equal(np.asarray(sa.t[:]), np.asarray(sb.t[:]))
    np.testing.assert_array_equal(np.asarray(one.neurons.v[:]), np.asarray(two.neurons.v[:]))
    assert np.all(one.neurons.I_cue[:] == 0 * pA) and float(one.network.t / ms) == pytest.approx(70.0)
    assert not any(o.name.endswith("_cue_release") for o in one.neurons.contained_objects)


@pytest.mark.parametrize("rung", ["spiking", "biophysical"])
def test_without_autapses_no_synapse_or_mode_connection_touches_a_pair_i_i(rung):
    """autapses=False: N(N − 1) tripartite synapses, none i → i; the modes read and write only those."""
    n, k = 9, 3
    xi, _ = _problem(n, k, 3)
    net = build_network(rung, xi, autapses=False, self_coupling=True, memory_modes="connections")
    pre, post = np.asarray(net.synapses.i[:]), np.asarray(net.synapses.j[:])
    assert len(net.synapses) == n * (n - 1) and not np.any(pre == post)
    assert len(net.groups["read"]) == len(net.groups["write"]) == n * (n - 1) * k
    assert "self" not in net.groups  # self-coupling kept: no connection takes it out
    both = build_network(rung, xi, memory_modes="connections", name="both")  # the default: neither self-term
    assert both.parameters["autapses"] is False and both.parameters["self_coupling"] is False
    assert len(both.synapses) == n * (n - 1)
    assert len(both.groups["self"]) == 2 * n * (n - 1)  # itself and its mirror, per synapse
    wired = build_network(rung, xi, autapses=True, memory_modes="connections", name="all")
    assert len(wired.synapses) == n * n and wired.parameters["autapses"] is True


@pytest.mark.parametrize("method", ["matrix", "connections"])
def test_without_self_coupling_no_process_drives_itself_or_its_mirror(method):
    """The measured coupling (probes of ψ, one process step) equals the stored T less its self-terms,
    and a process's drive from itself and from its mirror is zero to round-off."""
    from astrobrian.analysis import probe_coupling

    n, k = 6, 2
    xi, _ = _problem(n, k, 5)
    net = build_network("spiking", xi, autapses=True, self_coupling=False, memory_modes=method,
                        coupling=TerritoryCoupling(2, seed=0, gap_junction=0.5))
    est = probe_coupling(net, seed=1)
    assert est.correlation > 1 - 1e-9 and est.max_relative_error < 1e-9
    post, pre = net.memory_modes.pairs
    mirror = np.searchsorted(post * n + pre, pre * n + post)  # every pair has its mirror (autapses: itself)
    rows = np.arange(len(post))
    assert np.abs(est.effective[rows, rows]).max() < 1e-12
    assert np.abs(est.effective[rows, mirror]).max() < 1e-12
    full = probe_coupling(build_network("spiking", xi, autapses=True, self_coupling=True, memory_modes=method,
                                        name="kept",
                                        coupling=TerritoryCoupling(2, seed=0, gap_junction=0.5)), seed=1)
    assert np.abs(full.effective[rows, rows]).min() > 1e-3  # with the self-coupling kept, it is there


def test_matrix_modes_are_refused_where_they_cannot_run():
    xi, _ = _problem(8, 2, 0)
    with pytest.raises(InputError, match="memory_modes"):
        build_network("spiking", xi, memory_modes="dense")


def test_synapses_and_processes_start_at_rest_and_the_cue_is_only_a_current():
    n, k = 8, 2
    xi, cue = _problem(n, k, 1)
    net = build_network("spiking", xi, record_synapses=1 * ms, readout_window=10 * ms)
    assert np.all(net.synapses.s[:] == 0) and np.all(net.synapses.p[:] == 0)
    run = net.recall(cue, 0, cue_duration=30 * ms, duration=45 * ms)
    s, p = run.recordings["s"], run.recordings["p"]  # (T, N²), recorded at the start of each step
    assert run.recordings["s_t"][0] == 0 and np.all(s[0] == 0) and np.all(p[0] == 0)
    # one process step later s moved only by its own Euler step (≤ dt/τ_s·(a + |ψ|)), not to the cue
    assert np.max(np.abs(s[1])) < 0.01 and np.all(p[1] == 0)
    assert np.all(net.neurons.I_cue[:] == 0 * pA)  # the cue current is released
    # during the cue, +1 bits fire and −1 bits are silent
    i, t = run.recordings["spike_i"], run.recordings["spike_t"]
    cue_counts = np.bincount(i[(t > 0.005) & (t < 0.030)], minlength=n)
    assert np.all(cue_counts[cue > 0] > 0) and np.all(cue_counts[cue < 0] == 0)


def test_spiking_network_recalls_from_rest_beyond_pairwise_capacity():
    """N = 16, K = 5 (≈ 2.3× the pairwise capacity 0.138 N), 2 flipped bits, default timing (cue
    120 ms, run 320 ms): the target is recalled to within one wrong bit (overlap ≥ 0.875) and
    beats every other pattern; the spiking Hopfield control with the same cue does not.
    (Measured on seeds 0–7: network 1.0 in 5, 0.875 in 3; Hopfield 0.38–0.62.)"""
    n, k = 16, 5
    xi, cue = _problem(n, k, 1)
    run = build_network("spiking", xi, seed=1).recall(cue, 0)
    assert run.report.cue_overlap == 0.75
    assert run.report.target_overlap >= 0.875 and run.report.target_overlap > run.report.best_other_overlap
    hop = build_network("hopfield-spiking", xi, seed=1).recall(cue, 0)
    assert hop.report.target_overlap < 0.875


def test_hopfield_control_stores_patterns_in_weights_only_and_recalls_below_capacity():
    n, k = 16, 1
    xi, cue = _problem(n, k, 3)
    net = build_network("hopfield-spiking", xi, seed=3)
    w = hopfield_weights(xi)
    assert np.all(np.diag(w) == 0)
    np.testing.assert_allclose(w, xi @ xi.T / n - np.eye(n) * k / n)
    assert len(net.synapses) == n * (n - 1) and net.groups == {}
    np.testing.assert_array_equal(net.synapses.w[:], w[net.synapses.j[:], net.synapses.i[:]])
    assert "s" not in net.synapses.variables and "p" not in net.synapses.variables
    run = net.recall(cue, 0)
    assert run.report.target_overlap == 1.0


def test_coupling_cut_removes_the_modes_drive_and_recall():
    n, k = 16, 5
    xi, cue = _problem(n, k, 1)
    cut = build_network("spiking", xi, seed=1, knockouts=Knockouts(coupling_cut=1.0))
    assert cut.memory_modes.coupling == 0.0
    run = cut.recall(cue, 0)
    assert np.all(cut.synapses.Tpsi[:] == 0)  # no drive from the modes, the processes still there
    assert np.any(cut.synapses.p[:] != 0)
    assert run.report.target_overlap < 0.875  # the cue latches instead: recall lost


def test_other_knockouts_are_parameters_of_the_same_network():
    xi, _ = _problem(8, 2, 4)
    glio = build_network("spiking", xi, knockouts=Knockouts(gliotransmission_block=1.0))
    assert glio.synapses.namespace["feedback"] == 0.0
    abl = build_network("spiking", xi, knockouts=Knockouts(process_ablation=0.5, seed=1))
    alive = pair_matrix(abl.synapses.alive[:], abl.memory_modes.pairs, 8).reshape(8, 8)  # k = post·N + pre
    off = ~np.eye(8, dtype=bool)  # no autapses by default: the i ≠ j pairs
    assert np.array_equal(alive, alive.T) and 0.3 < 1 - alive[off].mean() < 0.7
    astro = build_network("spiking", xi, coupling=TerritoryCoupling(4, seed=0),
                          knockouts=Knockouts(astrocyte_ablation=0.5, seed=0))
    assert 0 < np.mean(astro.synapses.alive[:]) < 1


def test_units_are_checked_and_overrides_reach_the_model_files():
    xi, _ = _problem(8, 2, 5)
    net = build_network("spiking", xi, tau_p=80 * ms, J=2 * nA, neuron={"tau_r": 30 * ms})
    assert net.synapses.namespace["tau_p"] == 80 * ms and net.neurons.namespace["tau_r"] == 30 * ms
    assert net.synapses.namespace["a"] == 1 / 8
    assert net.memory_modes.coupling == 1 / 64
    with pytest.raises(InputError, match="tau_s"):
        build_network("spiking", xi, tau_s=0.02)  # no unit
    with pytest.raises(InputError, match="cue_current"):
        build_network("spiking", xi, cue_current=5 * mV)


def test_bad_input_is_refused_with_a_clear_error():
    xi, cue = _problem(8, 2, 6)
    with pytest.raises(InputError, match="rung"):
        build_network("spiky", xi)
    with pytest.raises(InputError, match="K ≥ 1"):
        build_network("spiking", np.ones((8, 0)))
    with pytest.raises(InputError, match="patterns"):
        build_network("spiking", np.stack([xi, xi]))
    with pytest.raises(InputError, match="bogus"):
        build_network("spiking", xi, bogus=1)
    with pytest.raises(InputError, match="knockouts"):
        build_network("hopfield-spiking", xi, knockouts=Knockouts(coupling_cut=1))
    with pytest.raises(InputError, match="process_dt"):
        build_network("spiking", xi, dt=0.3 * ms, process_dt=1 * ms)
    net = build_network("spiking", xi, readout_window=10 * ms)
    with pytest.raises(InputError, match="cue_duration"):
        net.present(cue, -10 * ms, 50 * ms)
    with pytest.raises(InputError, match="duration"):
        net.present(cue, 10 * ms, -50 * ms)
    with pytest.raises(InputError, match="duration"):
        net.present(cue, 40 * ms, 20 * ms)
    with pytest.raises(InputError, match="cue_duration"):
        net.present(cue, 0.12, 0.32)  # times need units
    with pytest.raises(InputError, match="cue"):
        net.present(cue[:4], 10 * ms, 50 * ms)
    with pytest.raises(InputError, match="target"):
        net.read_out(cue, 5, 10 * ms)
    assert float(net.network.t) == 0.0  # nothing ran


@pytest.mark.integration
def test_spiking_rung_same_on_numpy_and_cpp_standalone():
    """The device is a parameter: cpp_standalone gives the same spikes as numpy."""
    from astrobrian.devices import use_device

    xi, cue = _problem(12, 4, 7)
    runs = {}
    for device in ("runtime", "cpp_standalone"):
        with use_device(device):
            net = build_network("spiking", xi, seed=7, readout_window=20 * ms)
            runs[device] = net.recall(cue, 0, cue_duration=30 * ms, duration=80 * ms)
    a, b = runs["runtime"].recordings, runs["cpp_standalone"].recordings
    np.testing.assert_array_equal(a["spike_i"], b["spike_i"])
    np.testing.assert_allclose(a["spike_t"], b["spike_t"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(a["rates"], b["rates"], rtol=0, atol=1e-6)
    assert runs["runtime"].report == runs["cpp_standalone"].report


@pytest.mark.integration
def test_compiled_reruns_equal_the_runtime_device_with_one_build():
    """Compile once, run many (astrobrian.compiled): three trials with their own patterns, cues,
    seeds and ablation masks share one cpp_standalone build; each re-run gives the runtime
    device's spikes and read-out (the runtime device equals a fresh standalone build: the test above)."""
    from astrobrian.compiled import CompiledRecalls
    from astrobrian.devices import use_device

    with CompiledRecalls("cpp_standalone") as compiled:
        for trial in range(3):
            xi, cue = _problem(12, 4, 20 + trial)
            kwargs = {"seed": trial, "readout_window": 20 * ms,
                      "knockouts": Knockouts(process_ablation=0.3, seed=trial)}
            run, params = compiled.recall("spiking", kwargs, xi, cue, 0, 30 * ms, 80 * ms, 1.0, 0.9, 50 + trial)
            with use_device("runtime"):
                ref = build_network("spiking", xi, **kwargs).recall(cue, 0, cue_duration=30 * ms, duration=80 * ms)
            a, b = ref.recordings, run.recordings
            assert len(a["spike_i"]) > 20
            np.testing.assert_array_equal(a["spike_i"], b["spike_i"])
            np.testing.assert_allclose(a["spike_t"], b["spike_t"], rtol=0, atol=1e-12)
            np.testing.assert_allclose(a["rates"], b["rates"], rtol=0, atol=1e-6)
            assert ref.report == run.report and params["seed"] == trial
        assert compiled.builds == 1 and compiled.reruns == 3
        root = compiled.root
    assert not root.exists()  # the project folders are removed


@pytest.mark.integration
def test_compiled_reruns_of_a_noisy_network_are_seeded_per_trial():
    """With membrane noise (neuron_preset 'noisy') a re-run draws the noise of its trial's seed: the
    same seed gives the same spikes, another seed other spikes — one build for all three."""
    from astrobrian.compiled import CompiledRecalls

    xi, cue = _problem(12, 3, 30)
    kwargs = {"seed": 1, "readout_window": 20 * ms, "neuron_preset": "noisy"}
    with CompiledRecalls("cpp_standalone") as compiled:
        runs = [compiled.recall("spiking", kwargs, xi, cue, 0, 30 * ms, 80 * ms, 1.0, 0.9, s)[0] for s in (8, 9, 8)]
        assert compiled.builds == 1
    first, other, again = (r.recordings["spike_t"] for r in runs)
    np.testing.assert_array_equal(again, first)
    assert not np.array_equal(other, first)
