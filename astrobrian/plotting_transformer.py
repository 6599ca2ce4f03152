"""Figures of the transformer protocol (docs/transformer.md): attention error against softmax
attention vs the number of random features M, the sequence length L and the key norm, and one
read phase's dynamics.

Like :mod:`astrobrian.plotting`: ``transformer_figure`` returns a Figure, takes ``ax=`` (four
axes) or ``fig=``, and needs no pyplot; ``plot_transformer`` writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure, FigureBase

from .plotting import finish_figure, panel_axes, save_figure


def _errors(ax, points: list[dict], key: str, label: str) -> None:
    x = np.array([p[key] for p in points], float)
    y = np.array([p["error"] for p in points])
    sd = np.array([p["error_sd"] for p in points])
    ax.errorbar(x, y, yerr=sd, fmt="o-", capsize=3, label="network (mean ± sd over feature draws)")
    ax.set_xlabel(label)
    ax.set_ylabel("‖x − softmax‖ / ‖softmax‖")
    ax.grid(True, which="both", alpha=0.3)


def transformer_figure(summary: dict, ax: Any = None, fig: FigureBase | None = None) -> Figure:
    """A transformer run's summary, four panels.

    Error vs M (log–log, with the fitted slope and a 1/√M line through the largest M), vs L, vs
    the key norm, and one read phase: the distance of x(t) to its fixed point against e^{−t/τ_n},
    the drift of the conserved Σp, and the processes' measured synchronisation rate.
    """
    root, owner, axes = panel_axes((2, 2), ax, fig, figsize=(10, 8), panels="vs M, vs L, vs key norm, dynamics")
    s = summary["settings"]
    sweeps = summary["sweeps"]
    a = axes[0, 0]
    _errors(a, sweeps["M"], "M", "random features M (input neurons)")
    ms = np.array([p["M"] for p in sweeps["M"]], float)
    last = sweeps["M"][-1]
    a.plot(ms, last["error"] * np.sqrt(last["M"] / ms), "k--", label="∝ 1/√M")
    fit = sweeps["root_m_fit"]
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_title(f"L = {s['L']}, |k| = {s['key_norm']:g}: slope {fit['slope']:.2f} "
                f"[{fit['ci95'][0]:.2f}, {fit['ci95'][1]:.2f}]", fontsize=9)
    a.legend(fontsize=8)
    a = axes[0, 1]
    _errors(a, sweeps["L"], "L", "sequence length L (tokens written)")
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_title(f"M = {s['M']}, |k| = {s['key_norm']:g}", fontsize=9)
    a = axes[1, 0]
    _errors(a, sweeps["key_norm"], "key_norm", "key and query norm |k| = |q|")
    a.set_yscale("log")
    a.set_title(f"M = {s['M']}, L = {s['L']}, D = {s['D']} (the features' variance grows as e^(|q+k|²))",
                fontsize=9)
    if sweeps.get("D"):
        twin = a.twiny()
        d = np.array([p["D"] for p in sweeps["D"]], float)
        twin.errorbar(d, [p["error"] for p in sweeps["D"]], yerr=[p["error_sd"] for p in sweeps["D"]], fmt="s--",
                      color="tab:red", capsize=3, ms=4)
        twin.set_xscale("log", base=2)
        twin.set_xlabel(f"key dimension D (red squares; |k| = {s['key_norm']:g})", color="tab:red")
    a = axes[1, 1]
    dyn = summary["dynamics"]
    t = np.asarray(dyn["t"])
    dist = np.asarray(dyn["distance_to_fixed_point"])
    a.semilogy(t, dist / dist[0], label="‖x(t) − x*‖ (relative)")
    a.semilogy(t, np.exp(-t), "k:", label="e^(−t/τ_n)")
    drift = np.maximum(np.asarray(dyn["p_total_drift"]), 1e-17)
    a.semilogy(t, drift, ".", ms=3, label="|Σp(t) − Σp(0)| / Σp(0) (floored at 1e-17)")
    a.set_ylim(1e-18, 2)
    a.text(0.03, 0.03, f"processes synchronise at {dyn['measured_synchronisation_rate']:.6g} /τ_n "
           f"(2NM/τ_p = {dyn['synchronisation_rate']:g})", transform=a.transAxes, fontsize=8)
    a.set_xlabel("read time (τ_n)")
    a.set_title("one read: x settles on linear attention; Σp is conserved", fontsize=9)
    a.legend(fontsize=8)
    a.grid(True, alpha=0.3)
    return finish_figure(root, owner, ax is not None,
                         f"neuron–astrocyte transformer vs softmax attention (D = {s['D']}, N = {s['N']}, "
                         f"{s['features']} random features)")


def plot_transformer(summary: dict, path: str | Path) -> Path:
    """:func:`transformer_figure` written to `path`."""
    return save_figure(transformer_figure(summary), path)


__all__ = ["transformer_figure", "plot_transformer"]
