"""What every rung's builder returns: native Brian2 objects plus a recall method."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import NumericalInstability

#: simulated time between checks of a running network's states for NaN or blow-up (runtime device)
CHECK_EVERY_MS = 10.0
#: |value| above which a state counts as blown up (Brian2's own criterion)
BLOWN_UP = 1e50


def first_invalid_state(objects: Any) -> tuple[str, str] | None:
    """(group name, variable) of the first differential-equation state that is NaN or beyond
    ±1e50, over the Brian2 groups in `objects`; None when all are finite."""
    from brian2 import Equations

    for obj in objects:
        equations = getattr(obj, "equations", None)
        if not isinstance(equations, Equations):
            continue
        for var in sorted(equations.diff_eq_names):
            values = np.asarray(obj.state(var, use_units=False))
            if values.size and not np.all(np.abs(values) <= BLOWN_UP):  # NaN fails the comparison
                return obj.name, var
    return None


def check_states(network: Any, when: str) -> None:
    """Raise NumericalInstability when any state of `network` is NaN or blown up."""
    bad = first_invalid_state(network.objects)
    if bad is not None:
        raise NumericalInstability(*bad, when)


def watch_states(network: Any) -> None:
    """Add to `network` (once; runtime device only) the operation that stops a run at the first
    NaN or blow-up. Builders call it, so that a stored network state already holds it."""
    from brian2 import NetworkOperation, ms

    from ..devices import is_standalone

    if is_standalone() or any(getattr(o, "name", "").endswith("_state_check") for o in network.objects):
        return
    slowest = max(float(o.clock.dt / ms) for o in network.objects)  # a whole multiple of every clock
    every = slowest * max(1, int(np.ceil(CHECK_EVERY_MS / slowest - 1e-9)))

    def watch(t):
        check_states(network, f"at t ≈ {float(t / ms):g} ms (checked every {every:g} ms of simulated time)")

    network.add(NetworkOperation(watch, dt=every * ms, when="end", name=f"{network.name}_state_check"))


def run_checked(network: Any, duration: Any, mute: tuple[str, ...] = ()) -> None:
    """`network.run(duration)` that stops at the first NaN or blow-up with a NumericalInstability
    (checked every CHECK_EVERY_MS of simulated time on the runtime device; on standalone devices,
    whose states exist only after the build, `MemoryNetwork.recall` checks them after it). Brian2 messages
    named in `mute` are dropped for this run; every other one is logged as usual.

    Parameters
    ----------
    network : brian2.Network
        The network to run.
    duration : Quantity
        Simulated time to run (a Brian2 time).
    mute : tuple of str
        Brian2 message names (e.g. 'synapses_dt_mismatch') dropped during the run.
    """
    from brian2 import ms

    from ..brian_logs import muted_brian_messages
    from ..devices import is_standalone

    watch_states(network)
    with muted_brian_messages("invalid_values", *mute):  # ours replaces Brian2's warning after the run
        network.run(duration)
    if not is_standalone():
        check_states(network, f"by t = {float(network.t / ms):g} ms")


@dataclass
class RecallRun:
    """One recall: read-out overlaps over time (T, K), final overlaps (K,), the RecallReport,
    and the raw recordings (e.g. 'x'; 'spike_i'/'spike_t' and 'rates' for spiking rungs)."""

    t: np.ndarray
    overlaps: np.ndarray
    final_overlaps: np.ndarray
    report: Any
    recordings: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class MemoryNetwork:
    """A built network: the Brian2 `Network`, its groups and monitors (native objects, so any
    Brian2 tool keeps working), the stored patterns and every parameter used.

    A recall has two phases so that it works on every Brian2 device: `present` issues the
    run() calls (cue as an input current, then release), `read_out` reads the monitors once
    the runs happened (on cpp_standalone, after `devices.finish_runs()` built the project).
    Subclasses implement both.
    """

    rung: str
    network: Any
    neurons: Any
    synapses: Any
    groups: dict[str, Any]
    monitors: dict[str, Any]
    patterns: np.ndarray
    parameters: dict = field(default_factory=dict)
    memory_modes: Any = None  # the MemoryModes (astrocyte rungs): method, updaters, schedule

    def __post_init__(self) -> None:
        watch_states(self.network)

    def recall(self, cue: np.ndarray, target: int, cue_duration: float, duration: float,
               cue_strength: float = 1.0, threshold: float = 0.9) -> RecallRun:
        """Present the cue for `cue_duration`, release it, run to `duration`, read out.

        Parameters
        ----------
        cue : ndarray
            The cue, shape (N,).
        target : int
            Index of the pattern the cue was made from.
        cue_duration, duration : float or Quantity
            Cue window and run length, as the rung takes them (units of τ_n on the rate rung,
            Brian2 times on the spiking rungs).
        cue_strength : float
            Factor on the cue input.
        threshold : float
            Recall criterion: final target overlap ≥ threshold.

        Returns
        -------
        RecallRun
            Overlaps over time and at the end, the report and the recordings.
        """
        from ..devices import finish_runs, is_standalone

        self.present(np.asarray(cue, dtype=float), cue_duration, duration, cue_strength)
        finish_runs()
        if is_standalone():  # the states exist now; a runtime run was checked as it ran
            check_states(self.network, "by the end of the run")
        return self.read_out(np.asarray(cue, dtype=float), target, cue_duration, threshold)

    def present(self, cue: np.ndarray, cue_duration: float, duration: float,
                cue_strength: float) -> None:  # pragma: no cover - interface
        """Issue the run() calls of a recall: the cue as an input for `cue_duration`, then none.

        Implemented by each rung.

        Parameters
        ----------
        cue : ndarray
            The cue, shape (N,).
        cue_duration, duration : float
            Cue window and run length, in the rung's time units.
        cue_strength : float
            Factor on the cue input.
        """
        raise NotImplementedError

    def read_out(self, cue: np.ndarray, target: int, cue_duration: float,
                 threshold: float) -> RecallRun:  # pragma: no cover - interface
        """Read the monitors after the runs: overlaps with the patterns and the recall report.

        Implemented by each rung.

        Parameters
        ----------
        cue : ndarray
            The cue, shape (N,).
        target : int
            Index of the target pattern.
        cue_duration : float
            The cue window, in the rung's time units.
        threshold : float
            Recall criterion: final target overlap ≥ threshold.

        Returns
        -------
        RecallRun
        """
        raise NotImplementedError
