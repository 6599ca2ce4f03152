"""Recall read-out shared by every rung: rates → ±1 state → overlaps → recall report.

A state is read as the sign of each neuron's activity around the midpoint of the two activity
modes (the 'up' and 'down' populations a recalled ±1 pattern creates), then compared with every
stored pattern (overlap m_μ = ξ^μ·s/N). The report names the target overlap, the best other
overlap, the time to retrieval (first time the target overlap reaches θ and stays) and whether
the state persists after the cue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .patterns import overlaps


def two_mode_midpoint(activity: np.ndarray) -> np.ndarray:
    """Midpoint between the low and high activity modes of each row (…, N): the threshold
    that best separates the two groups (1-D two-means on the sorted values)."""
    a = np.sort(np.asarray(activity, dtype=float), axis=-1)
    n = a.shape[-1]
    csum = np.cumsum(a, axis=-1)
    total = csum[..., -1:]
    k = np.arange(1, n)  # split after k values
    mean_lo = csum[..., :-1] / k
    mean_hi = (total - csum[..., :-1]) / (n - k)
    # between-group variance of each split (Otsu); the best split maximises it
    score = k * (n - k) * (mean_hi - mean_lo) ** 2
    best = np.argmax(score, axis=-1)
    lo = np.take_along_axis(mean_lo, best[..., None], -1)[..., 0]
    hi = np.take_along_axis(mean_hi, best[..., None], -1)[..., 0]
    return 0.5 * (lo + hi)


def readout(activity: np.ndarray, centre: float | np.ndarray | None = None) -> np.ndarray:
    """±1 state from activity (…, N): above the centre (default: the two-mode midpoint) is +1."""
    act = np.asarray(activity, dtype=float)
    c = two_mode_midpoint(act) if centre is None else np.asarray(centre, dtype=float)
    c = np.asarray(c)[..., None] if np.ndim(c) == act.ndim - 1 else c
    return np.where(act > c, 1.0, -1.0)


@dataclass
class RecallReport:
    """What a recall run achieved, with the criterion it was judged by."""

    target: int
    target_overlap: float
    best_other_overlap: float
    best_other: int
    recalled: bool
    threshold: float
    time_to_retrieval: float | None
    persists: bool
    cue_overlap: float

    def to_dict(self) -> dict:
        return asdict(self)


def recall_report(
    t: np.ndarray,
    overlap_t: np.ndarray,
    final_overlaps: np.ndarray,
    target: int,
    cue_end: float,
    cue_overlap: float,
    threshold: float = 0.9,
) -> RecallReport:
    """Summarise a run: overlaps over time (T, K) after read-out, and the final overlaps (K,).

    Retrieval time: the first time after which the target overlap stays ≥ θ to the end.
    Persists: the target overlap is ≥ θ over the whole post-cue part of the last third of the run.

    Parameters
    ----------
    t : ndarray
        Times (T,), in the rung's units.
    overlap_t : ndarray
        Overlaps with every pattern over time (T, K).
    final_overlaps : ndarray
        Final overlaps (K,), which decide `recalled`.
    target : int
        Index of the target pattern.
    cue_end : float
        When the cue was released (units of `t`).
    cue_overlap : float
        Overlap of the cue with the target.
    threshold : float
        θ: recalled when the final target overlap is ≥ θ.

    Returns
    -------
    RecallReport
    """
    ov = np.asarray(overlap_t, dtype=float)
    fin = np.asarray(final_overlaps, dtype=float)
    others = np.delete(np.arange(fin.size), target)
    best_other = int(others[np.argmax(fin[others])]) if others.size else -1
    above = ov[:, target] >= threshold
    retrieval = None
    if above[-1]:
        last_below = np.flatnonzero(~above)
        first = 0 if last_below.size == 0 else last_below[-1] + 1
        retrieval = float(t[first])
    late = (t >= max(cue_end, t[0] + 2 * (t[-1] - t[0]) / 3))
    persists = bool(np.all(above[late])) if late.any() else bool(above[-1])
    return RecallReport(
        target=int(target),
        target_overlap=float(fin[target]),
        best_other_overlap=float(fin[best_other]) if best_other >= 0 else float("nan"),
        best_other=best_other,
        recalled=bool(fin[target] >= threshold),
        threshold=float(threshold),
        time_to_retrieval=retrieval,
        persists=persists,
        cue_overlap=float(cue_overlap),
    )


__all__ = ["two_mode_midpoint", "readout", "RecallReport", "recall_report", "overlaps"]
