"""Energy along a run (docs/analysis.md#energy-along-a-run): the abstract energy evaluated on
the mapped state of a spiking or biophysical Brian2 run.

Mapping: φ_i from the neuron's rate trace (φ = clip(r/ν_ref − 1, −1, 1), as the spiking rung
reads it) and x_i = φ⁻¹(φ_i) for the abstract neuron gain β_n; S = s (synaptic state); P = p
(spiking rung) or (C − C_mid)/C_width (biophysical rung, so that ψ = tanh(β_p P) is the
process output). E is NeuronAstrocyteMemory's energy (docs/models.md#energy) with the rung's
scalings and gains,
and E_DAM the reduced quartic-DAM energy on φ. Reported after the cue is released (b = 0):
the net decrease and the fraction of read-out intervals with dE/dt ≤ 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..abstract.knockouts import Knockouts
from ..abstract.neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit
from ..errors import InputError
from .coupling import coupling_of

#: φ is clipped to ±(1 − PHI_CLIP) before x = atanh(φ)/β_n (a saturated neuron has x → ∞)
PHI_CLIP = 1e-3


@dataclass
class EnergyTrace:
    """E(t) of the neuron–astrocyte model (and its terms) and the quartic-DAM energy on the
    mapped state of one run."""

    t: np.ndarray
    energy: np.ndarray
    terms: dict[str, np.ndarray]
    dam_energy: np.ndarray
    t_release: float
    summary: dict = field(default_factory=dict)


def _descent(t: np.ndarray, e: np.ndarray, t_release: float, tol: float) -> dict:
    after = t >= t_release
    de = np.diff(e[after])
    if de.size == 0:
        raise InputError("run", "recordings after the cue is released (record_synapses shorter than the run)", t[-1])
    scale = max(float(np.max(np.abs(e[after]))), 1e-30)
    return {
        "fraction_non_increasing": float(np.mean(de <= tol * scale)),
        "net_decrease": float(e[after][0] - e[after][-1]),
        "intervals": int(de.size),
    }


def abstract_model_of(network: Any, beta_n: float = 5.0) -> NeuronAstrocyteMemory:
    """The abstract model a spiking/biophysical network maps onto: its patterns, scalings,
    coupling, knockouts and synapse/process gains, with neuron gain `beta_n`."""
    params = network.parameters
    ns = network.synapses.namespace
    return NeuronAstrocyteMemory(
        network.patterns, beta=beta_n, beta_s=float(ns["beta_s"]), beta_p=float(ns["beta_p"]),
        alpha=float(ns["alpha"]), gamma=float(ns.get("gamma", 1.0)), hebbian_scale=float(params["hebbian_scale"]),
        coupling_scale=float(params["coupling_scale"]), coupling=coupling_of(params),
        knockouts=Knockouts(**params.get("knockouts", {})), autapses=bool(params["autapses"]),
        self_coupling=bool(params["self_coupling"]))  # every tripartite rung records what it wired


def energy_along_run(network: Any, run: Any, beta_n: float = 5.0, tol: float = 1e-9) -> EnergyTrace:
    """E(t) on the mapped state of a spiking or biophysical recall.

    Parameters
    ----------
    network : MemoryNetwork
        The spiking or biophysical network that ran.
    run : RecallRun
        Its recall, recorded with `record_synapses` (s and p, or s and C, of every synapse).
    beta_n : float
        Abstract neuron gain used to map φ back to x = atanh(φ)/β_n.
    tol : float
        An interval counts as non-increasing when ΔE ≤ tol·max|E|.

    Returns
    -------
    EnergyTrace
        E(t) with its terms, the quartic-DAM energy, the cue's release time and a summary of
        both after the release ('fraction_non_increasing', 'net_decrease', 'intervals').
    """
    rec = run.recordings
    if "s" not in rec or not ({"p", "C"} & set(rec)):
        raise InputError("run", "a spiking or biophysical recall recorded with record_synapses=…", sorted(rec))
    params = network.parameters
    n, k = network.patterns.shape
    ns = network.synapses.namespace
    t_s = np.asarray(rec["s_t"])
    rate_t = np.asarray(run.t)
    idx = np.clip(np.searchsorted(rate_t, t_s), 0, rate_t.size - 1)
    nu_ref = float(network.neurons.namespace["nu_ref"])
    phi = np.clip(np.asarray(rec["rates"])[idx] / nu_ref - 1.0, -1 + PHI_CLIP, 1 - PHI_CLIP)
    x = np.arctanh(phi) / beta_n
    s = np.asarray(rec["s"]).reshape(-1, n, n)
    if "p" in rec:
        p = np.asarray(rec["p"]).reshape(-1, n, n)
    else:
        p = ((np.asarray(rec["C"]) - float(ns["C_mid"])) / float(ns["C_width"])).reshape(-1, n, n)
    # synapse k = post·N + pre → S[post, pre]
    model = abstract_model_of(network, beta_n)
    knock = model.knockouts
    common = dict(beta=beta_n, hebbian_scale=model.hebbian_scale, coupling_scale=model.coupling_scale,
                  coupling=coupling_of(params), knockouts=knock, autapses=model.autapses,
                  self_coupling=model.self_coupling)
    b = np.zeros_like(x)
    terms = model.energy_terms(x, s, p, b)
    energy = sum(terms.values())
    no_feedback = knock.without(*knock.acting_on("feedback"))  # the limit has no feedback to act on
    dam = QuarticDAMLimit(network.patterns, **{**common, "knockouts": no_feedback})
    dam_energy = sum(dam.energy_terms(x, b).values())
    presented = getattr(network, "presented", {}) or {}
    t_release = sum(float(np.asarray(presented.get(key, 0.0))) for key in ("t_start", "cue_duration"))  # seconds
    summary = {"energy": _descent(t_s, energy, t_release, tol), "dam_energy": _descent(t_s, dam_energy, t_release, tol)}
    return EnergyTrace(t_s, energy, {k2: np.asarray(v) for k2, v in terms.items()}, dam_energy, t_release, summary)
