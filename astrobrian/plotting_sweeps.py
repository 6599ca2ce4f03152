"""Figures of capacity sweeps (capacity scaling across models, knockout capacity) and of the
analysis of recalls (effective activations, energy along recalls).

Like :mod:`astrobrian.plotting`: each ``*_figure`` function returns a
:class:`matplotlib.figure.Figure`, takes ``ax=`` (your own axes, one per panel) or ``fig=`` (a
figure to add the panels to), and needs no pyplot or backend; each ``plot_*`` function is the
file-writing form (build, :func:`astrobrian.plotting.save_figure`, return the path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure, FigureBase

from .errors import InputError
from .plotting import finish_figure, panel_axes, save_figure

_MARKERS = "osD^v<>p*h"


def model_level(model: dict) -> str:
    """A sweep summary model's level, 'network' or 'abstract' (the key 'level', formerly 'kind')."""
    return model.get("level", model.get("kind"))


def _first_level(summary: dict) -> str:
    return f"{summary['levels'][0]:g}"


_UNIT_LABELS = {"astrocyte": "N + 2N²", "astrocyte-no-autapses": "N + 2N(N−1)", "pairwise": "N + N(N−1)"}


def capacity_scaling_figure(summary: dict, ax: Any = None, fig: FigureBase | None = None) -> Figure:
    """A capacity_scaling sweep's summary, four panels.

    K_max vs N (log–log, the fits with slopes and 95 % CIs over all sizes and over the upper
    half, at the first P level; open markers: exact recall when the sweep read it too); K_max/N²
    vs N (flat: the N² ceiling of a pairwise-like memory; rising: faster than N²); memories per
    compute unit vs N; P(recall) vs K/N of every model at its largest N. The figure title gives
    the verdict, when the summary has one.

    Parameters
    ----------
    summary
        ``SweepRun.summary()`` of a capacity_scaling sweep (the "summary" of its results.json).
    ax
        Four Axes: (K_max vs N, K_max/N² vs N, memories per unit vs N, P vs K/N).
    fig
        A figure to add the four panels to.

    Returns
    -------
    matplotlib.figure.Figure
    """
    level = _first_level(summary)
    root, owner, axes = panel_axes((1, 4), ax, fig, (21, 4.8),
                                   "K_max vs N, K_max/N² vs N, memories per compute unit vs N, P(recall) vs K/N")
    ax_k, ax_r, ax_u, ax_p = axes[0]
    exact = summary.get("criteria", {}).get("exact")
    for i, (name, model) in enumerate(summary["models"].items()):
        ns = np.array([s["N"] for s in model["sizes"]], dtype=float)
        km = np.array([s["kmax"][level] for s in model["sizes"]], dtype=float)
        fit = summary["fits"][name][level]
        mk = _MARKERS[i % len(_MARKERS)]
        label = name
        if fit["kmax"]["slope"] is not None:
            ci = fit["kmax"]["ci95"]
            label += f": slope {fit['kmax']['slope']:.2f}"
            if np.all(np.isfinite(ci)):
                label += f" [{ci[0]:.2f}, {ci[1]:.2f}]"
        upper = fit.get("upper", {}).get("kmax", {})
        if upper.get("slope") is not None and len(fit["upper"]["N"]) < len(ns):
            label += f"; upper half {upper['slope']:.2f}"
        pos = km > 0
        line = ax_k.loglog(ns[pos], km[pos], marker=mk, lw=0, label=label)[0]
        color = line.get_color()
        if fit["kmax"]["slope"] is not None:
            ax_k.loglog(ns, np.exp(fit["kmax"]["intercept"]) * ns ** fit["kmax"]["slope"], color=color, lw=1)
        if exact is not None and name in exact["fits"]:
            ke = np.array([s["exact"]["kmax"][level] for s in model["sizes"]], dtype=float)
            ax_k.loglog(ns[ke > 0], ke[ke > 0], marker=mk, lw=0.6, ls="--", color=color, mfc="none")
        ax_r.semilogx(ns[pos], km[pos] / ns[pos] ** 2, marker=mk, color=color, label=name)
        per_unit = np.array(fit["memories_per_unit"])
        ax_u.loglog(ns[pos], per_unit[pos], marker=mk, color=color,
                    label=f"{name} ({_UNIT_LABELS.get(model['units'], model['units'])}): {fit['per_unit_trend']}")
        last = model["sizes"][-1]
        ks = np.array([pt["K"] for pt in last["points"]], dtype=float)
        ps = np.array([pt["P"] for pt in last["points"]])
        order = np.argsort(ks)
        ax_p.semilogx(ks[order] / last["N"], ps[order], marker=mk, color=color, label=f"{name}, N = {last['N']}")
    ax_k.set_xlabel("N (neurons)")
    ax_k.set_ylabel(f"K_max at P = {level}")
    title = f"capacity ({summary['criterion']}; lines: log–log fits" + ("; open: exact recall)" if exact else ")")
    ax_k.set_title(title, fontsize=10)
    ax_k.legend(fontsize=6)
    ax_r.set_xlabel("N (neurons)")
    ax_r.set_ylabel("K_max / N²")
    ax_r.set_yscale("log")
    ax_r.set_title("K_max/N²: flat = an N² ceiling, rising = faster than N²", fontsize=10)
    ax_r.legend(fontsize=7)
    ax_u.set_xlabel("N (neurons)")
    ax_u.set_ylabel("K_max / compute units")
    ax_u.set_title("memories per compute unit (neurons + synapses + processes)", fontsize=10)
    ax_u.legend(fontsize=7)
    for lv in summary["levels"]:
        ax_p.axhline(lv, color="grey", lw=0.5, ls=":")
    ax_p.set_xlabel("K / N (load)")
    ax_p.set_ylabel("P(recall)")
    ax_p.set_title(f"P(recall) at the largest N, {summary['trials']} trials per point", fontsize=10)
    ax_p.legend(fontsize=7)
    title = None
    verdict = summary.get("verdict")
    if verdict:
        word = {True: "survives", False: "does not survive", None: "undecided"}[verdict["survives"]]
        over = f" over N = {', '.join(map(str, verdict['N']))}" if verdict.get("N") else ""
        title = f"capacity scaling {word}: {verdict['rule']}{over} ({verdict['reason']})"
    return finish_figure(root, owner, ax is not None, title, fontsize=10)


def knockout_capacity_figure(summary: dict, ax: Any = None, fig: FigureBase | None = None) -> Figure:
    """A knockout_capacity sweep's summary: K_max vs knockout fraction, one panel per knockout
    type, every model (network level solid, abstract dashed), at the first P level.

    Parameters
    ----------
    summary
        ``SweepRun.summary()`` of a knockout_capacity sweep.
    ax
        One Axes per knockout type, in the summary's order.
    fig
        A figure to add the panels to.

    Returns
    -------
    matplotlib.figure.Figure
    """
    level = _first_level(summary)
    knockouts = list(summary["knockouts"])
    root, owner, axes = panel_axes((1, len(knockouts)), ax, fig, (4.8 * len(knockouts), 4),
                                   "one per knockout type: " + ", ".join(knockouts))
    for a, knockout in zip(axes[0], knockouts):
        table = summary["knockouts"][knockout]
        for i, (name, model) in enumerate(summary["models"].items()):
            style = "-" if model_level(model) == "network" else "--"
            a.plot(table["fractions"], table[name][level], ls=style, marker=_MARKERS[i % len(_MARKERS)], label=name)
        a.set_title(knockout.replace("_", " "), fontsize=10)
        a.set_xlabel("knockout fraction")
        a.set_ylabel(f"K_max at P = {level}")
        a.set_ylim(bottom=0)
    axes[0][0].legend(fontsize=8)
    return finish_figure(root, owner, ax is not None,
                         f"knockout capacity, N = {summary['N']}, {summary['flips']} bits flipped, "
                         f"{summary['criterion']}", fontsize=10)


def plot_capacity_scaling(summary: dict, path: str | Path) -> Path:
    """:func:`capacity_scaling_figure` written to `path`."""
    return save_figure(capacity_scaling_figure(summary), path)


def plot_knockout_capacity(summary: dict, path: str | Path) -> Path:
    """:func:`knockout_capacity_figure` written to `path`."""
    return save_figure(knockout_capacity_figure(summary), path)


# ---- analysis figures (docs/analysis.md) ----------------------------------------------------------------
_ACTIVATION_LABELS = {"phi": ("recurrent input a Σ g φ", "φ (rate mapped to [−1, 1])"),
                      "g": ("synapse state s", "efficacy g"), "psi": ("process drive g + Tψ", "process output ψ")}


def activation_fits_figure(samples: dict[str, tuple[np.ndarray, np.ndarray]], fits: dict, title: str | None = None,
                           max_points: int = 4000, ax: Any = None, fig: FigureBase | None = None) -> Figure:
    """One panel per transfer curve (φ, g, ψ): recorded (state, output) samples, the fitted
    A·tanh(β(z − z0)) + y0 and the best pure tanh(β'z), with β and residuals.

    Parameters
    ----------
    samples
        {curve: (states, outputs)} as ``RecallAnalysis.samples`` (pooled over recalls or not).
    fits
        {curve: TransferFit} from :func:`astrobrian.analysis.report.fit_transfers`; one panel each.
    title
        The figure title (not drawn when `ax` is given).
    max_points
        At most this many samples drawn per panel (a fixed random subset).
    ax
        One Axes per entry of `fits`, in its order.
    fig
        A figure to add the panels to.

    Returns
    -------
    matplotlib.figure.Figure
    """
    max_points = int(max_points)
    if max_points < 1:
        raise InputError("max_points", "an integer ≥ 1", max_points)
    root, owner, axes = panel_axes((1, len(fits)), ax, fig, (4.6 * len(fits), 3.8),
                                   "one per transfer curve: " + ", ".join(fits))
    rng = np.random.default_rng(0)
    for a, (name, fit) in zip(axes[0], fits.items()):
        z, y = (np.asarray(v).ravel() for v in samples[name])
        if z.size > max_points:
            pick = rng.choice(z.size, max_points, replace=False)
            z, y = z[pick], y[pick]
        a.plot(z, y, ".", ms=2, alpha=0.3, color="grey")
        grid = np.linspace(z.min(), z.max(), 200)
        a.plot(grid, fit.amplitude * np.tanh(fit.beta * (grid - fit.z0)) + fit.offset, color="tab:blue",
               label=f"fit: β = {fit.beta:.2f}, rms {fit.rms:.3f}")
        a.plot(grid, np.tanh(fit.tanh_beta * grid), color="tab:red", ls="--",
               label=f"tanh(β'z): β' = {fit.tanh_beta:.2f}, rms {fit.tanh_rms:.3f}")
        xlabel, ylabel = _ACTIVATION_LABELS.get(name, (f"{name}: state", f"{name}: output"))
        a.set_xlabel(xlabel)
        a.set_ylabel(ylabel)
        a.legend(fontsize=7)
    return finish_figure(root, owner, ax is not None, title, fontsize=10)


def energy_traces_figure(analyses: list, title: str | None = None, ax: Any = None,
                         fig: FigureBase | None = None) -> Figure:
    """The model's energy (docs/models.md#energy) along recalls, two panels.

    Left: the energy on the network's mapped state, E(t) − E(cue release); right: the abstract
    model's E(t) from the same cue. Recalls solid, failures dashed; the cue shaded.

    Parameters
    ----------
    analyses
        ``RecallAnalysis`` objects from :func:`astrobrian.analysis.report.analyse_recall`.
    title
        The figure title (not drawn when `ax` is given).
    ax
        Two Axes: (network, abstract model).
    fig
        A figure to add the two panels to.

    Returns
    -------
    matplotlib.figure.Figure
    """
    analyses = list(analyses)
    if not analyses:
        raise InputError("analyses", "at least one recall analysis", analyses)
    root, owner, axes = panel_axes((1, 2), ax, fig, (11, 4), "network energy, abstract model energy")
    ax_n, ax_a = axes[0]
    cmap = matplotlib.colormaps["tab10"]
    for i, a in enumerate(analyses):
        tr = a.energy
        rel = tr.t >= tr.t_release
        e0 = tr.energy[rel][0]
        style = "-" if a.recalled else "--"
        frac = tr.summary["energy"]["fraction_non_increasing"]
        ax_n.plot(tr.t * 1e3, tr.energy - e0, ls=style, color=cmap(i % 10),
                  label=f"K={a.k} seed {a.seed}: m={a.target_overlap:.2f}, dE≤0 in {frac:.0%}")
        ax_a.plot(a.abstract_t, a.abstract_energy, ls="-" if a.abstract_recalled else "--", color=cmap(i % 10))
    ax_n.axvspan(0, analyses[0].energy.t_release * 1e3, color="orange", alpha=0.15, lw=0)
    ax_a.axvspan(0, 2.0, color="orange", alpha=0.15, lw=0)
    ax_n.set_xlabel("time (ms)")
    ax_n.set_ylabel("E(t) − E(cue release), mapped network state")
    ax_n.set_title("network (solid: recalled, dashed: failed)", fontsize=10)
    ax_n.legend(fontsize=6)
    ax_a.set_xlabel("time (τ_n)")
    ax_a.set_ylabel("E(t), abstract model (rest scaling, from rest)")
    ax_a.set_title("abstract model, same cue (solid: recalled)", fontsize=10)
    return finish_figure(root, owner, ax is not None, title, fontsize=10)


def plot_activation_fits(samples: dict[str, tuple[np.ndarray, np.ndarray]], fits: dict, title: str,
                         path: str | Path, max_points: int = 4000) -> Path:
    """:func:`activation_fits_figure` written to `path`.

    Parameters
    ----------
    samples, fits, title, max_points
        As :func:`activation_fits_figure`.
    path
        The file to write (format from the suffix).

    Returns
    -------
    pathlib.Path
    """
    return save_figure(activation_fits_figure(samples, fits, title, max_points), path)


def plot_energy_traces(analyses: list, title: str, path: str | Path) -> Path:
    """:func:`energy_traces_figure` written to `path`.

    Parameters
    ----------
    analyses, title
        As :func:`energy_traces_figure`.
    path
        The file to write (format from the suffix).

    Returns
    -------
    pathlib.Path
    """
    return save_figure(energy_traces_figure(analyses, title), path)


__all__ = [
    "capacity_scaling_figure", "knockout_capacity_figure", "activation_fits_figure", "energy_traces_figure",
    "plot_capacity_scaling", "plot_knockout_capacity", "plot_activation_fits", "plot_energy_traces", "model_level",
]
