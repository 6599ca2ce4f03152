"""One analysis of a rung's recalls (docs/analysis.md#recall-analysis): effective activations
from the network's own recordings and E(t) next to the abstract model's E(t) from the same cue.

Transfer curves fitted after the cue is released (no input but the network's own):
- φ: neuron activity φ_i (rate trace mapped to [−1, 1]) vs its recurrent input a Σ_j g_ij φ_j,
  the abstract neuron input (the curve is the neuron's f–I curve seen through the synapses);
- g: synaptic efficacy vs synapse state s (tanh(β_s s) in both rungs' equations: a check);
- ψ: process output vs its drive u = g + Tψ, the abstract process input (Tψ from the recorded ψ
  and the stored operator): in the biophysical rung this curve passes through the IP3–Ca²⁺
  dynamics, so its gain and shape are measured, not set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..patterns import corrupt, random_patterns
from .activations import ActivationFit, fit_activation
from .energy import EnergyTrace, abstract_model_of, energy_along_run


@dataclass
class RecallAnalysis:
    """One recall: its report, the energy trace on the mapped state, the abstract model's
    energy from the same cue (t in τ_n) and the transfer samples (z, y) of φ, g, ψ."""

    seed: int
    k: int
    recalled: bool
    target_overlap: float
    energy: EnergyTrace
    abstract_t: np.ndarray
    abstract_energy: np.ndarray
    abstract_recalled: bool
    samples: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    mappings: dict[str, dict] = field(default_factory=dict)


def transfer_samples(network: Any, run: Any, trace: EnergyTrace, beta_n: float = 5.0) -> dict:
    """(state, output) pairs of φ, g and ψ after the cue is released (see the module docstring).

    Parameters
    ----------
    network : MemoryNetwork
        The spiking or biophysical network that ran.
    run : RecallRun
        Its recall, recorded with `record_synapses`.
    trace : EnergyTrace
        `energy_along_run(network, run)`: its sample times and the cue's release time.
    beta_n : float
        Abstract neuron gain of the mapped model.

    Returns
    -------
    dict
        {'phi', 'g', 'psi'}: (states, outputs) arrays for `fit_activation`.
    """
    rec = run.recordings
    n = network.patterns.shape[0]
    model = abstract_model_of(network, beta_n)
    t_s = trace.t
    after = t_s >= trace.t_release
    idx = np.clip(np.searchsorted(np.asarray(run.t), t_s), 0, len(run.t) - 1)
    nu_ref = float(network.neurons.namespace["nu_ref"])
    phi = np.clip(np.asarray(rec["rates"])[idx] / nu_ref - 1.0, -1, 1)[after]  # (T, N)
    s = np.asarray(rec["s"]).reshape(-1, n, n)[after]
    g = model.g(s)
    psi = np.asarray(rec["psi"]).reshape(-1, n, n)[after] if "psi" in rec else \
        model.psi(np.asarray(rec["p"]).reshape(-1, n, n)[after])
    drive_n = model.hebbian_scale * np.einsum("tij,tj->ti", g, phi)
    # the neuron responds to its input with the membrane/trace lag: pair input at t with φ one sample later
    u = g + model._coupling(psi)
    wired = np.ones((n, n), bool) if model.synapse_mask is None else model.synapse_mask > 0  # no i = i without autapses
    return {"phi": (drive_n[:-1], phi[1:]), "g": (s[:, wired], g[:, wired]), "psi": (u[:, wired], psi[:, wired])}


def analyse_recall(rung: str, n: int, k: int, flips: int, seed: int, params: dict | None = None,
                   record_every: Any = None, beta_n: float = 5.0, mappings: dict | None = None) -> RecallAnalysis:
    """Build `rung` on patterns drawn from `seed`, cue pattern 0 with `flips` bits flipped, recall
    (recording synapses and processes) and analyse; the abstract model (rest scaling) runs the
    same cue.

    Parameters
    ----------
    rung : str
        'spiking' or 'biophysical'.
    n, k : int
        Network size N and number of patterns K.
    flips : int
        Flipped bits of the cue.
    seed : int
        Seed of the patterns, the cue and the network.
    params : dict, optional
        Builder parameters.
    record_every : brian2 Quantity, optional
        Recording step of synapses and processes (default 5 ms).
    beta_n : float
        Abstract neuron gain of the mapping.
    mappings : dict, optional
        Further mappings to evaluate the energy under: name → keywords of `energy_along_run`
        (e.g. {'process_gain': 1.0}); their summaries land in `RecallAnalysis.mappings`.

    Returns
    -------
    RecallAnalysis
        The recall's outcome, its energy trace, the abstract model's energy from the same cue,
        the transfer samples and the other mappings' energy summaries.
    """
    from brian2 import ms

    from ..abstract.neuron_astrocyte import NeuronAstrocyteMemory
    from ..devices import use_device
    from ..network import build_network
    from ..patterns import overlaps, sign

    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng)
    cue = corrupt(xi[:, 0], flips, rng)
    with use_device("runtime"):
        net = build_network(rung, xi, seed=seed, record_synapses=record_every or 5 * ms, **(params or {}))
        run = net.recall(cue, 0)
    trace = energy_along_run(net, run, beta_n=beta_n)
    model = NeuronAstrocyteMemory.rest_scaling(xi)
    traj = model.run(cue, init="rest", dt=0.01, steps=1500, cue_duration=2.0, record_every=10)
    abstract_m = float(overlaps(sign(traj.final), xi)[0])
    others = {name: energy_along_run(net, run, beta_n=beta_n, **kw).summary for name, kw in (mappings or {}).items()}
    return RecallAnalysis(seed, k, bool(run.report.recalled), float(run.report.target_overlap), trace,
                          np.asarray(traj.t), np.asarray(traj.energy), abstract_m >= 0.9,
                          transfer_samples(net, run, trace, beta_n), others)


def fit_transfers(analyses: list[RecallAnalysis]) -> dict[str, ActivationFit]:
    """Fit φ, g and ψ on the samples of every analysed recall pooled."""
    out = {}
    for name in ("phi", "g", "psi"):
        z = np.concatenate([a.samples[name][0].ravel() for a in analyses])
        y = np.concatenate([a.samples[name][1].ravel() for a in analyses])
        out[name] = fit_activation(z, y, name)
    return out


__all__ = ["RecallAnalysis", "analyse_recall", "transfer_samples", "fit_transfers"]
