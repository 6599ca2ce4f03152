"""Rung 1 (rate) of the Brian2 memory network reproduces the abstract model to round-off."""

import numpy as np
import pytest
from brian2 import second

from astrobrian.abstract import Knockouts, NeuronAstrocyteMemory, SparseCoupling, TerritoryCoupling
from astrobrian.errors import InputError
from astrobrian.network import build_rate_network
from astrobrian.patterns import corrupt, random_patterns


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"beta_s": 3.0, "beta_p": 2.0, "tau_s": 0.2, "tau_p": 0.2, "hebbian_scale": 1 / 8, "coupling_scale": 1 / 64},
        {"coupling": TerritoryCoupling(2, 1),
         "knockouts": Knockouts(process_ablation=0.3, gliotransmission_block=0.5, coupling_cut=0.2, seed=4)},
        {"coupling": TerritoryCoupling(3, 2, gap_junction=0.6), "coupling_scale": 1 / 64,
         "knockouts": Knockouts(gap_junction_block=0.5, ip3r2_knockout=0.25, seed=1)},
    ],
)
def test_rate_rung_matches_abstract_model_to_1e_9(params):
    rng = np.random.default_rng(0)
    xi = random_patterns(8, 3, rng)
    cue = corrupt(xi[:, 0], 1, rng)
    net = build_rate_network(xi, cue, dt=0.05, **params)
    net.network.run(200 * 0.05 * second)
    ref = NeuronAstrocyteMemory(xi, **params).run(cue, dt=0.05, steps=200, record_every=1)
    brian_x = np.asarray(net.monitors["x"].x).T  # recorded at the start of each step
    np.testing.assert_allclose(brian_x, ref.x[:-1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(net.neurons.x[:], ref.x[-1], rtol=0, atol=1e-9)


def test_rate_rung_refuses_what_it_cannot_express():
    xi = random_patterns(6, 2, np.random.default_rng(1))
    with pytest.raises(InputError, match="coupling"):
        build_rate_network(xi, xi[:, 0], coupling=SparseCoupling(2, 0))
    with pytest.raises(InputError, match="cue"):
        build_rate_network(xi, xi[:4, 0])
    with pytest.raises(InputError, match="patterns"):
        build_rate_network(np.stack([xi, xi]), xi[:, 0])


def test_rate_rung_recalls_from_rest_with_the_cue_as_input():
    """Science.md §6 scaling, N = 32, K = 16, 15 % flipped: S = P = 0 at start, cue as current."""
    from astrobrian.network import build_network
    from astrobrian.patterns import cue_batch, n_flips

    rng = np.random.default_rng(3)
    n, k = 32, 16
    xi = random_patterns(n, k, rng)
    cue = cue_batch(xi, np.array([4]), n_flips(n, 0.15), rng)[0]
    params = dict(beta_s=3.0, beta_p=2.0, tau_s=0.2, tau_p=0.2, hebbian_scale=1 / n, coupling_scale=1 / n**2)
    net = build_network("rate", xi, init="rest", dt=0.01, **params)
    run = net.recall(cue, target=4, cue_duration=2.0, duration=15.0)
    ref = NeuronAstrocyteMemory(xi, **params).run(cue, init="rest", dt=0.01, steps=1500, record_every=1500)
    assert run.report.recalled and run.report.persists and run.report.cue_overlap == 0.75
    assert run.final_overlaps[4] == ref.final_overlaps(xi)[4] == 1.0
    assert 2.0 < run.report.time_to_retrieval < 15.0


@pytest.mark.integration
def test_rate_rung_same_on_numpy_and_cpp_standalone():
    """The device is a parameter: cpp_standalone reproduces the numpy run to round-off."""
    from astrobrian.devices import use_device
    from astrobrian.network import build_network
    from astrobrian.patterns import cue_batch, n_flips

    rng = np.random.default_rng(3)
    n, k = 12, 6
    xi = random_patterns(n, k, rng)
    cue = cue_batch(xi, np.array([0]), n_flips(n, 0.15), rng)[0]
    params = dict(beta_s=3.0, beta_p=2.0, tau_s=0.2, tau_p=0.2, hebbian_scale=1 / n, coupling_scale=1 / n**2)
    x = {}
    for device in ("runtime", "cpp_standalone"):
        with use_device(device):
            net = build_network("rate", xi, init="rest", dt=0.02, **params)
            x[device] = net.recall(cue, 0, cue_duration=1.0, duration=3.0).recordings["x"]
    np.testing.assert_allclose(x["cpp_standalone"], x["runtime"], rtol=0, atol=1e-12)
    # the runtime device is active again for whatever runs next
    net = build_network("rate", xi, init="rest", dt=0.02, **params)
    assert net.recall(cue, 0, cue_duration=0.2, duration=0.4).recordings["x"].shape[0] == 20


@pytest.mark.parametrize("method", ["matrix", "connections"])
@pytest.mark.parametrize("autapses,self_coupling", [(False, True), (True, False), (False, False)])
def test_rate_rung_matches_abstract_model_in_every_self_term_setting(autapses, self_coupling, method):
    """Without autapses (N(N − 1) synapses) and/or without each process's coupling to itself and its
    mirror, the rate rung still reproduces the abstract model to 1e-9, through both mode methods,
    with territories, a gap junction and knockouts (the self-terms per pair depend on all three)."""
    rng = np.random.default_rng(2)
    xi = random_patterns(8, 3, rng)
    cue = corrupt(xi[:, 1], 2, rng)
    params = dict(coupling=TerritoryCoupling(3, 2, gap_junction=0.4), coupling_scale=1 / 16, beta_s=3.0,
                  beta_p=2.0, knockouts=Knockouts(process_ablation=0.2, gliotransmission_block=0.3, seed=5),
                  autapses=autapses, self_coupling=self_coupling)
    for init, steps in (("reference", 200), ("rest", 300)):
        net = build_rate_network(xi, cue, init=init, dt=0.05, memory_modes=method, **params)
        assert len(net.synapses) == (64 if autapses else 56)
        if init == "rest":
            net.present(cue, 2.0, steps * 0.05, 1.0)
        else:
            net.network.run(steps * 0.05 * second)
        ref = NeuronAstrocyteMemory(xi, **params).run(cue, init=init, dt=0.05, steps=steps, record_every=1)
        brian_x = np.asarray(net.monitors["x"].x).T
        np.testing.assert_allclose(brian_x, ref.x[:-1], rtol=0, atol=1e-9)
        np.testing.assert_allclose(net.neurons.x[:], ref.x[-1], rtol=0, atol=1e-9)
