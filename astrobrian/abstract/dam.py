"""Dense Associative Memory with binary spins (Krotov & Hopfield 2016, NeurIPS, "Dense
associative memory for pattern recognition"), and the capacity lines drawn in figures.

Energy E = −Σ_μ F(ξ^μ·σ) with F(z) = z^n (optionally rectified) or F(z) = e^z. A spin is
set by the energy difference of its two values (Krotov & Hopfield 2016, eq. 3):
σ_i ← sign Σ_μ [F(ξ^μ_i + Σ_{j≠i} ξ^μ_j σ_j) − F(−ξ^μ_i + Σ_{j≠i} ξ^μ_j σ_j)].
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from ..errors import InputError, require_positive_int
from ..patterns import check_patterns, sign
from .base import prepare, project
from .hopfield import run_asynchronous
from .trajectory import Trajectory

INTERACTIONS = ("power", "exp")
HOPFIELD_CRITERIA = ("tolerant", "exact", "exact_all")

#: "exp": |Σ_μ w_μ ξ^μ_i| ≤ EXP_TIE_RTOL · Σ_μ w_μ counts as a tie (keep the spin); exact
#: ties (balanced overlap sets) otherwise come out as ±rounding (~1e-16 Σ w) with random sign.
EXP_TIE_RTOL = 1e-12


def _int_power(z: np.ndarray, n: int) -> np.ndarray:
    """z**n for integer n ≥ 1 by repeated squaring (exact for integer z below 2^53; np.power
    with a float base calls pow() and is ~100× slower)."""
    result = None
    base = z
    while True:
        if n & 1:
            result = base if result is None else result * base
        n >>= 1
        if not n:
            return result
        base = base * base


class DenseAssociativeMemory:
    """Binary DAM, E = −Σ_μ F(ξ^μ·σ), asynchronous energy-difference updates (Krotov & Hopfield 2016).

    interaction "power": F(z) = z^n (n ≥ 2 integer; `rectified=True` uses max(z, 0)^n),
    capacity ∝ N^(n−1); n = 2 is the classical Hopfield net with zero diagonal.
    interaction "exp": F(z) = e^z, evaluated in log space (never overflows); its reported
    energy is −log Σ_μ exp(ξ^μ·σ), a monotone transform of −Σ_μ exp(ξ^μ·σ) with the same
    minima and the same ordering of states.

    Parameters
    ----------
    patterns : array_like
        ±1 patterns, (N, K) shared or (B, N, K) one set per trial.
    interaction : str
        'power' (F(z) = zⁿ) or 'exp' (F(z) = e^z).
    n : int
        Interaction order for 'power', ≥ 2.
    rectified : bool
        Use max(z, 0)ⁿ.
    """

    def __init__(self, patterns: object, interaction: str = "power", n: int = 4, rectified: bool = False):
        self.patterns = check_patterns(patterns)
        self.n_neurons = self.patterns.shape[-2]
        self.n_patterns = self.patterns.shape[-1]
        if interaction not in INTERACTIONS:
            raise InputError("interaction", f"one of {', '.join(INTERACTIONS)}", interaction)
        self.interaction = interaction
        self.n = require_positive_int("n (interaction order)", n, minimum=2)
        if not isinstance(rectified, (bool, np.bool_)):
            raise InputError("rectified", "True or False", rectified)
        self.rectified = bool(rectified)

    def F(self, z: np.ndarray) -> np.ndarray:
        """Interaction function F(z) (for "exp" this overflows beyond z ≈ 709: runs never call it)."""
        z = np.asarray(z, dtype=np.float64)
        if self.interaction == "exp":
            return np.exp(z)
        if self.rectified:
            z = np.maximum(z, 0.0)
        return _int_power(z, self.n)

    def _energy_m(self, m: np.ndarray) -> np.ndarray:
        if self.interaction == "exp":
            return -logsumexp(m, axis=-1)
        return -np.sum(self.F(m), axis=-1)

    def energy(self, states: np.ndarray) -> np.ndarray:
        """Energy of ±1 states (B, N) or (N,): −Σ_μ F(ξ^μ·σ) ("exp": −logsumexp_μ ξ^μ·σ)."""
        xi, s, single = prepare(self.patterns, sign(states))
        e = self._energy_m(project(xi, s))
        return e[0] if single else e

    def _field(self, rows: np.ndarray, rest: np.ndarray) -> np.ndarray:
        # rows = ξ_i (B, K); rest = Σ_{j≠i} ξ_j σ_j (B, K): the sign of E(σ_i=−1) − E(σ_i=+1)
        up, down = rest + rows, rest - rows
        if self.interaction == "power":
            return np.sum(self.F(up) - self.F(down), axis=-1)
        # logsumexp(rest + ξ_i) − logsumexp(rest − ξ_i) = log[Σ w e^{ξ_i} / Σ w e^{−ξ_i}] with
        # w = exp(rest − max rest) ∈ (0, 1] (the max-shift of logsumexp: no overflow); as
        # ξ_i = ±1, Σ w (e^{ξ_i} − e^{−ξ_i}) = 2 sinh(1) Σ w ξ_i has the same sign: one exp.
        w = np.exp(rest - rest.max(axis=-1, keepdims=True))
        d = np.einsum("bk,bk->b", w, rows)
        tol = EXP_TIE_RTOL * np.sum(w, axis=-1)
        return np.where(np.abs(d) <= tol, 0.0, d)

    def run(
        self,
        cues: object,
        max_sweeps: int = 50,
        rng: np.random.Generator | None = None,
        record_every: int = 1,
    ) -> Trajectory:
        """Asynchronous energy-difference updates from σ = sign(cue) (zeros → +1), tie keeps σ_i.

        Random order per trial and per sweep from `rng` (default seed 0); overlaps m = Ξᵀσ are
        kept incrementally, so a single-spin step costs O(B·K). Stops after a sweep with no
        change in any trial, or `max_sweeps`; recorded once per sweep (t = sweep count).

        Parameters
        ----------
        cues : array_like
            (B, N) or (N,) starting states; their signs are used (zeros → +1).
        max_sweeps : int
            Upper bound on the number of sweeps.
        rng : numpy.random.Generator, optional
            Source of the update orders (default: seed 0).
        record_every : int
            Record every this many sweeps (the last sweep is always recorded).

        Returns
        -------
        Trajectory
            t = sweep count; x and overlaps of the ±1 state; energy.
        """
        xi, c, single = prepare(self.patterns, cues)
        return run_asynchronous(xi, c, single, self._field, self._energy_m, max_sweeps, rng, record_every)


def _check_n_neurons(n_neurons: object) -> np.ndarray:
    n = np.asarray(n_neurons, dtype=np.float64)
    if not np.all(np.isfinite(n)) or np.any(n <= 1):
        raise InputError("N (number of neurons)", "numbers > 1 (ln N must be positive)", n_neurons)
    return n


def dam_capacity_theory(n_neurons: object, n: int) -> np.ndarray | float:
    """Error-free capacity of the power-n DAM, K_max = N^(n−1) / (2 (2n−3)!! ln N).

    Krotov & Hopfield 2016 (NeurIPS), eq. for "no errors" retrieval; n = 2 gives the classical
    N / (2 ln N), n = 4 gives N³ / (30 ln N). Accepts scalar or array N (for theory lines).
    """
    order = require_positive_int("n (interaction order)", n, minimum=2)
    nn = _check_n_neurons(n_neurons)
    double_factorial = math.prod(range(2 * order - 3, 0, -2))
    k = nn ** (order - 1) / (2.0 * double_factorial * np.log(nn))
    return float(k) if k.ndim == 0 else k


def hopfield_capacity_theory(n_neurons: object, criterion: str = "tolerant") -> np.ndarray | float:
    """Classical Hopfield capacity: "tolerant" 0.138 N (Amit, Gutfreund & Sompolinsky 1985, PRL
    55:1530; a few % errors allowed), "exact" N / (2 ln N) (a typical pattern is an exact fixed
    point), "exact_all" N / (4 ln N) (all patterns exact; McEliece et al. 1987, IEEE TIT 33:461).
    """
    if criterion not in HOPFIELD_CRITERIA:
        raise InputError("criterion", f"one of {', '.join(HOPFIELD_CRITERIA)}", criterion)
    nn = _check_n_neurons(n_neurons)
    if criterion == "tolerant":
        k = 0.138 * nn
    elif criterion == "exact":
        k = nn / (2.0 * np.log(nn))
    else:
        k = nn / (4.0 * np.log(nn))
    return float(k) if k.ndim == 0 else k
