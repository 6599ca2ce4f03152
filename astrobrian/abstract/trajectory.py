"""The trajectory every abstract model returns: time, states, overlaps, energy, final state."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..patterns import overlaps as _overlaps
from ..patterns import sign


@dataclass
class Trajectory:
    """A recorded run of a batch of cues.

    Shapes (B = batch, K = patterns, T = recorded times): `t` (T,), `x` (T, B, N),
    `overlaps` (T, B, K), `energy` (T, B), `final` (B, N) the last continuous/spin state,
    `recalled` (B, N) its ±1 read-out. With a single cue (`single=True`) the batch axis is
    dropped from every array. `energy_terms` holds named parts of the energy (same shape),
    `extra` model-specific records (e.g. astrocytic gains).
    """

    t: np.ndarray
    x: np.ndarray
    overlaps: np.ndarray
    energy: np.ndarray
    final: np.ndarray
    energy_terms: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    single: bool = False

    @property
    def recalled(self) -> np.ndarray:
        """±1 read-out of the final state (sign, zeros → +1)."""
        return sign(self.final)

    def final_overlaps(self, patterns: np.ndarray) -> np.ndarray:
        """Overlaps of the ±1 read-out with every pattern, (B, K) or (K,)."""
        return _overlaps(self.recalled, patterns)

    def squeezed(self) -> "Trajectory":
        """Drop the batch axis (for a single cue)."""
        if self.single:
            return self
        sq = lambda a: a[:, 0] if a.ndim >= 2 else a  # noqa: E731 - time-major arrays
        return Trajectory(
            t=self.t,
            x=sq(self.x),
            overlaps=sq(self.overlaps),
            energy=sq(self.energy),
            final=self.final[0],
            energy_terms={k: sq(v) for k, v in self.energy_terms.items()},
            extra={k: sq(v) for k, v in self.extra.items()},
            single=True,
        )


class Recorder:
    """Collects states every `every` steps (always the first and the last) into a Trajectory."""

    def __init__(self, n_steps: int, every: int = 1):
        self.every = max(1, int(every))
        self.n_steps = n_steps
        self.t: list[float] = []
        self.x: list[np.ndarray] = []
        self.energy: list[np.ndarray] = []
        self.terms: dict[str, list[np.ndarray]] = {}
        self.extra: dict[str, list[np.ndarray]] = {}

    def wants(self, step: int) -> bool:
        return step % self.every == 0 or step == self.n_steps

    def record(
        self,
        t: float,
        x: np.ndarray,
        energy: np.ndarray,
        terms: dict[str, np.ndarray] | None = None,
        **extra: np.ndarray,
    ) -> None:
        """Append one record (arrays are copied).

        Parameters
        ----------
        t : float
            Time of the record.
        x : numpy.ndarray
            The state.
        energy : numpy.ndarray
            The energy of each trial.
        terms : dict, optional
            Named energy terms.
        **extra : numpy.ndarray
            Model-specific records (e.g. ``gains``).
        """
        self.t.append(float(t))
        self.x.append(np.array(x, copy=True))
        self.energy.append(np.array(energy, copy=True))
        for k, v in (terms or {}).items():
            self.terms.setdefault(k, []).append(np.array(v, copy=True))
        for k, v in extra.items():
            self.extra.setdefault(k, []).append(np.array(v, copy=True))

    def trajectory(self, patterns: np.ndarray, final: np.ndarray, single: bool, readout=None) -> Trajectory:
        """Stack the records into a Trajectory.

        Parameters
        ----------
        patterns : numpy.ndarray
            (N, K) or (B, N, K) patterns the overlaps are taken with.
        final : numpy.ndarray
            The final state.
        single : bool
            Drop the batch axis (a single cue).
        readout : callable, optional
            Overlaps use readout(x) (default: the state itself).

        Returns
        -------
        Trajectory
        """
        x = np.stack(self.x)
        shown = x if readout is None else readout(x)
        traj = Trajectory(
            t=np.asarray(self.t),
            x=x,
            overlaps=_overlaps(shown, patterns),
            energy=np.stack(self.energy),
            final=np.array(final, copy=True),
            energy_terms={k: np.stack(v) for k, v in self.terms.items()},
            extra={k: np.stack(v) for k, v in self.extra.items()},
        )
        return traj.squeezed() if single else traj
