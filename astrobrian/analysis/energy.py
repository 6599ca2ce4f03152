"""Energy along a run (docs/analysis.md#energy-along-a-run): the abstract energy evaluated on
the mapped state of a spiking or biophysical Brian2 run.

Mapping: φ_i from the neuron's rate trace (φ = clip(r/ν_ref − 1, −1, 1), as the spiking rung
reads it) and x_i = φ⁻¹(φ_i) for the abstract neuron gain β_n; S = s (synaptic state); P = p
(spiking rung) or (C − C_mid)/C_width (biophysical rung, so that ψ = tanh(β_p P) is the
process output). E is NeuronAstrocyteMemory's energy (docs/models.md#energy) with the rung's
scalings and gains,
and E_DAM the reduced quartic-DAM energy on φ. Reported after the cue is released (b = 0):
the net decrease and the fraction of read-out intervals with dE/dt ≤ 0, for E and for its
change split by the part that moved (neurons, synapses, processes: docs/analysis.md#energy-along-a-run).

The process mapping keeps the measured ψ (it is what acts on the synapse) and chooses P as a
function of it: 'state' reads P = atanh(ψ)/β′ with the mapping gain β′ (default the rung's β_p,
which gives P = p or (C − C_mid)/C_width); 'steady-state' (biophysical rung) reads P as the
process input that would hold the process at its Ca²⁺ at steady state, P = u*(C), so that
∂E/∂ψ vanishes at the process's own fixed point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..abstract.knockouts import Knockouts
from ..abstract.neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit
from ..errors import InputError, require_positive
from .coupling import coupling_of

#: φ is clipped to ±(1 − PHI_CLIP) before x = atanh(φ)/β_n (a saturated neuron has x → ∞)
PHI_CLIP = 1e-3
#: ψ is clipped to ±(1 − PSI_CLIP) before P = atanh(ψ)/β′ (a process at its Ca²⁺ floor has ψ = −1)
PSI_CLIP = 1e-12
#: how P is read from the measured ψ (module docstring)
PROCESS_MAPPINGS = ("state", "steady-state")
#: the parts of the state whose moves split ΔE of each interval, in the order they are applied
ENERGY_PARTS = ("neurons", "synapses", "processes")


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


def _parts(t: np.ndarray, energy_of, energy: np.ndarray, states: tuple, t_release: float, tol: float) -> dict:
    """ΔE of every interval split by the part that moved: E(x₁, S₀, P₀) − E(x₀, S₀, P₀), then S,
    then P (the three sum to ΔE exactly; `energy` is E along the run, `energy_of` evaluates the two
    mixed states). Per part: fraction of intervals after the release with a non-increasing share,
    its net change and its swing Σ|ΔE|."""
    x, s, p = states
    after = (t >= t_release)[:-1]  # intervals that start after the release, as `_descent` counts them
    e0, e3 = energy[:-1], energy[1:]
    e1 = energy_of(x[1:], s[:-1], p[:-1])
    e2 = energy_of(x[1:], s[1:], p[:-1])
    scale = max(float(np.max(np.abs(energy))), 1e-30)
    out = {}
    for name, d in zip(ENERGY_PARTS, (e1 - e0, e2 - e1, e3 - e2)):
        d = d[after]
        out[name] = {"fraction_non_increasing": float(np.mean(d <= tol * scale)), "net_change": float(d.sum()),
                     "swing": float(np.abs(d).sum())}
    return out


def abstract_model_of(network: Any, beta_n: float = 5.0, beta_p: float | None = None) -> NeuronAstrocyteMemory:
    """The abstract model a spiking/biophysical network maps onto: its patterns, scalings,
    coupling, knockouts and synapse/process gains, with neuron gain `beta_n` (and process gain
    `beta_p`, default the rung's)."""
    params = network.parameters
    ns = network.synapses.namespace
    return NeuronAstrocyteMemory(
        network.patterns, beta=beta_n, beta_s=float(ns["beta_s"]),
        beta_p=float(ns["beta_p"]) if beta_p is None else beta_p,
        alpha=float(ns["alpha"]), gamma=float(ns.get("gamma", 1.0)), hebbian_scale=float(params["hebbian_scale"]),
        coupling_scale=float(params["coupling_scale"]), coupling=coupling_of(params),
        knockouts=Knockouts(**params.get("knockouts", {})), autapses=bool(params["autapses"]),
        self_coupling=bool(params["self_coupling"]))  # every tripartite rung records what it wired


def energy_along_run(network: Any, run: Any, beta_n: float = 5.0, tol: float = 1e-9, process_gain: float | None = None,
                     process_mapping: str = "state") -> EnergyTrace:
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
    process_gain : float, optional
        Gain β′ of the 'state' mapping P = atanh(ψ)/β′ (> 0; default the rung's β_p).
    process_mapping : str
        'state' or 'steady-state' (biophysical rung only): see the module docstring.

    Returns
    -------
    EnergyTrace
        E(t) with its terms, the quartic-DAM energy, the cue's release time and a summary of
        both after the release ('fraction_non_increasing', 'net_decrease', 'intervals'), and of
        E's change split by the part that moved ('parts': neurons, synapses, processes).
    """
    rec = run.recordings
    if "s" not in rec or not ({"p", "C"} & set(rec)):
        raise InputError("run", "a spiking or biophysical recall recorded with record_synapses=…", sorted(rec))
    if process_mapping not in PROCESS_MAPPINGS:
        raise InputError("process_mapping", f"one of {', '.join(PROCESS_MAPPINGS)}", process_mapping)
    if process_mapping == "steady-state" and "C" not in rec:
        raise InputError("process_mapping", "'state' on the spiking rung ('steady-state' reads Ca²⁺)", process_mapping)
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
    rung_gain = float(ns["beta_p"])
    gain = rung_gain if process_gain is None else require_positive("process_gain", process_gain)
    model = abstract_model_of(network, beta_n, beta_p=gain)
    if gain != rung_gain:  # the measured ψ = tanh(β_p p) read with gain β′
        psi = np.clip(np.tanh(rung_gain * p), -1 + PSI_CLIP, 1 - PSI_CLIP)
        p = np.arctanh(psi) / gain
    energy_p = _steady_state_process_energy(network, model) if process_mapping == "steady-state" else None

    def energy_terms(xx, ss, pp):
        terms = model.energy_terms(xx, ss, pp, np.zeros_like(xx))
        if energy_p is not None:
            terms["E_p"] = energy_p(model.psi(pp))
        return terms

    terms = energy_terms(x, s, p)
    energy = sum(terms.values())
    knock = model.knockouts
    common = dict(beta=beta_n, hebbian_scale=model.hebbian_scale, coupling_scale=model.coupling_scale,
                  coupling=coupling_of(params), knockouts=knock, autapses=model.autapses,
                  self_coupling=model.self_coupling)
    b = np.zeros_like(x)
    no_feedback = knock.without(*knock.acting_on("feedback"))  # the limit has no feedback to act on
    dam = QuarticDAMLimit(network.patterns, **{**common, "knockouts": no_feedback})
    dam_energy = sum(dam.energy_terms(x, b).values())
    presented = getattr(network, "presented", {}) or {}
    t_release = sum(float(np.asarray(presented.get(key, 0.0))) for key in ("t_start", "cue_duration"))  # seconds
    summary = {"energy": _descent(t_s, energy, t_release, tol), "dam_energy": _descent(t_s, dam_energy, t_release, tol),
               "parts": _parts(t_s, lambda *st: sum(energy_terms(*st).values()), energy, (x, s, p), t_release, tol),
               "mapping": {"process_mapping": process_mapping, "process_gain": gain, "beta_n": beta_n}}
    return EnergyTrace(t_s, energy, {k2: np.asarray(v) for k2, v in terms.items()}, dam_energy, t_release, summary)


def _steady_state_process_energy(network: Any, model: NeuronAstrocyteMemory):
    """E_p(ψ) = ½γ Σ G(ψ) with G(ψ) = ∫₀^ψ u*(C(ψ′))/γ dψ′ (u* = drive_holding_calcium), tabulated
    on a ψ grid: the process term under which ∂E/∂ψ = ½(γP − u) vanishes where the process rests."""
    from brian2 import umolar

    from .. import models
    from ..network.biophysical import SYNAPSE_KEYS, drive_holding_calcium

    ns = network.synapses.namespace
    spec = models.load("biophysical_tripartite", **{k: ns[k] for k in SYNAPSE_KEYS if k in ns})
    grid = np.linspace(-1 + 1e-9, 1 - 1e-9, 4001)
    calcium = float(ns["C_mid"] / umolar) + float(ns["C_width"] / umolar) * np.arctanh(grid) / float(ns["beta_p"])
    h = drive_holding_calcium(spec, calcium) / model.gamma
    g_grid = np.concatenate([[0.0], np.cumsum(0.5 * (h[1:] + h[:-1]) * np.diff(grid))])
    g_grid -= np.interp(0.0, grid, g_grid)

    def energy_p(psi: np.ndarray) -> np.ndarray:
        return 0.5 * model.gamma * np.sum(model._mask(np.interp(psi, grid, g_grid)), axis=(-2, -1))

    return energy_p
