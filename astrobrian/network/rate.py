"""Rung 1 'rate' of the memory network (docs/models.md#rate-rung).

The abstract neuron–astrocyte model (docs/models.md#neuron-astrocyte-model) written as Brian2
equation strings from the model library — neurons (`rate_memory`), tripartite synapses carrying
s_ij and the process p_ij (`rate_tripartite`), and the astrocyte's memory modes (`memory_modes`)
through which processes couple: q_μ = Σ ξ_iμ ξ_jμ ψ_ij and (Tψ)_ij = s Σ_μ ξ_iμ ξ_jμ q_μ as
summed variables (N²K connections, never N⁴). Per-astrocyte territories get one mode per
(pattern, astrocyte). Every derivative uses the state at the start of the step (summed variables
first, synapses before neurons), so on the same dt and Euler the network reproduces
`astrobrian.abstract.NeuronAstrocyteMemory` to round-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..abstract.knockouts import Knockouts
from ..abstract.neuron_astrocyte import NeuronAstrocyteMemory
from ..errors import InputError, require_positive
from ..patterns import check_patterns, overlaps
from .base import MemoryNetwork, RecallRun, run_checked
from .modes import mode_coupling, mode_equations, mode_method, synapse_pairs, wire_memory_modes
from .rungs import Rung, register_rung


@dataclass
class RateNetwork(MemoryNetwork):
    """Rung 1: the abstract rate model in Brian2 (see `build_rate_network`)."""

    abstract: NeuronAstrocyteMemory | None = None

    def present(self, cue: np.ndarray, cue_duration: float, duration: float, cue_strength: float) -> None:
        """Input b = b₀ + cue_strength·cue for `cue_duration`, then b₀ until `duration` (units of τ_n).

        Parameters
        ----------
        cue : ndarray
            The cue, shape (N,).
        cue_duration, duration : float
            Cue window and run length in units of τ_n.
        cue_strength : float
            Factor on the cue input.
        """
        from brian2 import second

        base = self.abstract.b
        self.neurons.b = base + cue_strength * cue
        run_checked(self.network, cue_duration * second)
        self.neurons.b = base
        run_checked(self.network, max(0.0, duration - cue_duration) * second)

    def read_out(self, cue: np.ndarray, target: int, cue_duration: float, threshold: float) -> RecallRun:
        """sign φ(x) = sign x over time → overlaps, report.

        Parameters
        ----------
        cue : ndarray
            The cue, shape (N,).
        target : int
            Index of the target pattern.
        cue_duration : float
            The cue window (units of τ_n).
        threshold : float
            Recall criterion: final target overlap ≥ threshold.

        Returns
        -------
        RecallRun
            Times (units of τ_n), overlaps (T, K), final overlaps (K,), the report and x (T, N).
        """
        from brian2 import second

        from ..recall import recall_report

        t = np.asarray(self.monitors["x"].t / second)
        x = np.asarray(self.monitors["x"].x).T  # (T, N)
        ov = overlaps(np.where(x >= 0, 1.0, -1.0), self.patterns)  # φ is odd and increasing
        cue_ov = float(cue @ self.patterns[:, target] / cue.size)
        report = recall_report(t, ov, ov[-1], target, cue_duration, cue_ov, threshold)
        return RecallRun(t, ov, ov[-1], report, {"x": x})


def build_rate_network(
    patterns: object,
    cue: object | None = None,
    *,
    init: str = "reference",
    dt: float = 0.05,
    record: bool = True,
    name: str = "memory",
    memory_modes: str = "auto",
    **params: Any,
) -> MemoryNetwork:
    """Rung 1: the abstract rate model as a Brian2 network, started from `init` for one cue.

    `params` are those of `NeuronAstrocyteMemory` (beta, beta_s, beta_p, lam, alpha, gamma,
    tau_n, tau_s, tau_p, hebbian_scale, coupling_scale, coupling, knockouts); times are in
    units of τ (seconds in Brian2). `init` 'reference' or 'cue' set the initial state as the
    abstract model does; 'rest' starts at zero (the cue is then an input: see `present_cue`).

    Parameters
    ----------
    patterns : array_like
        The stored patterns, ±1, shape (N, K).
    cue : array_like, optional
        Shape (N,), used by the 'reference' and 'cue' starts; zeros if None.
    init : str
        'reference', 'cue' or 'rest'.
    dt : float
        Time step in units of τ_n (> 0).
    record : bool
        Record x with a StateMonitor (needed by `read_out`).
    name : str
        Prefix of the Brian2 objects' names.
    memory_modes : str
        How the memory modes are computed: 'auto', 'matrix' or 'connections' (docs/models.md#memory-modes).
    **params
        Parameters of `NeuronAstrocyteMemory`.

    Returns
    -------
    MemoryNetwork
        A `RateNetwork` with the modes and their connections in `groups`.
    """
    from brian2 import Network, StateMonitor, second

    from .. import models

    xi = check_patterns(patterns)
    if xi.ndim != 2:
        raise InputError("patterns", "one shared pattern set (N, K) for a Brian2 network", f"shape {xi.shape}")
    n, k = xi.shape
    cue = np.zeros(n) if cue is None else np.asarray(cue, dtype=float)
    if cue.shape != (n,):
        raise InputError("cue", f"an array of shape ({n},)", f"shape {cue.shape}")
    abstract = NeuronAstrocyteMemory(xi, **params)
    coupling = mode_coupling(params.get("coupling", "full"))
    dt = require_positive("dt", dt)
    knock: Knockouts = abstract.knockouts

    neuron_spec = models.load("rate_memory", lam=abstract.lam, a=abstract.hebbian_scale, beta_n=abstract.phi.beta,
                              tau_n=abstract.tau_n * second)
    syn_spec = models.load("rate_tripartite", alpha=abstract.alpha, gamma=abstract.gamma, a=abstract.hebbian_scale,
                           feedback=abstract.feedback, beta_s=abstract.g.beta, beta_p=abstract.psi.beta,
                           tau_s=abstract.tau_s * second, tau_p=abstract.tau_p * second)
    clock_dt = dt * second
    neurons = neuron_spec.neuron_group(n, name=f"{name}_neurons", dt=clock_dt)
    method = mode_method(memory_modes)
    synapses = syn_spec.synapses(neurons, neurons, name=f"{name}_synapses", dt=clock_dt,
                                 extra_equations=mode_equations(method))
    # explicit index arrays (readable before a standalone run), post-major; i = j only with autapses
    post, pre = synapse_pairs(n, abstract.autapses)
    synapses.connect(i=pre, j=post)
    syn_spec.set_initial(synapses)

    wired = wire_memory_modes(xi, synapses, coupling, abstract.T.scale, name, dt=clock_dt,
                              gap_junction_block=abstract.effects.gap_junction_block, method=method,
                              pairs=(post, pre), self_coupling=abstract.self_coupling)
    # start-of-step semantics: modes read ψ, then write Tψ, then synapses, then neurons update
    wired.schedule(-3)
    synapses.summed_updaters["I_syn_post"].order = -2
    neurons.state_updater.order = 1

    if abstract.process_mask is not None:
        synapses.alive = abstract.process_mask[post, pre]
    x0, s0, p0 = abstract.initial_state(cue[None], init)
    neurons.x = x0[0]
    synapses.s = s0[0][post, pre]
    synapses.p = p0[0][post, pre]
    neurons.b = abstract.b

    objs = [neurons, synapses, *wired.objects]
    monitors = {}
    if record:
        monitors["x"] = StateMonitor(neurons, "x", record=True, name=f"{name}_x", when="start")
        objs.append(monitors["x"])
    net = Network(*objs, name=f"{name}_network")
    return RateNetwork(
        "rate", net, neurons, synapses, wired.groups(), monitors, xi,
        {"init": init, "dt": dt, "knockouts": knock.describe(), "memory_modes": method, **abstract.parameters()},
        memory_modes=wired, abstract=abstract,
    )


register_rung(Rung(
    "rate", build_rate_network, "the abstract neuron–astrocyte rate model as Brian2 equations (equal to it to 1e-9)",
    time_unit="tau_n", takes_abstract_parameters=True,
    not_in_sweeps="the rate rung equals the abstract model 'neuron-astrocyte-rest' (to 1e-9): use model = "
                  "\"neuron-astrocyte-rest\"",
    memory_bytes=(250.0, 2_000.0, 1_000.0)))
