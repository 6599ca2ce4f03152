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

    Subclasses implement `recall(cue, target, cue_duration, duration, cue_strength, threshold)`:
    present the cue as an input current, release it, read out, and return a `RecallRun`.
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
               cue_strength: float = 1.0, threshold: float = 0.9) -> RecallRun:  # pragma: no cover
        raise NotImplementedError
