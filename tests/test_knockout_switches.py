"""The knockout switches of science.md §5 that the G-ChI / tripartite / gap-junction models carry
change their outputs in the documented direction: IP3R2 knockout (Omega_C = 0), gliotransmission
block (dnSNARE, release_enabled = 0), ineffective gliotransmission (alpha = U_0*) and
gap-junction block (Cx43/Cx30, F = 0)."""

import numpy as np
import pytest
from brian2 import (
    Network,
    NeuronGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    defaultclock,
    ms,
    second,
    start_scope,
    umolar,
)

from astrobrian import models

SPIKES = 2 * second + np.arange(0, 201, 50) * ms  # after astrocyte B's first release (≈ 1.06 s)


def tripartite(astro=None, synapse=None):
    """Example 3's astrocyte B (I_bias 1.25 µM) on synapse 1; synapse 0, driven by the same
    spikes, has no astrocyte. 2.25 s at dt = 1 ms."""
    start_scope()
    defaultclock.dt = 1 * ms
    astro_spec = models.load("gchi_astrocyte", preset="stimberg2019_ex3", **(astro or {}))
    syn_spec = models.load("tsodyks_markram_tripartite", preset="stimberg2019_ex3", **(synapse or {}))
    source = SpikeGeneratorGroup(1, np.zeros(len(SPIKES), dtype=int), SPIKES)
    target = NeuronGroup(1, "")
    synapses = syn_spec.synapses(source, target)
    synapses.connect(True, n=2)
    syn_spec.set_initial(synapses)
    astrocyte = astro_spec.neuron_group(1)
    astrocyte.I_bias = 1.25 * umolar
    gliotransmission = astro_spec.connection("to_synapse", astrocyte, synapses)
    gliotransmission.connect(i=0, j=1)
    astro_mon = StateMonitor(astrocyte, ["C", "G_A"], record=0)
    syn_mon = StateMonitor(synapses, ["r_S", "Gamma_S"], record=True, when="end")
    events = SpikeMonitor(astrocyte)
    Network(source, target, synapses, astrocyte, gliotransmission, astro_mon, syn_mon, events).run(2.25 * second)
    after_spike = np.rint(np.asarray(SPIKES / defaultclock.dt)).astype(int)  # records at the end of the spike's step
    return {
        "C_max": float(astro_mon.C[0].max() / umolar),
        "events": int(events.num_spikes),
        "G_A_max": float(astro_mon.G_A[0].max() / umolar),
        "Gamma_S_max": float(syn_mon.Gamma_S[1].max()),
        "r_S_without": syn_mon.r_S[0][after_spike],
        "r_S_with": syn_mon.r_S[1][after_spike],
    }


@pytest.fixture(scope="module")
def intact(numpy_target):
    return tripartite()


def test_intact_astrocyte_releases_and_depresses_its_synapse(intact):
    assert intact["C_max"] > 1.0 and intact["events"] == 1
    assert intact["G_A_max"] == pytest.approx(78.0, rel=0.01) and intact["Gamma_S_max"] > 0.5
    assert intact["r_S_without"][0] == pytest.approx(0.6)
    # α = 0 (release-decreasing): the first spike releases far less, the train less in total
    assert intact["r_S_with"][0] < 0.2 * intact["r_S_without"][0]
    assert intact["r_S_with"].sum() < 0.6 * intact["r_S_without"].sum()


def test_ip3r2_knockout_removes_cicr_and_release(intact):
    ko = tripartite(astro={"Omega_C": 0 / second})
    assert ko["C_max"] < 0.1 < intact["C_max"]  # only the ER leak is left: C ≈ 0.026 µM
    assert ko["events"] == 0 and ko["G_A_max"] == 0.0 and ko["Gamma_S_max"] == 0.0
    np.testing.assert_array_equal(ko["r_S_with"], ko["r_S_without"])


def test_dnsnare_block_keeps_calcium_events_but_releases_nothing(intact):
    ko = tripartite(astro={"release_enabled": 0})
    assert ko["C_max"] == pytest.approx(intact["C_max"]) and ko["events"] == intact["events"] == 1
    assert ko["G_A_max"] == 0.0 and ko["Gamma_S_max"] == 0.0
    # the synapse behaves as if it had no astrocyte
    np.testing.assert_array_equal(ko["r_S_with"], ko["r_S_without"])
    np.testing.assert_array_equal(ko["r_S_without"], intact["r_S_without"])


def test_alpha_equal_to_resting_release_makes_gliotransmission_ineffective(intact):
    u0 = models.load("tsodyks_markram_tripartite").namespace["U_0__star"]
    neutral = tripartite(synapse={"alpha": u0})
    assert neutral["Gamma_S_max"] == pytest.approx(intact["Gamma_S_max"])  # receptors still activated
    np.testing.assert_allclose(neutral["r_S_with"], neutral["r_S_without"], rtol=1e-12)


def coupled_pair(F):
    """Example 5's astrocytes: cell 0 pulled to I_bias = 1 µM, cell 1 coupled to it by a
    two-way gap junction, cell 2 an uncoupled control. 60 s at the example's dt = 50 ms."""
    start_scope()
    defaultclock.dt = 50 * ms
    astro_spec = models.load("gchi_astrocyte", preset="stimberg2019_ex5")
    gj_spec = models.load("gap_junction", preset="stimberg2019_ex5", F=F)
    astrocytes = astro_spec.neuron_group(3)
    astrocytes.I_bias = [1.0, 0.0, 0.0] * umolar
    junction = gj_spec.synapses(astrocytes, astrocytes)
    junction.connect(i=[0, 1], j=[1, 0])
    mon = StateMonitor(astrocytes, ["I", "J_coupling"], record=True)
    events = SpikeMonitor(astrocytes)
    Network(astrocytes, junction, mon, events).run(60 * second)
    return mon, np.asarray(events.count[:])


def test_gap_junction_carries_ip3_down_the_gradient_and_its_block_stops_it():
    mon, events = coupled_pair(0.09 * umolar / second)
    influx = np.asarray(mon.J_coupling[1]) / float(umolar / second)
    assert influx.max() == pytest.approx(0.09, rel=1e-3)  # saturated IP3 influx into cell 1
    assert mon.J_coupling[0].min() < 0  # the donor loses IP3
    assert mon.I[1].max() > mon.I[2].max() + 0.3 * umolar and list(events) == [1, 1, 0]  # wave reaches cell 1

    mon, events = coupled_pair(0 * umolar / second)  # Cx43/Cx30 block
    assert np.all(mon.J_coupling[:] == 0)
    np.testing.assert_array_equal(mon.I[1], mon.I[2])  # the coupled cell is an uncoupled cell
    assert list(events) == [1, 0, 0]
