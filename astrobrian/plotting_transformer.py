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
    the key norm (and D), and one read phase: the distance of x(t) to its fixed point against
    e^{−t/τ_n}, the drift of the conserved Σp, and the processes' measured synchronisation rate.
    With a continuum (six panels): K_max of both architectures and the transformer's attention
    error against the weight of the uniform coupling.
    """
    continuum = summary.get("continuum") or {}
    shape = (2, 3) if continuum else (2, 2)
    root, owner, axes = panel_axes(shape, ax, fig, figsize=(15, 8) if continuum else (10, 8),
                                   panels="vs M, vs L, vs key norm, dynamics" + (", two continuum panels"
                                                                                  if continuum else ""))
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
    a = axes[0, 2] if continuum else axes[1, 0]
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
    a = axes[1, 0] if continuum else axes[1, 1]
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
    if continuum:
        _continuum_panels(axes[1, 1], axes[1, 2], continuum)
    return finish_figure(root, owner, ax is not None,
                         f"neuron–astrocyte transformer vs softmax attention (D = {s['D']}, N = {s['N']}, "
                         f"{s['features']} random features)")


def _continuum_panels(a, b, c: dict) -> None:
    """K_max of both architectures, and the transformer's attention error, against the uniform weight w."""
    rows = c["rows"]
    w = np.array([r["uniform"] for r in rows])
    for key, label, marker in (("dam_kmax", "DAM architecture (neuron–astrocyte, from rest)", "o-"),
                               ("transformer_kmax", f"transformer as a memory (M = {c['M']}, |k| = {c['key_norm']:g})",
                                "s-")):
        k = np.array([r[key] for r in rows], float)
        a.plot(w, np.where(k > 0, k, np.nan), marker, label=label)
        zero = k <= 0
        a.plot(w[zero], np.full(zero.sum(), 0.7), "x", color=a.lines[-1].get_color(), ms=8)
    a.set_yscale("log")
    a.set_ylim(0.5, None)
    a.set_xlabel("weight w of the uniform coupling (0: Hebbian tensor, 1: uniform)")
    a.set_ylabel(f"K_max (P = 0.5, overlap ≥ 0.9), N = {c['N']}; × = 0")
    a.set_title("the continuum: recall capacity", fontsize=9)
    a.legend(fontsize=8)
    a.grid(True, which="both", alpha=0.3)
    err = np.array([np.nan if r["attention_error"] is None else r["attention_error"] for r in rows])
    b.semilogy(w, err, "o-", label="transformer: error vs softmax attention")
    b.set_xlabel("weight w of the uniform coupling")
    b.set_ylabel("‖x − softmax‖ / ‖softmax‖ (stable reads)")
    twin = b.twinx()
    twin.plot(w, [r["stable_fraction"] for r in rows], "k--", label="reads with a stable fixed point")
    twin.set_ylim(-0.05, 1.05)
    twin.set_ylabel("fraction of reads with p* > 0")
    pt = c["attention_point"]
    b.set_title(f"the continuum: attention (M = {pt['M']}, L = {pt['L']}, |k| = {pt['key_norm']:g})", fontsize=9)
    lines = b.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    b.legend(lines[0] + extra[0], lines[1] + extra[1], fontsize=8, loc="center left")
    b.grid(True, which="both", alpha=0.3)


def plot_transformer(summary: dict, path: str | Path) -> Path:
    """:func:`transformer_figure` written to `path`."""
    return save_figure(transformer_figure(summary), path)


__all__ = ["transformer_figure", "plot_transformer"]
