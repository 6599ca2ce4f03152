"""Classical Hopfield networks: binary (asynchronous sign updates) and continuous (graded tanh).

Binary: Hopfield (1982, PNAS 79:2554), W = (1/N) Ξ Ξᵀ with W_ii = 0, E = −½ sᵀ W s.
Continuous: Hopfield (1984, PNAS 81:3088), τ dx/dt = −λx + W tanh(βx) + b, with the
Lyapunov energy E = −½ φᵀWφ − bᵀφ + λ Σ_i [x_i φ_i − L(x_i)] (Krotov & Hopfield 2021,
ICLR, "Large associative memory problem in neurobiology and machine learning").

The asynchronous engine `run_asynchronous` is shared with the dense associative memory
(`dam.py`): both keep the un-normalised overlaps m = Ξᵀσ (B, K) up to date so that one
single-spin step costs O(B·K) and never needs the N×N weight matrix.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..errors import InputError, require_positive, require_positive_int
from ..patterns import check_patterns, sign
from .activations import TanhActivation
from .base import pattern_matrix_product, prepare, project
from .integrate import check_method, evolve
from .trajectory import Recorder, Trajectory

#: Decision function of one single-spin step: given the rows ξ_i (B, K) of the neurons being
#: updated and the overlaps without them, c = m − ξ_i σ_i (B, K), return (B,) numbers whose
#: sign is the new spin (0 = tie: keep the current spin).
FieldFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def default_rng(rng: np.random.Generator | None) -> np.random.Generator:
    """The generator to use: `rng`, or a fixed-seed one (seed 0) so runs are reproducible."""
    if rng is None:
        return np.random.default_rng(0)
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng", "a numpy.random.Generator (np.random.default_rng(seed)) or None", type(rng).__name__)
    return rng


def random_order(rng: np.random.Generator, batch: int, n: int) -> np.ndarray:
    """(batch, n) update order: an independent random permutation of 0..n−1 for every trial.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the permutations.
    batch : int
        Number of trials.
    n : int
        Number of neurons.

    Returns
    -------
    numpy.ndarray
        (batch, n) integers.
    """
    return rng.permuted(np.broadcast_to(np.arange(n), (batch, n)), axis=1)


def run_asynchronous(
    patterns: np.ndarray,
    cues: np.ndarray,
    single: bool,
    field: FieldFn,
    energy: Callable[[np.ndarray], np.ndarray],
    max_sweeps: int,
    rng: np.random.Generator | None,
    record_every: int,
) -> Trajectory:
    """Asynchronous single-spin descent in random order, batched over trials (Hopfield 1982).

    σ starts at sign(cue) (zeros → +1). Each sweep draws a fresh permutation per trial; step k
    updates neuron order[b, k] of every trial b at once: σ_i ← sign(field(ξ_i, m − ξ_i σ_i)),
    keeping σ_i on a tie. Stops after the first sweep that changes no spin in any trial (that
    sweep is recorded) or after `max_sweeps`. Records once per sweep (t = sweeps done);
    `energy(m)` maps overlaps (B, K) to (B,); `extra['flips']` counts the spins each trial
    flipped in the sweep that ended at that record (0 at t = 0).

    Parameters
    ----------
    patterns : numpy.ndarray
        (N, K) or (B, N, K) ±1 patterns.
    cues : numpy.ndarray
        (B, N) starting states.
    single : bool
        Drop the batch axis of the result (a single cue).
    field : FieldFn
        The decision function of one single-spin step (see `FieldFn`).
    energy : callable
        Overlaps (B, K) → energies (B,).
    max_sweeps : int
        Upper bound on the number of sweeps.
    rng : numpy.random.Generator or None
        Source of the update orders (None: seed 0).
    record_every : int
        Record every this many sweeps.

    Returns
    -------
    Trajectory
    """
    max_sweeps = require_positive_int("max_sweeps", max_sweeps)
    record_every = require_positive_int("record_every", record_every)
    rng = default_rng(rng)
    xi = patterns
    s = sign(cues)
    b, n = s.shape
    trials = np.arange(b)
    m = project(xi, s)  # exact integers for ±1 patterns and spins
    rec = Recorder(max_sweeps, record_every)
    rec.record(0.0, s, energy(m), flips=np.zeros(b))
    for sweep in range(1, max_sweeps + 1):
        order = random_order(rng, b, n)
        flips = np.zeros(b)
        for k in range(n):
            idx = order[:, k]
            rows = xi[idx] if xi.ndim == 2 else xi[trials, idx]
            old = s[trials, idx]
            d = field(rows, m - rows * old[:, None])
            new = np.where(d > 0, 1.0, np.where(d < 0, -1.0, old))
            changed = new != old
            if changed.any():
                s[trials, idx] = new
                m += rows * (new - old)[:, None]
                flips += changed
        done = not flips.any()
        if done or rec.wants(sweep):
            rec.record(float(sweep), s, energy(m), flips=flips)
        if done:
            break
    return rec.trajectory(xi, s, single)


class HopfieldNetwork:
    """Classical binary Hopfield network, W = (1/N) Ξ Ξᵀ, W_ii = 0 (Hopfield 1982, PNAS 79:2554).

    `patterns` (N, K) shared or (B, N, K) one set per trial. Pairwise capacity ≈ 0.138 N
    (Amit, Gutfreund & Sompolinsky 1985, PRL 55:1530).
    """

    def __init__(self, patterns: object):
        self.patterns = check_patterns(patterns)
        self.n_neurons = self.patterns.shape[-2]
        self.n_patterns = self.patterns.shape[-1]

    @property
    def weights(self) -> np.ndarray:
        """W = (1/N) Ξ Ξᵀ with zero diagonal: (N, N), or (B, N, N) for per-trial patterns.

        Built on demand (runs never need it: they use the overlaps Ξᵀs).
        """
        xi = self.patterns
        w = np.einsum("...ik,...jk->...ij", xi, xi) / self.n_neurons
        idx = np.arange(self.n_neurons)
        w[..., idx, idx] = 0.0
        return w

    def _energy_m(self, m: np.ndarray) -> np.ndarray:
        # −½ sᵀWs = −(1/2N)(|Ξᵀs|² − K|s|²) for ±1 spins (|s|² = N, diagonal removed)
        n = self.n_neurons
        return -(np.sum(m * m, axis=-1) - self.n_patterns * n) / (2.0 * n)

    def energy(self, states: np.ndarray) -> np.ndarray:
        """E = −½ sᵀ W s of ±1 states (B, N) or (N,): (B,) or a scalar."""
        xi, s, single = prepare(self.patterns, sign(states))
        e = self._energy_m(project(xi, s))
        return e[0] if single else e

    @staticmethod
    def _field(rows: np.ndarray, rest: np.ndarray) -> np.ndarray:
        # N h_i = Σ_μ ξ^μ_i Σ_{j≠i} ξ^μ_j s_j = N Σ_j W_ij s_j (integer, so ties are exact)
        return np.einsum("bk,bk->b", rows, rest)

    def run(
        self,
        cues: object,
        max_sweeps: int = 50,
        rng: np.random.Generator | None = None,
        record_every: int = 1,
    ) -> Trajectory:
        """Asynchronous updates s_i ← sign(Σ_j W_ij s_j) from s = sign(cue) (keep s_i when h_i = 0).

        Fresh random order per trial and per sweep from `rng` (default seed 0); stops after a
        sweep without change in any trial, or `max_sweeps`. Recorded once per sweep (t = sweep
        count); overlaps are those of the ±1 state. Energy never increases (Hopfield 1982).

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


class ContinuousHopfield:
    """Graded Hopfield network τ dx/dt = −λx + W tanh(βx) + b (Hopfield 1984, PNAS 81:3088).

    W = (1/N) Ξ Ξᵀ; the diagonal (K/N) is kept unless `zero_diagonal` (the Vivet–Arenas
    uniform-gain limit keeps it). Lyapunov energy with φ = tanh(βx), L its Lagrangian
    (Krotov & Hopfield 2021, ICLR): E = −½ φᵀWφ − bᵀφ + λ Σ_i [x_i φ_i − L(x_i)];
    τ dx/dt = −∂E/∂φ, so dE/dt = −(1/τ) Σ_i φ'(x_i)(∂E/∂φ_i)² ≤ 0.

    Parameters
    ----------
    patterns : array_like
        ±1 patterns, (N, K) or (B, N, K).
    beta : float
        Gain of φ = tanh(βx).
    tau : float
        Time constant.
    leak : float
        Leak λ ≥ 0.
    zero_diagonal : bool
        Remove the self-coupling W_ii = K/N.
    bias : array_like, optional
        Constant input b, (N,) or (B, N).
    """

    def __init__(
        self,
        patterns: object,
        beta: float = 5.0,
        tau: float = 1.0,
        leak: float = 1.0,
        zero_diagonal: bool = False,
        bias: object = None,
    ):
        self.patterns = check_patterns(patterns)
        self.n_neurons = self.patterns.shape[-2]
        self.n_patterns = self.patterns.shape[-1]
        self.beta = require_positive("beta", beta)
        self.tau = require_positive("tau", tau)
        self.leak = require_positive("leak", leak, allow_zero=True)
        if not isinstance(zero_diagonal, (bool, np.bool_)):
            raise InputError("zero_diagonal", "True or False", zero_diagonal)
        self.zero_diagonal = bool(zero_diagonal)
        self.phi = TanhActivation(self.beta)
        if bias is None:
            self.bias = None
        else:
            bvec = np.asarray(bias, dtype=np.float64)
            if bvec.ndim not in (1, 2) or bvec.shape[-1] != self.n_neurons or not np.all(np.isfinite(bvec)):
                raise InputError(
                    "bias",
                    f"finite values of shape (N,) or (batch, N) with N = {self.n_neurons}",
                    f"shape {bvec.shape}",
                )
            self.bias = bvec

    @property
    def weights(self) -> np.ndarray:
        """W = (1/N) Ξ Ξᵀ (diagonal zeroed if `zero_diagonal`): (N, N) or (B, N, N)."""
        xi = self.patterns
        w = np.einsum("...ik,...jk->...ij", xi, xi) / self.n_neurons
        if self.zero_diagonal:
            idx = np.arange(self.n_neurons)
            w[..., idx, idx] = 0.0
        return w

    def _bias(self, batch: int) -> np.ndarray | None:
        if self.bias is None:
            return None
        if self.bias.ndim == 2 and self.bias.shape[0] != batch:
            raise InputError("bias", f"one bias row per cue: shape ({batch}, N)", f"shape {self.bias.shape}")
        return self.bias

    def _drive(self, xi: np.ndarray, phi: np.ndarray) -> np.ndarray:
        # W φ = Ξ(Ξᵀφ)/N (− (K/N) φ without self-coupling): O(N K), never builds W
        wphi = pattern_matrix_product(xi, project(xi, phi)) / self.n_neurons
        if self.zero_diagonal:
            wphi -= (self.n_patterns / self.n_neurons) * phi
        return wphi

    def _energy(self, xi: np.ndarray, x: np.ndarray, bias: np.ndarray | None) -> tuple[np.ndarray, dict]:
        phi = self.phi(x)
        interaction = -0.5 * np.sum(phi * self._drive(xi, phi), axis=-1)
        if bias is not None:
            interaction = interaction - np.sum(np.broadcast_to(bias, phi.shape) * phi, axis=-1)
        leak = self.leak * np.sum(self.phi.legendre(x), axis=-1)
        return interaction + leak, {"interaction": interaction, "leak": leak}

    def energy(self, states: np.ndarray) -> np.ndarray:
        """E(x) for states (B, N) or (N,): (B,) or a scalar."""
        xi, x, single = prepare(self.patterns, states)
        e, _ = self._energy(xi, x, self._bias(x.shape[0]))
        return e[0] if single else e

    def run(
        self,
        cues: object,
        dt: float = 0.05,
        steps: int = 200,
        method: str = "rk4",
        rng: np.random.Generator | None = None,
        record_every: int = 1,
    ) -> Trajectory:
        """Integrate from x(0) = cue (the cue is the initial membrane state, not an input).

        Fixed-step Euler or RK4 (`method`); t = step·dt. Overlaps use the ±1 read-out sign(x);
        `energy_terms` holds 'interaction' (−½φᵀWφ − bᵀφ) and 'leak'. Deterministic: `rng`
        is accepted for a uniform interface and unused.

        Parameters
        ----------
        cues : array_like
            (B, N) or (N,) initial states x(0).
        dt : float
            Time step (units of τ).
        steps : int
            Number of steps.
        method : str
            'euler' or 'rk4'.
        rng : numpy.random.Generator, optional
            Unused.
        record_every : int
            Record every this many steps (the last is always recorded).

        Returns
        -------
        Trajectory
        """
        del rng
        dt = require_positive("dt", dt)
        steps = require_positive_int("steps", steps)
        record_every = require_positive_int("record_every", record_every)
        method = check_method(method)
        xi, x, single = prepare(self.patterns, cues)
        bias = self._bias(x.shape[0])
        lam, tau = self.leak, self.tau

        def rhs(state: tuple[np.ndarray, ...], t: float) -> tuple[np.ndarray, ...]:
            (u,) = state
            du = -lam * u + self._drive(xi, self.phi(u))
            if bias is not None:
                du = du + bias
            return (du / tau,)

        rec = Recorder(steps, record_every)

        def record(t: float, state: tuple[np.ndarray, ...]) -> None:
            e, terms = self._energy(xi, state[0], bias)
            rec.record(t, state[0], e, terms)

        (x,), _ = evolve(rhs, (x,), ("x",), dt, steps, method, record, record_every)
        return rec.trajectory(xi, x, single, readout=sign)
