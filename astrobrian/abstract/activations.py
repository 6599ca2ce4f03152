"""Activations as gradients of convex Lagrangians (Krotov–Hopfield energy formalism).

φ(z) = tanh(βz) = ∂L/∂z with L(z) = (1/β) log cosh(βz); the energy uses the Legendre
term z·φ(z) − L(z) ≥ 0, computed stably for large |βz|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def log_cosh(u: np.ndarray) -> np.ndarray:
    """log cosh(u), stable for large |u| (|u| + log1p(e^{-2|u|}) − log 2)."""
    a = np.abs(u)
    return a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0)


@dataclass(frozen=True)
class TanhActivation:
    """φ(z) = tanh(βz), Lagrangian L(z) = (1/β) log cosh(βz); β is the gain."""

    beta: float = 1.0

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(self.beta * z)

    def lagrangian(self, z: np.ndarray) -> np.ndarray:
        return log_cosh(self.beta * z) / self.beta

    def legendre(self, z: np.ndarray) -> np.ndarray:
        """z φ(z) − L(z): the per-unit 'self' energy term, ≥ 0 and convex-dual to L."""
        return z * self(z) - self.lagrangian(z)

    def inverse(self, y: np.ndarray) -> np.ndarray:
        """z with φ(z) = y (|y| < 1), used by the reference initialisation."""
        return np.arctanh(y) / self.beta
