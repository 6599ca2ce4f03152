"""Stored patterns, corrupted cues and overlaps: one home, shared by abstract and Brian2 code.

Patterns are ±1 arrays of shape (N, K) — one column per memory — or (B, N, K) when every
trial of a batch has its own pattern set. Overlap m_μ = (1/N) Σ_i ξ^μ_i s_i
(docs/models.md#notation).
"""

from __future__ import annotations

import numpy as np

from .errors import InputError, require_fraction, require_positive_int


def random_patterns(
    n_neurons: int, n_patterns: int, rng: np.random.Generator, batch: int | None = None
) -> np.ndarray:
    """K random ±1 patterns of N bits as float64 columns, (N, K) or (batch, N, K).

    Parameters
    ----------
    n_neurons : int
        N, the number of bits of a pattern (≥ 2).
    n_patterns : int
        K, the number of patterns (≥ 1).
    rng : numpy.random.Generator
        Source of the random bits.
    batch : int, optional
        Draw one independent pattern set per trial of a batch of this size.

    Returns
    -------
    numpy.ndarray
        Entries ±1.0, shape (N, K), or (batch, N, K) with `batch`.
    """
    n = require_positive_int("N (number of neurons)", n_neurons, minimum=2)
    k = require_positive_int("K (number of patterns)", n_patterns, minimum=1)
    shape = (n, k) if batch is None else (require_positive_int("batch", batch), n, k)
    return 2.0 * rng.integers(0, 2, size=shape).astype(np.float64) - 1.0


def check_patterns(patterns: object) -> np.ndarray:
    """Validate a pattern array: (N, K) or (B, N, K), finite, every entry exactly ±1."""
    xi = np.asarray(patterns, dtype=np.float64)
    if xi.ndim not in (2, 3):
        raise InputError("patterns", "an array of shape (N, K) or (batch, N, K)", f"shape {xi.shape}")
    if xi.shape[-2] < 2:
        raise InputError("patterns", "N ≥ 2 neurons (rows)", f"N = {xi.shape[-2]}")
    if xi.shape[-1] < 1:
        raise InputError("patterns", "K ≥ 1 pattern (columns)", f"K = {xi.shape[-1]}")
    if not np.all(np.abs(xi) == 1.0):
        bad = xi[np.abs(xi) != 1.0].ravel()[:3]
        raise InputError("patterns", "entries that are exactly +1 or −1", f"values such as {bad.tolist()}")
    return xi


def n_flips(n_neurons: int, flip_fraction: float) -> int:
    """Number of flipped bits for a cue: exactly ⌊ρN⌋, never a random (Bernoulli) count, so every
    cue at a given N is equally far from its pattern (docs/models.md#notation)."""
    rho = require_fraction("flip (fraction of flipped bits)", flip_fraction)
    return int(np.floor(rho * n_neurons + 1e-9))


def corrupt(
    states: np.ndarray, flips: int, rng: np.random.Generator
) -> np.ndarray:
    """Flip exactly `flips` distinct, randomly chosen bits of each row of `states`.

    Parameters
    ----------
    states : numpy.ndarray
        ±1 states, (B, N) or a single state (N,).
    flips : int
        Bits to flip in each row, 0 ≤ flips ≤ N.
    rng : numpy.random.Generator
        Chooses the bits, independently for every row.

    Returns
    -------
    numpy.ndarray
        A copy of `states` with the bits flipped, of the same shape.
    """
    s = np.array(states, dtype=np.float64, copy=True)
    squeeze = s.ndim == 1
    s = np.atleast_2d(s)
    b, n = s.shape
    if not 0 <= flips <= n:
        raise InputError("flips", f"a number of flipped bits between 0 and N = {n}", flips)
    if flips:
        # argsort of uniform noise gives an independent random permutation per row
        idx = np.argsort(rng.random((b, n)), axis=1)[:, :flips]
        s[np.arange(b)[:, None], idx] *= -1.0
    return s[0] if squeeze else s


def cue_batch(
    patterns: np.ndarray, targets: np.ndarray, flips: int, rng: np.random.Generator
) -> np.ndarray:
    """Cues (B, N): stored pattern `targets[b]` of trial b with exactly `flips` bits flipped.

    Parameters
    ----------
    patterns : numpy.ndarray
        ±1 patterns, (N, K) shared by every trial or (B, N, K) one set per trial.
    targets : array of int
        (B,) index of the cued pattern of each trial.
    flips : int
        Bits flipped in every cue (`n_flips` gives ⌊ρN⌋).
    rng : numpy.random.Generator
        Chooses the flipped bits.

    Returns
    -------
    numpy.ndarray
        (B, N) cues.
    """
    xi = check_patterns(patterns)
    targets = np.asarray(targets, dtype=int)
    if xi.ndim == 2:
        clean = xi[:, targets].T
    else:
        clean = xi[np.arange(xi.shape[0]), :, targets]
    return corrupt(clean, flips, rng)


def overlaps(states: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """Overlaps m_μ = ξ^μ·s / N of states (..., B, N) or (..., N) with patterns (N, K) / (B, N, K).

    Broadcasts over leading (time) axes of `states`; returns (..., [B,] K).
    """
    s = np.asarray(states, dtype=np.float64)
    xi = np.asarray(patterns, dtype=np.float64)
    n = xi.shape[-2]
    if xi.ndim == 2:
        # flatten leading axes: one 2-D BLAS call is far faster than a stacked matmul
        return (s.reshape(-1, n) @ xi).reshape(s.shape[:-1] + (xi.shape[-1],)) / n
    # per-trial patterns: states (..., B, N) · (B, N, K) → (..., B, K)
    return np.einsum("...bn,bnk->...bk", s, xi) / n


def sign(x: np.ndarray) -> np.ndarray:
    """±1 read-out of a state; exact zeros read as +1 (a fixed, documented tie-break)."""
    return np.where(np.asarray(x) >= 0, 1.0, -1.0)
