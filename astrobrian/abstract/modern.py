"""Modern (continuous-state) Hopfield network = softmax attention (Ramsauer et al. 2021, ICLR,
"Hopfield networks is all you need").

Update ξ ← Ξ softmax(β Ξᵀ ξ) (their eq. 3: query ξ, keys and values Ξ); energy (their eq. 2)
E = −(1/β) log Σ_μ exp(β ξ^μ·ξ) + ½ ξᵀξ + (1/β) log K + ½ M², M = max_μ ‖ξ^μ‖. The update is
a concave–convex procedure step on E, so E never increases (their Theorem 1).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp, softmax

from ..errors import require_positive, require_positive_int
from ..patterns import check_patterns
from .base import pattern_matrix_product, prepare, project
from .trajectory import Recorder, Trajectory

#: Convergence threshold on max |Δξ| over all trials and neurons.
CONVERGED = 1e-12


class ModernHopfield:
    """Continuous modern Hopfield network, one update = one attention step (Ramsauer et al. 2021).

    `patterns` (N, K) shared or (B, N, K) per trial; `beta` the inverse temperature. Stored
    patterns that are well separated are retrieved in one step; capacity is exponential in N.
    """

    def __init__(self, patterns: object, beta: float = 1.0):
        self.patterns = check_patterns(patterns)
        self.n_neurons = self.patterns.shape[-2]
        self.n_patterns = self.patterns.shape[-1]
        self.beta = require_positive("beta", beta)
        # M = max_μ ‖ξ^μ‖ per trial: () shared or (B,) per-trial patterns
        self._m_max = np.sqrt(np.max(np.sum(self.patterns**2, axis=-2), axis=-1))

    def _update(self, xi: np.ndarray, q: np.ndarray) -> np.ndarray:
        return pattern_matrix_product(xi, softmax(self.beta * project(xi, q), axis=-1))

    def _energy(self, xi: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, dict]:
        b = self.beta
        lse = -logsumexp(b * project(xi, q), axis=-1) / b
        quad = 0.5 * np.sum(q * q, axis=-1)
        const = np.log(self.n_patterns) / b + 0.5 * self._m_max**2
        return lse + quad + const, {"lse": lse, "quadratic": quad}

    def update(self, states: np.ndarray) -> np.ndarray:
        """One attention step Ξ softmax(β Ξᵀ ξ) of states (B, N) or (N,)."""
        xi, q, single = prepare(self.patterns, states)
        out = self._update(xi, q)
        return out[0] if single else out

    def energy(self, states: np.ndarray) -> np.ndarray:
        """E(ξ) of states (B, N) or (N,): (B,) or a scalar; E ≥ 0 for ±1 patterns."""
        xi, q, single = prepare(self.patterns, states)
        e, _ = self._energy(xi, q)
        return e[0] if single else e

    def run(
        self,
        cues: object,
        steps: int = 10,
        rng: np.random.Generator | None = None,
        record_every: int = 1,
    ) -> Trajectory:
        """Iterate ξ ← Ξ softmax(β Ξᵀ ξ) from ξ = cue for `steps` updates (t = update count).

        Stops early once max |Δξ| < 1e-12 over the batch; the final state is always recorded.
        Overlaps are those of the continuous state itself (a convex mixture of patterns after
        one update), `energy_terms` 'lse' and 'quadratic'. Deterministic: `rng` is unused.

        Parameters
        ----------
        cues : array_like
            (B, N) or (N,) queries ξ(0).
        steps : int
            Maximum number of updates.
        rng : numpy.random.Generator, optional
            Unused.
        record_every : int
            Record every this many updates.

        Returns
        -------
        Trajectory
        """
        del rng
        steps = require_positive_int("steps", steps)
        record_every = require_positive_int("record_every", record_every)
        xi, q, single = prepare(self.patterns, cues)
        rec = Recorder(steps, record_every)
        e, terms = self._energy(xi, q)
        rec.record(0.0, q, e, terms)
        for k in range(1, steps + 1):
            new = self._update(xi, q)
            done = np.max(np.abs(new - q)) < CONVERGED
            q = new
            if done or rec.wants(k):
                e, terms = self._energy(xi, q)
                rec.record(float(k), q, e, terms)
            if done:
                break
        return rec.trajectory(xi, q, single)
