"""Shared input handling for the abstract models: patterns, cues, batch shapes."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..patterns import check_patterns


def prepare(patterns: object, cues: object) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate (patterns, cues) and return (patterns, cues as (B, N) float64, single).

    patterns: (N, K) shared by the batch or (B, N, K), one set per cue; cues: (N,) or (B, N),
    finite. `single` is True when one cue was given (trajectories then drop the batch axis).
    """
    xi = check_patterns(patterns)
    c = np.asarray(cues, dtype=np.float64)
    single = c.ndim == 1
    c = np.atleast_2d(c)
    n = xi.shape[-2]
    if c.ndim != 2 or c.shape[1] != n:
        raise InputError("cues", f"an array of shape (N,) or (batch, N) with N = {n}", f"shape {np.shape(cues)}")
    if not np.all(np.isfinite(c)):
        raise InputError("cues", "finite values (no NaN or inf)", "non-finite entries")
    if xi.ndim == 3 and xi.shape[0] != c.shape[0]:
        raise InputError(
            "patterns", f"one pattern set per cue: shape ({c.shape[0]}, N, K)", f"shape {xi.shape}"
        )
    return xi, c, single


def pattern_matrix_product(xi: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Ξ v for v (B, K): (B, N), with Ξ (N, K) shared or (B, N, K) per trial."""
    if xi.ndim == 2:
        return v @ xi.T
    return np.einsum("bnk,bk->bn", xi, v)


def project(xi: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Ξᵀ s for s (B, N): (B, K) un-normalised overlaps."""
    if xi.ndim == 2:
        return s @ xi
    return np.einsum("bnk,bn->bk", xi, s)
