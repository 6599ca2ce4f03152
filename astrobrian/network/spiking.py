"""Rung 2 'spiking' of the memory network, and its pairwise-Hopfield control (docs/models.md#spiking-rung).

LIF neurons (`lif_rate_trace`) whose activity φ ∈ [−1, 1] is read from a filtered spike train;
tripartite synapses s_ij with their astrocyte processes p_ij (`spiking_tripartite`), driven by
those traces with the abstract model's equations, on their own slower clock; each presynaptic spike delivers
a PSC scaled by the synaptic efficacy g(s_ij). Processes couple through the astrocyte's K memory
modes (`memory_modes`, summed variables: N²K connections, never N⁴). Every synapse and process
starts at rest; the cue enters only as an input current for the cue window (docs/recall.md#the-cue-is-an-input).

The control `hopfield-spiking`: the same neurons, cue and read-out, with the patterns stored in
the synaptic weights only (W = ΞΞᵀ/N, zero diagonal) and no astrocyte.

Read-out (`astrobrian.recall`): per-neuron rates → sign around the midpoint of the two rate
modes → overlap with every pattern, over time from the rate traces and at the end from the
spike counts of the last `readout_window`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from ..abstract.knockouts import Knockouts
from ..abstract.neuron_astrocyte import NO_SELF_TERMS
from ..abstract.process_coupling import TerritoryCoupling
from ..errors import InputError, require_positive_int, require_switch
from ..patterns import check_patterns, overlaps
from .base import MemoryNetwork, RecallRun, run_checked
from .modes import mode_coupling, mode_equations, mode_method, pair_matrix, synapse_pairs, wire_memory_modes
from .rungs import Rung, register_rung

#: default clocks: neurons (membrane, PSCs, spikes) and the slower synapse/process clock
NEURON_DT_MS = 0.1
PROCESS_DT_MS = 1.0
#: default recall timing (ms): the cue is held ≈ 3 τ_p so that the synapse–process latches form
#: before it is released (spiking neurons forget a released cue within τ_m + τ_r), then the
#: network runs on its own; the final read-out counts spikes in the last window
CUE_DURATION_MS = 120.0
DURATION_MS = 320.0
READOUT_WINDOW_MS = 50.0
CUE_CURRENT_PA = 500.0


def _time(field_name: str, value: Any, allow_zero: bool = True):
    """A Brian2 time (a quantity with time dimensions; a bare number is refused, except 0), ≥ 0."""
    from brian2 import second
    from brian2.units.fundamentalunits import get_dimensions

    if getattr(value, "dim", None) is not None and get_dimensions(value) is second.dim:
        v = float(value / second)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
        v = 0.0
    else:
        raise InputError(field_name, "a time with units (e.g. 120*ms)", value)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise InputError(field_name, "a time ≥ 0" if allow_zero else "a time > 0", value)
    return v * second


def _text(value: Any) -> Any:
    """A parameter for manifests: quantities as text with units, numbers as they are."""
    return str(value) if getattr(value, "dim", None) is not None else value


def run_spiking(network: Any, duration: Any) -> None:
    """A checked run (`run_checked`), without Brian2's note that the on_pre pathway runs on the
    neurons' clock while the synapses integrate on their slower one (that split is the design)."""
    run_checked(network, duration, mute=("synapses_dt_mismatch",))


def _cue_vector(cue: np.ndarray, n: int) -> np.ndarray:
    c = np.asarray(cue, dtype=float)
    if c.shape != (n,) or not np.all(np.isfinite(c)):
        raise InputError("cue", f"a finite array of shape ({n},)", f"shape {c.shape}")
    return c


@dataclass
class SpikingNetwork(MemoryNetwork):
    """A spiking rung (the memory network or its Hopfield control): native Brian2 objects plus
    the two-phase recall. `cue_current` is the current of a ±1 cue bit at cue_strength 1."""

    cue_current: Any = None
    readout_window: Any = None
    presented: dict = field(default_factory=dict)

    def recall(self, cue: np.ndarray, target: int, cue_duration: Any = None, duration: Any = None,
               cue_strength: float = 1.0, threshold: float = 0.9) -> RecallRun:
        """Present the cue for `cue_duration` (default 120 ms), release it, run to `duration`
        (default 320 ms), read out (on cpp_standalone the project is built and run between).

        Parameters
        ----------
        cue : ndarray
            The cue, shape (N,).
        target : int
            Index of the pattern the cue was made from.
        cue_duration, duration : Quantity, optional
            Cue window and run length (Brian2 times).
        cue_strength : float
            Factor on the cue current (≥ 0).
        threshold : float
            Recall criterion: final target overlap ≥ threshold.

        Returns
        -------
        RecallRun
        """
        from brian2 import ms

        cue_duration = CUE_DURATION_MS * ms if cue_duration is None else cue_duration
        duration = DURATION_MS * ms if duration is None else duration
        return super().recall(cue, target, cue_duration, duration, cue_strength, threshold)

    def present(self, cue: np.ndarray, cue_duration: Any, duration: Any, cue_strength: float = 1.0) -> None:
        """Input current I_cue = cue_strength·cue·cue_current for `cue_duration`, then none until
        `duration` (Brian2 times; a bare number is refused, except 0). Nothing else is set from the cue.
        One run() call: an operation on the neurons (ticking at t_start + m·cue_duration) releases the
        cue at t_start + cue_duration, before anything else of that step — the same as two runs
        with I_cue set to 0 between them, at half Brian2's per-run cost (and one standalone run).

        Parameters
        ----------
        cue : ndarray
            The cue, shape (N,).
        cue_duration : Quantity
            The cue window (a Brian2 time ≥ 0; a bare number only as 0).
        duration : Quantity
            The run length (a Brian2 time ≥ cue_duration + readout_window).
        cue_strength : float
            Factor on the cue current (finite, ≥ 0).
        """
        t_end, release = self.cue_input(cue, cue_duration, duration, cue_strength)
        try:
            run_spiking(self.network, t_end)
        finally:
            if release is not None:
                self.neurons.contained_objects.remove(release)
        if release is None:
            self.neurons.I_cue = 0 * self.cue_current

    def cue_input(self, cue: np.ndarray, cue_duration: Any, duration: Any, cue_strength: float = 1.0) -> tuple:
        """Everything `present` does before its run() call: check the times, switch the cue current on
        and add the operation that releases it (`astrobrian.compiled` re-runs a built project from here).

        Parameters
        ----------
        cue, cue_duration, duration, cue_strength
            As for `present`.

        Returns
        -------
        (Quantity, object or None)
            The run length, and the release operation (None when the cue is never on, or never released
            within the run); the caller removes it from the neurons after the run.
        """
        from brian2 import second

        cue = _cue_vector(cue, self.neurons.N)
        t_cue = _time("cue_duration", cue_duration)
        t_end = _time("duration", duration, allow_zero=False)
        if t_end < t_cue:
            raise InputError("duration", f"a time ≥ cue_duration ({t_cue})", t_end)
        strength = float(cue_strength)
        if not np.isfinite(strength) or strength < 0:
            raise InputError("cue_strength", "a number ≥ 0", cue_strength)
        if t_end - t_cue < self.readout_window:
            raise InputError("duration", f"at least cue_duration + readout_window ({t_cue + self.readout_window})",
                             t_end)
        t_start = self.network.t
        self.presented = {"t_start": t_start, "cue_duration": t_cue, "duration": t_end, "cue_strength": strength}
        self.neurons.I_cue = (strength if t_cue > 0 else 0.0) * cue * self.cue_current
        if t_cue == 0 or t_cue == t_end:  # the cue never on, or never released within the run
            return t_end, None
        t_release = float((t_start + t_cue / 2) / second)  # midway between two ticks: no round-off at issue
        release = self.neurons.run_regularly(
            f"I_cue = I_cue * int(t < {t_release!r} * second)", dt=t_cue, when="start", order=-100,
            name=f"{self.neurons.name}_cue_release")
        return t_end, release

    def read_out(self, cue: np.ndarray, target: int, cue_duration: Any, threshold: float = 0.9) -> RecallRun:
        """Rates → ±1 state (two-mode midpoint) → overlaps: over time from the rate traces, final
        from the spike counts in the last `readout_window`.

        Parameters
        ----------
        cue : ndarray
            The cue, shape (N,).
        target : int
            Index of the target pattern.
        cue_duration : Quantity
            The cue window (a Brian2 time), counted from the start of `present`.
        threshold : float
            Recall criterion: final target overlap ≥ threshold.

        Returns
        -------
        RecallRun
            Times (s), overlaps (T, K), final overlaps (K,), the report and the recordings (spikes,
            rates and any recorded synapse variables in SI units).
        """
        from brian2 import second

        from ..recall import readout, recall_report

        cue = _cue_vector(cue, self.neurons.N)
        n, k = self.patterns.shape
        if not 0 <= int(target) < k:
            raise InputError("target", f"a pattern index in 0..{k - 1}", target)
        t_start = float(self.presented.get("t_start", 0 * second) / second)
        t_cue = t_start + float(_time("cue_duration", cue_duration) / second)  # end of the cue window
        rate_mon, spike_mon = self.monitors["rate"], self.monitors["spikes"]
        t = np.asarray(rate_mon.t / second)
        rates = np.asarray(rate_mon.r / (1 / second)).T  # (T, N) rate traces in Hz
        ov = overlaps(readout(rates), self.patterns)
        spike_i = np.asarray(spike_mon.i[:])
        spike_t = np.asarray(spike_mon.t / second)
        t_end = float(self.network.t / second)
        window = float(self.readout_window / second)
        counts = np.bincount(spike_i[spike_t >= t_end - window], minlength=n)
        final_rates = counts / window
        final = overlaps(readout(final_rates), self.patterns)
        cue_ov = float(cue @ self.patterns[:, target] / n)
        report = recall_report(t, ov, final, int(target), t_cue, cue_ov, threshold)
        rec = {"spike_i": spike_i, "spike_t": spike_t, "rates": rates, "final_rates": final_rates}
        for key, mon in self.monitors.items():
            if key not in ("rate", "spikes"):  # recorded synapse/process variables, (T, N²), 0 where no synapse
                values = np.asarray(getattr(mon, key)).T  # SI base units
                rec[key] = pair_matrix(values, self.memory_modes.pairs, n) if self.memory_modes else values
                rec[f"{key}_t"] = np.asarray(mon.t / second)
        return RecallRun(t, ov, final, report, rec)


_SYNAPSE_KEYS = ("alpha", "gamma", "beta_s", "beta_p", "tau_s", "tau_p", "J")


def _neurons(xi: np.ndarray, seed: int, dt, name: str, overrides: dict | None, preset: str | None):
    """The LIF neurons with rate traces, resting membrane potentials spread by `seed` (which
    also seeds Brian2's generator, used by the membrane noise of the 'noisy' preset)."""
    from brian2 import mV
    from brian2 import seed as brian_seed

    from .. import models

    seed = require_positive_int("seed", seed, minimum=0)
    spec = models.load("lif_rate_trace", preset=preset, **dict(overrides or {}))
    brian_seed(seed)
    neurons = spec.neuron_group(xi.shape[0], name=f"{name}_neurons", dt=dt)
    ns = spec.namespace
    rng = np.random.default_rng(seed)
    lo, hi = float(ns["V_reset"] / mV), float(ns["V_th"] / mV)
    neurons.v = (lo + (hi - lo) * rng.random(xi.shape[0])) * mV  # desynchronised start
    return spec, neurons


def _monitors(neurons, process_dt, name: str) -> dict:
    from brian2 import SpikeMonitor, StateMonitor

    return {
        "spikes": SpikeMonitor(neurons, name=f"{name}_spikes"),
        "rate": StateMonitor(neurons, "r", record=True, dt=process_dt, name=f"{name}_rate"),
    }


def _check_common(patterns: object, dt: Any, process_dt: Any, cue_current: Any, readout_window: Any):
    from brian2 import amp, ms
    from brian2.units.fundamentalunits import get_dimensions

    xi = check_patterns(patterns)
    if xi.ndim != 2:
        raise InputError("patterns", "one shared pattern set (N, K) for a Brian2 network", f"shape {xi.shape}")
    dt = _time("dt", NEURON_DT_MS * ms if dt is None else dt, allow_zero=False)
    process_dt = _time("process_dt", PROCESS_DT_MS * ms if process_dt is None else process_dt, allow_zero=False)
    ratio = float(process_dt / dt)
    if abs(ratio - round(ratio)) > 1e-9 or round(ratio) < 1:
        raise InputError("process_dt", f"a whole multiple of the neuron dt ({dt})", process_dt)
    if get_dimensions(cue_current) is not amp.dim:
        raise InputError("cue_current", "a current (e.g. 500*pA)", cue_current)
    readout_window = _time("readout_window", readout_window, allow_zero=False)
    return xi, dt, process_dt, readout_window


@dataclass(frozen=True)
class NeuronOptions:
    """What every spiking rung's builder takes besides its model-file parameters: the neurons'
    seed, clocks, cue current and read-out window, overrides of `lif_rate_trace` (`neuron`,
    `neuron_preset` 'noisy': membrane noise σ_V = 3 mV) and the name of its Brian2 objects
    (None: the rung's). None elsewhere means the default: neuron dt 0.1 ms, process dt 1 ms,
    cue current 500 pA, read-out window 50 ms."""

    seed: int = 0
    dt: Any = None
    process_dt: Any = None
    cue_current: Any = None
    readout_window: Any = None
    neuron: dict | None = None
    neuron_preset: str | None = None
    name: str | None = None

    @classmethod
    def resolve(cls, options: object, keywords: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """(`options` — or the defaults — with every keyword that is an option set, the other keywords)."""
        if options is None:
            options = cls()
        elif not isinstance(options, cls):
            raise InputError("options", f"an astrobrian.network.{cls.__name__}", type(options).__name__)
        names = {f.name for f in fields(cls)}
        given = {k: v for k, v in keywords.items() if k in names}
        return replace(options, **given), {k: v for k, v in keywords.items() if k not in names}


@dataclass(frozen=True)
class TripartiteOptions(NeuronOptions):
    """The options of the tripartite rungs (spiking, biophysical): `NeuronOptions` plus the
    Hebbian scale a (None: 1/N) and coupling scale (None: 1/N², docs/models.md#rest-scaling), the
    process coupling ('full' or a TerritoryCoupling: one set of modes per astrocyte), the
    `Knockouts` (docs/knockouts.md), `record_synapses`: a time step at which the synapse and
    process states are recorded (None: not recorded), how the memory modes are computed
    (`memory_modes`: 'auto', 'matrix' or 'connections', docs/models.md#memory-modes), and the two
    self-terms (docs/models.md#self-terms): `autapses` (False: no i → i synapse and process) and
    `self_coupling` (False: no process couples to itself or its mirror through the astrocyte), both
    False by default (`NO_SELF_TERMS`: what recalls from rest)."""

    hebbian_scale: float | None = None
    coupling_scale: float | None = None
    coupling: object = "full"
    knockouts: Knockouts | None = None
    record_synapses: Any = None
    memory_modes: str = "auto"
    autapses: bool = NO_SELF_TERMS["autapses"]
    self_coupling: bool = NO_SELF_TERMS["self_coupling"]


def build_spiking_network(
    patterns: object, options: TripartiteOptions | None = None, **keywords: Any
) -> SpikingNetwork:
    """Rung 2: LIF neurons, tripartite synapses and processes on a slower clock, memory modes.

    Parameters
    ----------
    patterns : array (N, K)
        The ±1 patterns stored.
    options : TripartiteOptions, optional
        Seed, clocks, scales, coupling, knockouts, cue and read-out (defaults: neuron dt 0.1 ms,
        process dt 1 ms, a = 1/N, T scaled 1/N², cue current 500 pA — the full recurrent drive
        a·N·J τ_syn ν_ref, as |b| = 1 in the rate model — read-out window 50 ms).
    **keywords
        Any option by name, and overrides of `spiking_tripartite`'s parameters (alpha, gamma,
        beta_s, beta_p, tau_s, tau_p, J, with units; defaults β_s = 3, β_p = 2, τ_s = 20 ms,
        τ_p = 40 ms, J = 2 nA).

    Returns
    -------
    SpikingNetwork
        At rest (s = p = 0; `seed` spreads the membrane potentials); `recall` holds the cue 120 ms
        (≈ 3 τ_p) and runs 320 ms. The default is noise-free, so a run is the same on every
        device to round-off.
    """
    options, synapse = TripartiteOptions.resolve(options, keywords)
    unknown = sorted(set(synapse) - set(_SYNAPSE_KEYS))
    if unknown:
        raise InputError(unknown[0], f"a parameter of the spiking rung ({', '.join(_SYNAPSE_KEYS)}, neuron=…, …)",
                         unknown[0])
    return build_tripartite_network(patterns, "spiking_tripartite", synapse, options, rung="spiking")


def build_tripartite_network(
    patterns: object,
    synapse_model: str,
    synapse: dict,
    options: TripartiteOptions,
    *,
    rung: str,
    configure: Any = None,
    recorded: tuple[str, ...] = ("s", "p"),
    process_dt: Any = None,
) -> SpikingNetwork:
    """The tripartite rungs: LIF neurons with rate traces, N² tripartite synapses of `synapse_model`
    (each with its process) on the process clock, memory modes.

    Parameters
    ----------
    patterns : array (N, K)
        The ±1 patterns stored.
    synapse_model : str
        The model file of the synapses and processes.
    synapse : dict
        Overrides of that model file's parameters.
    options : TripartiteOptions
        Seed, clocks, scales, coupling, knockouts, cue and read-out.
    rung : str
        The registered rung built (its features decide which knockouts apply).
    configure : callable, optional
        ``configure(synapses)``: rung-specific set-up after connecting.
    recorded : tuple of str
        The synapse variables `record_synapses` records.
    process_dt : Brian2 time, optional
        The rung's own default process clock (the options' process_dt wins).

    Returns
    -------
    SpikingNetwork
    """
    from brian2 import Network, StateMonitor, ms, pA

    from .. import models
    from ..abstract.knockouts import coupling_features, require_features
    from .rungs import RUNGS

    o = options
    cue_current = CUE_CURRENT_PA * pA if o.cue_current is None else o.cue_current
    readout_window = READOUT_WINDOW_MS * ms if o.readout_window is None else o.readout_window
    xi, dt, process_dt, readout_window = _check_common(patterns, o.dt, o.process_dt if o.process_dt is not None
                                                       else process_dt, cue_current, readout_window)
    n, k = xi.shape
    name = rung if o.name is None else o.name
    knock = Knockouts() if o.knockouts is None else o.knockouts
    if not isinstance(knock, Knockouts):
        raise InputError("knockouts", "an astrobrian.abstract.Knockouts", type(o.knockouts).__name__)
    coupling = mode_coupling(o.coupling)
    features = RUNGS[rung].features if rung in RUNGS else frozenset({"astrocyte"})
    require_features(knock, set(features) | coupling_features(coupling), f"on the '{rung}' rung")
    a = 1.0 / n if o.hebbian_scale is None else float(o.hebbian_scale)
    scale = 1.0 / n**2 if o.coupling_scale is None else float(o.coupling_scale)
    for key, v in (("hebbian_scale", a), ("coupling_scale", scale)):
        if not np.isfinite(v) or v <= 0:
            raise InputError(key, "a number > 0", v)
    autapses, self_coupling = (require_switch(key, getattr(o, key)) for key in ("autapses", "self_coupling"))

    neuron_spec, neurons = _neurons(xi, o.seed, dt, name, o.neuron, o.neuron_preset)
    territories = coupling.territory_labels(n) if isinstance(coupling, TerritoryCoupling) else None
    effects = knock.effects(n, territories)  # every knockout, from its table entry
    syn_spec = models.load(synapse_model, a=a, feedback=effects.feedback, **synapse)
    method = mode_method(o.memory_modes)
    synapses = syn_spec.synapses(neurons, neurons, name=f"{name}_synapses", dt=process_dt,
                                 extra_equations=mode_equations(method))
    post, pre = synapse_pairs(n, autapses)
    synapses.connect(i=pre, j=post)
    syn_spec.set_initial(synapses)  # at rest, never set from the cue
    wired = wire_memory_modes(xi, synapses, coupling, scale * effects.coupling, name, dt=process_dt,
                              gap_junction_block=effects.gap_junction_block, method=method, pairs=(post, pre),
                              self_coupling=self_coupling)
    if effects.alive is not None:
        synapses.alive = effects.alive[post, pre]
    if configure is not None:
        configure(synapses)
    knock.apply_brian2_hooks(synapses, (post, pre))  # mechanisms of the rung's own (e.g. Ω_C = 0)

    monitors = _monitors(neurons, process_dt, name)
    if o.record_synapses is not None:
        every = _time("record_synapses", o.record_synapses, allow_zero=False)
        for key in recorded:
            monitors[key] = StateMonitor(synapses, key, record=True, dt=every, name=f"{name}_{key}", when="start")
    net = Network(neurons, synapses, *wired.objects, *monitors.values(), name=f"{name}_network")
    params = {
        "N": n, "K": k, "seed": int(o.seed), "dt": _text(dt), "process_dt": _text(process_dt), "hebbian_scale": a,
        "coupling_scale": scale, "coupling": coupling.describe(), "gap_junction": wired.gap_junction,
        "memory_modes": method, "autapses": autapses, "self_coupling": self_coupling,
        "knockouts": knock.describe(), "cue_current": _text(cue_current), "readout_window": _text(readout_window),
        "neuron_preset": o.neuron_preset,
        "neuron": {p: _text(v.value) for p, v in neuron_spec.parameters.items()},
        "synapse": {p: _text(v.value) for p, v in syn_spec.parameters.items()},
    }
    return SpikingNetwork(
        rung, net, neurons, synapses, wired.groups(),
        monitors, xi, params, memory_modes=wired, cue_current=cue_current, readout_window=readout_window,
    )


def hopfield_weights(xi: np.ndarray) -> np.ndarray:
    """Pairwise Hebbian weights W = ΞΞᵀ/N with zero diagonal (Hopfield 1982)."""
    w = xi @ xi.T / xi.shape[0]
    np.fill_diagonal(w, 0.0)
    return w


@dataclass(frozen=True)
class HopfieldOptions(NeuronOptions):
    """The Hopfield control's options: `NeuronOptions` plus J, the current of one spike at weight 1
    (None: spiking_tripartite's J)."""

    J: Any = None


def build_hopfield_spiking_network(patterns: object, options: HopfieldOptions | None = None,
                                   **keywords: Any) -> SpikingNetwork:
    """The control: the same LIF neurons, cue and read-out; patterns stored in the synaptic
    weights only (W = ΞΞᵀ/N, zero diagonal, N(N−1) synapses), no synapse or process dynamics.
    A spike of neuron j adds J·W_ij to I_syn of neuron i. Astrocyte parameters (knockouts,
    coupling, synapse gains) do not apply and are refused.

    Parameters
    ----------
    patterns : array (N, K)
        The ±1 patterns stored.
    options : HopfieldOptions, optional
        Seed, clocks, cue, read-out and J.
    **keywords
        Any option by name.

    Returns
    -------
    SpikingNetwork
    """
    from brian2 import Network, ms, pA

    from .. import models

    o, unused = HopfieldOptions.resolve(options, keywords)
    if unused:
        key = sorted(unused)[0]
        raise InputError(key, "a parameter of the Hopfield control (seed, dt, process_dt, cue_current, "
                         f"{', '.join(f.name for f in fields(HopfieldOptions) if f.name != 'name')})", key)
    cue_current = CUE_CURRENT_PA * pA if o.cue_current is None else o.cue_current
    readout_window = READOUT_WINDOW_MS * ms if o.readout_window is None else o.readout_window
    xi, dt, process_dt, readout_window = _check_common(patterns, o.dt, o.process_dt, cue_current, readout_window)
    n, k = xi.shape
    name = "hopfield" if o.name is None else o.name
    overrides = dict(o.neuron or {})
    overrides["J_hop"] = models.load("spiking_tripartite").namespace["J"] if o.J is None else o.J
    neuron_spec, neurons = _neurons(xi, o.seed, dt, name, overrides, o.neuron_preset)
    w = hopfield_weights(xi)
    pre, post = np.nonzero(~np.eye(n, dtype=bool))  # every ordered pair i ≠ j
    synapses = neuron_spec.connection("hopfield", neurons, neurons, name=f"{name}_synapses")
    synapses.connect(i=pre, j=post)
    synapses.w = w[post, pre]
    monitors = _monitors(neurons, process_dt, name)
    net = Network(neurons, synapses, *monitors.values(), name=f"{name}_network")
    params = {
        "N": n, "K": k, "seed": int(o.seed), "dt": _text(dt), "process_dt": _text(process_dt),
        "cue_current": _text(cue_current), "readout_window": _text(readout_window), "neuron_preset": o.neuron_preset,
        "neuron": {p: _text(v.value) for p, v in neuron_spec.parameters.items()},
    }
    return SpikingNetwork(
        "hopfield-spiking", net, neurons, synapses, {}, monitors, xi, params,
        cue_current=cue_current, readout_window=readout_window,
    )


register_rung(Rung(
    "spiking", build_spiking_network, "LIF neurons with rate traces, tripartite synapses and processes, memory modes",
    options=TripartiteOptions, open_keywords=True, memory_bytes=(250.0, 2_500.0, 1_000.0)))
register_rung(Rung(
    "hopfield-spiking", build_hopfield_spiking_network,
    "the pairwise control: the same LIF neurons, the patterns in the synaptic weights only, no astrocyte",
    options=HopfieldOptions, open_keywords=True, features=frozenset(), abstract_model="hopfield", control="hopfield",
    units="pairwise", memory_bytes=(0.0, 250.0, 1_000.0)))
