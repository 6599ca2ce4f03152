"""gchi_astrocyte, tsodyks_markram_tripartite and their presets reproduce Brian2's neuron–glia
examples (Stimberg, Goodman, Brette & De Pittà 2019) to the numbers in anchors.md.

Every object is built through astrobrian.models (presets, neuron_group, synapses, connection);
nothing is taken from the example scripts but the protocol (spike times, rates, sizes, seed).
"""

import numpy as np
import pytest
from brian2 import (
    Hz,
    Network,
    NeuronGroup,
    PoissonGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    TimedArray,
    defaultclock,
    ms,
    second,
    seed,
    start_scope,
    umolar,
)

from astrobrian import models

# ---- example 3: I/O synapse with open-loop gliotransmission ---------------------------------
EX3_TRANSIENT = 16.5 * second
EX3_SPIKES_MS = np.r_[0, 50, 100, 150, 200, np.arange(300, 401, 10)]


def run_example3():
    """Two astrocytes (I_bias 0.8 and 1.25 µM) each feeding one of three synapses driven by the
    same spike train; synapse 0 has no astrocyte. rk4/exact at dt = 1 ms, 17.1 s."""
    start_scope()
    defaultclock.dt = 1 * ms
    astro_spec = models.load("gchi_astrocyte", preset="stimberg2019_ex3")
    syn_spec = models.load("tsodyks_markram_tripartite", preset="stimberg2019_ex3")
    spike_times = EX3_SPIKES_MS * ms + EX3_TRANSIENT
    source = SpikeGeneratorGroup(1, np.zeros(len(spike_times), dtype=int), spike_times)
    target = NeuronGroup(1, "")
    synapses = syn_spec.synapses(source, target)
    synapses.connect(True, n=3)
    syn_spec.set_initial(synapses)
    astrocytes = astro_spec.neuron_group(2)
    astrocytes.I_bias = [0.8, 1.25] * umolar
    gliotransmission = astro_spec.connection("to_synapse", astrocytes, synapses)
    gliotransmission.connect(j="i + 1")  # astrocyte A → synapse 1, B → synapse 2
    astro_mon = StateMonitor(astrocytes, ["C", "G_A"], record=True)
    syn_mon = StateMonitor(synapses, ["r_S", "Y_S"], record=True)
    releases = SpikeMonitor(astrocytes)
    net = Network(source, target, synapses, astrocytes, gliotransmission, astro_mon, syn_mon, releases)
    net.run(EX3_TRANSIENT + 600 * ms)
    return {
        "C_max": astro_mon.C.max(axis=1) / umolar,
        "releases": np.asarray(releases.count[:]),
        "G_A_max": float(astro_mon.G_A.max() / umolar),
        "r_S_max": syn_mon.r_S.max(axis=1),
        "Y_S_max": syn_mon.Y_S.max(axis=1) / umolar,
    }


@pytest.fixture(scope="module")
def example3(numpy_target):
    return run_example3()


def test_example3_astrocyte_calcium_peaks_and_release_counts(example3):
    # anchors.md: A (I_bias 0.8 µM) C_max 1.045 µM, 1 release; B (1.25 µM) 1.187 µM, 2 releases
    np.testing.assert_allclose(example3["C_max"], [1.045, 1.187], rtol=0.01)
    assert list(example3["releases"]) == [1, 2]


def test_example3_gliotransmitter_peak(example3):
    assert example3["G_A_max"] == pytest.approx(78.0, rel=0.01)


def test_example3_gliotransmission_decreases_synaptic_release(example3):
    # synapse without astrocyte / with A / with B (anchors.md)
    np.testing.assert_allclose(example3["r_S_max"], [0.600, 0.219, 0.114], rtol=0.01)
    np.testing.assert_allclose(example3["Y_S_max"], [1500, 625, 637], rtol=0.01)


# ---- example 4: closed- vs open-loop gliotransmission, 500 Poisson synapses ----------------
EX4_RATES_HZ = [0.011, 0.11, 1.1, 11]
EX4_SEED = 16283  # the example's own seed
# anchors.md: mean ⟨Y_S⟩ (µM) per 5 s epoch, brian2 2.9.0 cpp_standalone, unmodified script
EX4_ANCHORS = {
    "closed": ["0.39", "4.17", "21.2", "71.2"],
    "open": ["0.17", "0.79", "10.1", "72.0"],
    "none": ["0.39", "4.26", "34.0", "109.7"],
}


def run_example4(seed_value, n_synapses=500):
    """Per loop (closed, open, none) the mean over synapses of Y_S, averaged over each 5 s epoch
    of the rate staircase (0.011 → 11 Hz). Closed loop: synapse i ↔ astrocyte i; open loop:
    astrocyte n + i (I_bias 1 µM, no synaptic input) → synapse n + i; synapses 2n… have none."""
    start_scope()
    seed(seed_value)
    defaultclock.dt = 1 * ms
    n = n_synapses
    astro_spec = models.load("gchi_astrocyte", preset="stimberg2019_ex4")
    syn_spec = models.load("tsodyks_markram_tripartite", preset="stimberg2019_ex4")
    rate_in = TimedArray(EX4_RATES_HZ * Hz, dt=5 * second)
    source = PoissonGroup(n, rates="rate_in(t)", namespace={"rate_in": rate_in})
    target = NeuronGroup(n, "")
    synapses = syn_spec.synapses(source, target)
    for _ in range(3):  # closed-loop, open-loop, no astrocyte: synapses k·n + i
        synapses.connect(j="i")
    syn_spec.set_initial(synapses)
    astrocytes = astro_spec.neuron_group(2 * n)
    astrocytes.I_bias = np.r_[np.zeros(n), np.ones(n)] * umolar
    sensing = syn_spec.connection("to_astrocyte", synapses, astrocytes)
    sensing.connect(i=np.arange(n), j=np.arange(n))
    gliotransmission = astro_spec.connection("to_synapse", astrocytes, synapses)
    gliotransmission.connect(i=np.arange(2 * n), j=np.arange(2 * n))
    mon = StateMonitor(synapses, "Y_S", record=True, dt=10 * ms)
    net = Network(source, target, synapses, astrocytes, sensing, gliotransmission, mon)
    net.run(20 * second)
    y, t = np.asarray(mon.Y_S) / float(umolar), np.asarray(mon.t)
    epochs = [(t >= 5 * k) & (t < 5 * (k + 1)) for k in range(4)]
    return {
        loop: np.array([y[part].mean(axis=0)[e].mean() for e in epochs])
        for loop, part in [("closed", slice(0, n)), ("open", slice(n, 2 * n)), ("none", slice(2 * n, 3 * n))]
    }


def _printed_tolerance(text):
    """Half a unit of the last printed digit of an anchor value."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


@pytest.mark.slow
def test_example4_with_the_examples_seed_reproduces_every_anchor():
    # With seed 16283 the numpy target draws the same Poisson trains as the reference run:
    # all 12 values agree to the printed digits (measured: closed 0.386/4.172/21.19/71.22,
    # open 0.168/0.792/10.10/72.00, none 0.386/4.259/34.03/109.68).
    got = run_example4(EX4_SEED)
    for loop, texts in EX4_ANCHORS.items():
        for k, text in enumerate(texts):
            assert abs(got[loop][k] - float(text)) <= max(_printed_tolerance(text), 0.01 * float(text)), (loop, k)


@pytest.mark.slow
def test_example4_seed_average_agrees_with_anchors():
    """Averaged over seeds 1–12, the 0.11, 1.1 and 11 Hz epochs are within 5 % of anchors.md.

    Measured (12 seeds, µM; deviation from the anchor): closed 0.414 (+6.2 %) / 4.026 (−3.5 %) /
    21.11 (−0.4 %) / 70.89 (−0.4 %); open 0.170 (+0.2 %) / 0.755 (−4.5 %) / 10.11 (+0.1 %) /
    71.80 (−0.3 %); none 0.414 (+6.2 %) / 4.080 (−4.2 %) / 33.87 (−0.4 %) / 109.49 (−0.2 %).
    The anchors are one realisation (seed 16283): at 0.11 Hz it lies ≈ 1 seed-SD (5 %) above
    our seed mean, so 5 % holds there with little room.

    The 0.011 Hz epoch has ≈ 27 presynaptic spikes among 500 synapses in 5 s: seed-to-seed
    spread 18 % (closed, none) and 27 % (open). Its expectation for the synapse without
    astrocyte is rate × ρ_c Y_T U_0* / Ω_c = 0.011 Hz × 37.5 µM·s = 0.4125 µM, 5.8 % above the
    anchor's 0.39, so 5 % cannot hold there on average (24 other seeds gave 0.434 ± 0.021, +11 %).
    That epoch is checked against the expectation within 3 standard errors, and the anchor
    against our seed distribution as one draw (within 3 seed standard deviations).
    """
    runs = [run_example4(s) for s in range(1, 13)]
    for loop, texts in EX4_ANCHORS.items():
        values = np.array([r[loop] for r in runs])  # (seeds, epochs)
        mean, sd = values.mean(axis=0), values.std(axis=0, ddof=1)
        anchors = np.array([float(x) for x in texts])
        np.testing.assert_allclose(mean[1:], anchors[1:], rtol=0.05, err_msg=loop)
        assert abs(anchors[0] - mean[0]) <= 3 * sd[0] * np.sqrt(1 + 1 / len(runs)), loop
    none_low = np.array([r["none"][0] for r in runs])
    expectation = 0.011 * 0.005 * 500e3 * 0.6 / 40  # µM: rate × ρ_c Y_T U_0* / Ω_c
    assert abs(none_low.mean() - expectation) <= 3 * none_low.std(ddof=1) / np.sqrt(len(runs))
    # before the first release the closed loop is exactly the synapse without astrocyte
    assert all(r["closed"][0] == pytest.approx(r["none"][0]) for r in runs)


# ---- presets carry each example's values ---------------------------------------------------
def test_presets_carry_each_examples_parameter_values():
    ns = {ex: models.load("gchi_astrocyte", preset=f"stimberg2019_ex{ex}").namespace for ex in range(2, 7)}
    assert ns[2]["K_P"] == 0.1 * umolar and all(ns[ex]["K_P"] == 0.05 * umolar for ex in range(3, 7))
    assert [ns[ex]["O_beta"] / (umolar / second) for ex in (2, 4, 6)] == pytest.approx([5, 3.2, 0.5])
    assert [ns[ex]["O_delta"] / (umolar / second) for ex in range(2, 7)] == pytest.approx([0.2, 0.6, 0.6, 0.6, 1.2])
    assert [ns[ex]["F_ex"] / (umolar / second) for ex in range(2, 7)] == pytest.approx([0.09, 2, 2, 0.09, 0])
    assert ns[2]["K_delta"] == 0.3 * umolar and ns[2]["Omega_5P"] == 0.1 / second and ns[2]["K_D"] == 0.5 * umolar
    ex6 = models.load("tsodyks_markram_tripartite", preset="stimberg2019_ex6")
    # the quirk is shipped, not hidden: α = 0 (release-decreasing), and the preset says so
    assert ex6.namespace["alpha"] == 0.0 and "release-increasing" in ex6.presets["stimberg2019_ex6"]
