"""What every rung's builder returns: native Brian2 objects plus a recall method."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


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

    def recall(self, cue: np.ndarray, target: int, cue_duration: float, duration: float,
               cue_strength: float = 1.0, threshold: float = 0.9) -> RecallRun:
        """Present the cue for `cue_duration`, release it, run to `duration`, read out."""
        from ..devices import finish_runs

        self.present(np.asarray(cue, dtype=float), cue_duration, duration, cue_strength)
        finish_runs()
        return self.read_out(np.asarray(cue, dtype=float), target, cue_duration, threshold)

    def present(self, cue: np.ndarray, cue_duration: float, duration: float,
                cue_strength: float) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def read_out(self, cue: np.ndarray, target: int, cue_duration: float,
                 threshold: float) -> RecallRun:  # pragma: no cover - interface
        raise NotImplementedError
