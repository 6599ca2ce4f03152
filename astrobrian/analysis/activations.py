"""Effective activations (docs/analysis.md#effective-activations): fit the transfer curves a
network actually implements.

From a network's own recordings (state z, output y) — neuron rate vs input, synaptic efficacy
vs synapse state, process output vs Ca²⁺ — fit y = A·tanh(β (z − z₀)) + y₀ by least squares
(SciPy) and report the effective gain β, the fit's residual, and how far the curve is from the
abstract model's tanh(β z) (residual of the best pure tanh, A = 1, z₀ = y₀ = 0).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class ActivationFit:
    """y ≈ amplitude·tanh(beta·(z − z0)) + offset, with RMS residuals of this fit and of the
    best pure tanh(β' z) (the abstract model's form), and Spearman's ρ (monotonicity)."""

    name: str
    beta: float
    amplitude: float
    z0: float
    offset: float
    rms: float
    tanh_beta: float
    tanh_rms: float
    monotonicity: float
    samples: int

    def describe(self) -> dict:
        return asdict(self)


def _samples(z: object, y: object, name: str, max_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(z, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if z.shape != y.shape or z.size < 5:
        raise InputError(f"{name} samples", "two arrays of the same size with at least 5 values",
                         f"{z.size} and {y.size}")
    keep = np.isfinite(z) & np.isfinite(y)
    if keep.sum() < 5:
        raise InputError(f"{name} samples", "at least 5 finite (state, output) pairs", int(keep.sum()))
    z, y = z[keep], y[keep]
    if z.size > max_samples:  # a seeded subsample: fits of 10⁶ synapse samples stay fast
        idx = np.random.default_rng(seed).choice(z.size, max_samples, replace=False)
        z, y = z[idx], y[idx]
    if np.ptp(z) == 0:
        raise InputError(f"{name} samples", "states that vary (a constant state has no transfer curve)", z[0])
    return z, y


def fit_activation(z: object, y: object, name: str = "activation", max_samples: int = 20000,
                   seed: int = 0) -> ActivationFit:
    """Fit the transfer curve y(z) of one population from paired samples.

    Parameters
    ----------
    z, y : array_like
        States and outputs, any shapes of the same size (flattened); non-finite pairs dropped.
    name : str
        Names the population in the result and in errors.
    max_samples : int
        Above this many pairs a seeded random subsample is fitted.
    seed : int
        Seed of the subsample.

    Returns
    -------
    ActivationFit
        The fit of A·tanh(β(z − z₀)) + y₀, the best pure tanh(β′z) and their residuals.
    """
    from scipy.optimize import OptimizeWarning, curve_fit
    from scipy.stats import spearmanr

    z, y = _samples(z, y, name, max_samples, seed)
    scale = float(np.std(z)) or 1.0

    def model(v, beta, amp, z0, off):
        return amp * np.tanh(beta * (v - z0)) + off

    amp0 = float(np.ptp(y)) / 2 or 1.0
    p0 = (1.0 / scale, amp0, float(np.median(z)), float(np.mean(y)))
    with warnings.catch_warnings():  # an ill-determined covariance is expected (and unused) on saturated data
        warnings.simplefilter("ignore", OptimizeWarning)
        (beta, amp, z0, off), _ = curve_fit(model, z, y, p0=p0, maxfev=20000)
        (tb,), _ = curve_fit(lambda v, b: np.tanh(b * v), z, y, p0=(abs(beta) or 1.0,), maxfev=20000)
    if amp < 0:  # the same curve with a positive amplitude
        beta, amp = -beta, -amp
    rms = float(np.sqrt(np.mean((model(z, beta, amp, z0, off) - y) ** 2)))
    tanh_rms = float(np.sqrt(np.mean((np.tanh(tb * z) - y) ** 2)))
    rho = spearmanr(z, y).statistic if np.ptp(y) > 0 else 0.0
    return ActivationFit(name, float(beta), float(amp), float(z0), float(off), rms, float(tb), tanh_rms,
                         float(rho), int(z.size))
