"""Effective coupling (docs/analysis.md#effective-coupling): the process-to-process coupling a Brian2 network
actually implements, measured by probing — set the processes' outputs ψ to random probe
patterns, advance one process step, read the coupling input Tψ every process receives — and a
least-squares fit of the linear operator, compared with the stored T (correlation and scale).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..abstract.knockouts import Knockouts
from ..abstract.process_coupling import coupling_from_name
from ..errors import InputError, require_positive_int
from ..network.spiking import run_spiking


@dataclass
class CouplingEstimate:
    """T_eff (P, P) fitted from probes, the stored T it is compared with, and their agreement:
    Pearson correlation of the entries, scale (least-squares slope of T_eff on T) and the
    largest deviation from scale·T relative to max |T|."""

    effective: np.ndarray
    stored: np.ndarray
    correlation: float
    scale: float
    max_relative_error: float
    probes: int

    def describe(self) -> dict:
        return {"correlation": self.correlation, "scale": self.scale, "max_relative_error": self.max_relative_error,
                "probes": self.probes, "processes": int(self.stored.shape[0])}


def stored_coupling(
    patterns: np.ndarray, coupling: object, scale: float, knockouts: Knockouts | None = None,
    self_coupling: bool = True,
) -> np.ndarray:
    """The dense T (N², N²) over processes k = post·N + pre, built from the abstract operator
    (territories, gap junctions and knockouts included) by applying it to unit vectors.

    Parameters
    ----------
    patterns : numpy.ndarray
        (N, K) ±1 patterns.
    coupling : object
        'full' or a coupling object (`astrobrian.abstract.process_coupling`).
    scale : float
        The coupling scale s of T.
    knockouts : Knockouts, optional
        Coupling cut and gap-junction block applied to T.
    self_coupling : bool
        Keep each process's coupling to itself and its mirror (False: T without them,
        docs/models.md#self-terms).

    Returns
    -------
    numpy.ndarray
        (N², N²): column k is T applied to unit process k.
    """
    xi = np.asarray(patterns, dtype=float)
    n = xi.shape[0]
    knock = knockouts or Knockouts()
    effects = knock.effects(n, None)  # the knockouts' factors on T, from their table entries
    op = coupling_from_name(coupling).build(xi, scale * effects.coupling, effects.gap_junction_block)
    eye = np.eye(n * n).reshape(n * n, n, n)
    applied = op.apply(eye) if self_coupling else op.without_self_terms(eye)
    return applied.reshape(n * n, n * n).T  # column k = T applied to unit process k


def compare_coupling(effective: np.ndarray, stored: np.ndarray, probes: int = 0) -> CouplingEstimate:
    """Correlation, scale and relative error of an estimated operator against the stored T.

    Parameters
    ----------
    effective : numpy.ndarray
        The estimated operator.
    stored : numpy.ndarray
        The stored T, of the same shape.
    probes : int
        Number of probes behind the estimate (recorded only).

    Returns
    -------
    CouplingEstimate
        Both operators, Pearson correlation of their entries, the least-squares scale of
        `effective` on `stored` and the largest deviation from scale·T relative to max |T|.
    """
    e, t = np.asarray(effective, float).ravel(), np.asarray(stored, float).ravel()
    if e.shape != t.shape:
        raise InputError("effective", f"an operator of the stored shape {np.shape(stored)}", np.shape(effective))
    corr = float(np.corrcoef(e, t)[0, 1]) if np.std(e) > 0 and np.std(t) > 0 else 0.0
    scale = float(e @ t / (t @ t)) if t @ t > 0 else 0.0
    err = float(np.max(np.abs(e - scale * t)) / (np.max(np.abs(t)) or 1.0))
    return CouplingEstimate(np.asarray(effective), np.asarray(stored), corr, scale, err, probes)


def _process_setter(network: Any):
    """How to put the processes of `network` at outputs ψ: the rung's inverse of ψ(state)."""
    syn = network.synapses
    ns = syn.namespace
    beta_p = float(ns["beta_p"])
    if "C_mid" in ns:  # biophysical: ψ = tanh(β_p (C − C_mid)/C_width)
        c_mid, c_width = ns["C_mid"], ns["C_width"]
        return lambda psi: setattr(syn, "C", c_mid + c_width * np.arctanh(psi) / beta_p)
    return lambda psi: setattr(syn, "p", np.arctanh(psi) / beta_p)  # rate, spiking: ψ = tanh(β_p p)


def probe_coupling(network: Any, probes: int | None = None, amplitude: float = 0.5, seed: int = 0,
                   knockouts: Knockouts | None = None) -> CouplingEstimate:
    """Measure T_eff of a built network (runtime device) by random ψ patterns, one process step
    each from the same stored state, and compare it with the stored T of the network's patterns
    and coupling (docs/analysis.md#effective-coupling).

    Parameters
    ----------
    network : MemoryNetwork
        A rate, spiking or biophysical rung (with astrocyte processes).
    probes : int, optional
        Number of probes, at least the number of processes (default twice it).
    amplitude : float
        Probe outputs ψ are uniform in ±amplitude.
    seed : int
        Seed of the probes.
    knockouts : Knockouts, optional
        Knockouts for the stored T (default: those the network was built with).

    Returns
    -------
    CouplingEstimate
        T_eff against the stored T, over the surviving processes.
    """
    syn, modes = network.synapses, network.memory_modes
    if modes is None or "Tpsi" not in syn.variables:
        raise InputError("network", "a memory network with astrocyte processes (rate, spiking or biophysical rung)",
                         network.rung)
    n_proc = len(syn)
    probes = 2 * n_proc if probes is None else require_positive_int("probes", probes, minimum=n_proc)
    set_psi = _process_setter(network)
    orders = modes.schedule(-30)  # within the step: read ψ → q, then write q → Tψ, then update
    step = modes.modes.clock.dt
    rng = np.random.default_rng(seed)
    psi_in = rng.uniform(-amplitude, amplitude, (probes, n_proc))
    psi_in[:, np.asarray(syn.alive[:]) == 0] = 0.0
    responses = np.empty_like(psi_in)
    used = np.empty_like(psi_in)
    network.network.store("before_probe")
    try:
        for k in range(probes):
            network.network.restore("before_probe")
            set_psi(psi_in[k])
            used[k] = np.asarray(syn.psi[:])
            run_spiking(network.network, step)
            responses[k] = modes.coupling_input(syn)
    finally:
        network.network.restore("before_probe")
        modes.restore_schedule(orders)
    alive = np.asarray(syn.alive[:]) != 0  # removed processes are not probed
    effective = np.linalg.lstsq(used[:, alive], responses[:, alive], rcond=None)[0].T  # responses = ψ T_effᵀ
    params = network.parameters
    knock = knockouts or Knockouts(**params.get("knockouts", {}))
    stored = stored_coupling(network.patterns, coupling_of(params), float(params["coupling_scale"]), knock,
                             self_coupling=modes.self_coupling)
    post, pre = modes.pairs  # the wired processes, in synapse order
    wired = (post * network.patterns.shape[0] + pre)[alive]
    return compare_coupling(effective, stored[np.ix_(wired, wired)], probes)


def coupling_of(params: dict) -> object:
    """The coupling object recorded in a network's parameters ('full' or territories)."""
    from ..abstract.process_coupling import TerritoryCoupling

    desc = params.get("coupling", {"kind": "full"})
    if isinstance(desc, dict) and desc.get("kind") == "territories":
        return TerritoryCoupling(desc["n_astrocytes"], desc["seed"], gap_junction=desc.get("gap_junction", 0.0))
    return "full"
