"""Figures of capacity scans and recall protocols, for notebooks and for files.

Every ``*_figure`` function builds its figure with matplotlib's object-oriented API and returns
the :class:`matplotlib.figure.Figure`: nothing goes through pyplot, so importing this module
leaves the matplotlib backend as it was, no figure is kept alive behind your back, and a
returned figure displays in Jupyter as the cell's value. Each accepts

- ``ax=``: your own axes (one ``Axes``, or a sequence/array with one per panel), drawn into
  and left where they are; the figure title is left to you;
- ``fig=``: an existing (sub)figure that the panels are added to;
- neither: a new figure of the default size.

:func:`save_figure` writes a figure (atomically; dpi 120; format from the suffix). The
``plot_*`` functions are the file-writing forms used by the command line: build the figure,
save it, return the path. See docs/plotting.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase

from .errors import InputError
from .provenance import write_atomic

if TYPE_CHECKING:  # (for the annotations only: importing the figures needs no scipy)
    from .capacity import CapacityScan

#: resolution of saved raster figures
DPI = 120

# polynomial order n of the DAM each model is compared with (capacity ∝ N^(n−1) / ln N)
_THEORY_ORDER = {"dam2": 2, "dam3": 3, "dam4": 4, "neuron-astrocyte": 4, "neuron-astrocyte-rest": 4}


# ---- figures, axes and saving ---------------------------------------------------------------------
def root_figure(obj: Axes | FigureBase) -> Figure:
    """The top-level Figure that holds an Axes or a (sub)figure."""
    fig = obj if isinstance(obj, FigureBase) else obj.figure
    return fig if isinstance(fig, Figure) else fig.figure  # a SubFigure's .figure is its root


def panel_axes(
    shape: tuple[int, int],
    ax: Any = None,
    fig: FigureBase | None = None,
    figsize: tuple[float, float] | None = None,
    panels: str = "",
    **subplot_kw: Any,
) -> tuple[Figure, FigureBase, np.ndarray]:
    """The axes a figure function draws into, as a (rows, cols) object array.

    Parameters
    ----------
    shape
        (rows, cols) of the panels.
    ax
        None, one Axes, or a sequence/array of exactly rows·cols Axes (taken in row-major order).
    fig
        A Figure or SubFigure to add the panels to (ignored when `ax` is given, except that it
        must then hold those axes).
    figsize
        Size in inches of a new figure (when neither `ax` nor `fig` is given).
    panels
        What the panels are, for the error message on a wrong number of axes.
    **subplot_kw
        Passed to ``fig.subplots`` when the axes are made here (e.g. ``sharex=True``).

    Returns
    -------
    (Figure, FigureBase, numpy.ndarray)
        The root figure, the (sub)figure that owns the panels (where a title goes), and the axes.

    Raises
    ------
    InputError
        `ax` is not Axes, or not as many as the panels; `fig` is not a figure or does not hold `ax`.
    """
    rows, cols = shape
    n = rows * cols
    if ax is not None:
        axes = np.empty(n, dtype=object)
        if isinstance(ax, Axes):
            given = [ax]
        elif isinstance(ax, (Sequence, np.ndarray)) and not isinstance(ax, str):
            given = list(np.asarray(ax, dtype=object).ravel())
        else:
            given = None
        what = (f"{n} matplotlib Axes" if n > 1 else "one matplotlib Axes") + (f" ({panels})" if panels else "")
        if given is None:
            raise InputError("ax", what, type(ax).__name__)
        if not all(isinstance(a, Axes) for a in given):
            raise InputError("ax", what, [type(a).__name__ for a in given])
        if len(given) != n:
            raise InputError("ax", what, f"{len(given)} Axes")
        axes[:] = given
        owner = given[0].figure
        root = root_figure(given[0])
        if fig is not None and not isinstance(fig, FigureBase):
            raise InputError("fig", "a matplotlib Figure or SubFigure", type(fig).__name__)
        if fig is not None and root_figure(fig) is not root:
            raise InputError("fig", "the figure that holds the axes given as ax (or leave fig out)")
        return root, owner, axes.reshape(rows, cols)
    if fig is None:
        fig = Figure(figsize=figsize, layout="tight")
    elif not isinstance(fig, FigureBase):
        raise InputError("fig", "a matplotlib Figure or SubFigure", type(fig).__name__)
    axes = fig.subplots(rows, cols, squeeze=False, **subplot_kw)
    return root_figure(fig), fig, axes


def finish_figure(root: Figure, owner: FigureBase, given_ax: bool, title: str | None = None,
                  **title_kw: Any) -> Figure:
    """End a figure function begun with :func:`panel_axes`.

    Parameters
    ----------
    root, owner
        The root figure and the (sub)figure that :func:`panel_axes` returned.
    given_ax
        Whether the caller gave their own axes: then nothing is titled or laid out.
    title
        The (sub)figure's title (``suptitle``), or None for none.
    **title_kw
        Passed to ``suptitle`` (e.g. ``fontsize``).

    Returns
    -------
    matplotlib.figure.Figure
        `root`; a figure given as ``fig=`` without a layout engine of its own is laid out once
        (``tight_layout``).
    """
    if given_ax:
        return root
    if title:
        owner.suptitle(title, **title_kw)
    if owner is root and root.get_layout_engine() is None:
        root.tight_layout()
    return root


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write `fig` to `path` atomically (dpi 120; the format from the suffix, PNG without one)
    and return the path. The figure stays usable."""
    if not isinstance(fig, FigureBase):
        raise InputError("fig", "a matplotlib Figure", type(fig).__name__)
    path = Path(path)
    fig = root_figure(fig)
    fmt = path.suffix.lstrip(".").lower() or "png"
    formats = fig.canvas.get_supported_filetypes()
    if fmt not in formats:
        raise InputError("path", "a file name ending in one of " + ", ".join("." + f for f in sorted(formats)),
                         str(path))
    write_atomic(path, lambda p: fig.savefig(p, dpi=DPI, format=fmt))
    return path


def _cmap(name: str):
    return matplotlib.colormaps[name]


# ---- capacity scans (astrobrian capacity) ---------------------------------------------------------
def theory_lines(model: str, ns: np.ndarray, criterion: str) -> dict[str, np.ndarray]:
    """Reference capacity curves (docs/references.md#classical-hopfield-capacity,
    #dense-associative-memory) for `model` (empty when none applies).

    Parameters
    ----------
    model : str
        The sweep model's name: 'hopfield', 'dam2'–'dam4' or a neuron-astrocyte model (order 4);
        any other gets no curve.
    ns : ndarray
        Sizes N.
    criterion : str
        The recall criterion: 'exact' gives N/(2 ln N) for Hopfield, anything else 0.138 N.

    Returns
    -------
    dict
        {label: K_max at each N}.
    """
    from .abstract.dam import dam_capacity_theory, hopfield_capacity_theory  # (scipy: only when used)

    if model == "hopfield":
        if criterion == "exact":
            return {"N/(2 ln N) (exact)": hopfield_capacity_theory(ns, "exact")}
        return {"0.138 N (AGS)": hopfield_capacity_theory(ns, "tolerant")}
    if model in _THEORY_ORDER:
        n = _THEORY_ORDER[model]
        dfact = int(np.prod(np.arange(2 * n - 3, 0, -2)))
        return {f"N^{n - 1}/(2·{dfact}·ln N)": dam_capacity_theory(ns, n)}
    return {}


def capacity_figure(scans: list[CapacityScan], level: str = "0.5", ax: Any = None,
                    fig: FigureBase | None = None) -> Figure:
    """Capacity scans of one or more models, two panels.

    Left: P(success) vs K/N per N (one colour per N, one marker per model). Right: K_max vs N
    on log–log axes with the fitted slopes and the theory lines.

    Parameters
    ----------
    scans
        Results of :func:`astrobrian.capacity.capacity_scan` (same criterion and flip).
    level
        The success level of K_max in the right panel, as a key of ``CapacityScan.fits``
        (``"0.5"`` or ``"0.9"`` by default).
    ax
        Two Axes to draw into: (P vs K/N, K_max vs N).
    fig
        A figure to add the two panels to.

    Returns
    -------
    matplotlib.figure.Figure
    """
    scans = list(scans)
    if not scans:
        raise InputError("scans", "at least one CapacityScan", scans)
    if level not in scans[0].fits:
        raise InputError("level", f"one of the scans' levels {sorted(scans[0].fits)}", level)
    root, owner, axes = panel_axes((1, 2), ax, fig, (12, 4.8), "P(success) vs K/N, K_max vs N")
    ax_p, ax_k = axes[0]
    markers = "osD^v<>p"
    cmap = _cmap("viridis")
    for mi, scan in enumerate(scans):
        ns = np.array(scan.ns)
        for si, size in enumerate(scan.sizes):
            ks = np.array(sorted(size.points))
            ps = np.array([size.points[k] for k in ks])
            colour = cmap(si / max(1, len(scan.sizes) - 1))
            ax_p.plot(ks / size.n, ps, marker=markers[mi % len(markers)], ms=4, lw=1, color=colour,
                      label=f"{scan.model} N={size.n}")
        km = np.array([s.kmax[level] for s in scan.sizes])
        fit = scan.fits[level]["raw"]
        label = scan.model
        if fit["slope"] is not None:
            label += f": slope {fit['slope']:.2f} [{fit['ci95'][0]:.2f}, {fit['ci95'][1]:.2f}]"
        line = ax_k.loglog(ns[km > 0], km[km > 0], marker=markers[mi % len(markers)], lw=0, label=label)[0]
        if fit["slope"] is not None:
            ax_k.loglog(ns, np.exp(fit["intercept"]) * ns ** fit["slope"], color=line.get_color(), lw=1)
        for name, curve in theory_lines(scan.model, ns.astype(float), scan.criterion.kind).items():
            ax_k.loglog(ns, curve, ls="--", color=line.get_color(), lw=1, alpha=0.7, label=f"theory {name}")
    crit = scans[0].criterion.label()
    for lv in (0.5, 0.9):
        ax_p.axhline(lv, color="grey", lw=0.5, ls=":")
    ax_p.set_xscale("log")
    ax_p.set_xlabel("K / N (load)")
    ax_p.set_ylabel(f"P(success), {crit}")
    ax_p.set_title(f"recall from {scans[0].flip:.0%} flipped bits, {scans[0].trials} trials per point")
    ax_p.legend(fontsize=6, ncol=2)
    ax_k.set_xlabel("N (neurons)")
    ax_k.set_ylabel(f"K_max at P = {level}")
    ax_k.set_title("capacity scaling (lines: fits; dashed: theory)")
    ax_k.legend(fontsize=7)
    return finish_figure(root, owner, ax is not None)


def plot_capacity(scans: list[CapacityScan], path: str | Path, level: str = "0.5") -> Path:
    """:func:`capacity_figure` written to `path`.

    Parameters
    ----------
    scans, level
        As :func:`capacity_figure`.
    path
        The file to write (format from the suffix).

    Returns
    -------
    pathlib.Path
    """
    return save_figure(capacity_figure(scans, level), path)


# ---- recall protocols (astrobrian run) -----------------------------------------------------------
_MODEL_TITLES = {"network": "network", "abstract": "abstract model (from rest)", "dam": "quartic DAM control",
                 "hopfield": "spiking Hopfield control"}


def _time_scale(unit: str, t_end: float) -> tuple[float, str]:
    """Brian2 times in ms (s for runs of seconds, e.g. the rate rung's τ_n = 1 s); abstract in τ_n."""
    if unit != "s":
        return 1.0, "time (τ_n)"
    return (1e3, "time (ms)") if t_end < 5.0 else (1.0, "time (s)")


def recall_models(run) -> list[str]:
    """The models of a protocol run's recall figure, in panel order (network, abstract, DAM, Hopfield)."""
    return [m for m in _MODEL_TITLES if m in run.trials[0].recalls]


def recall_overlaps_figure(run, ax: Any = None, fig: FigureBase | None = None) -> Figure:
    """One panel per model of a protocol run (network, abstract, DAM, Hopfield, those present).

    Every trial's target overlap (colour per trial) and best other overlap (grey) over time,
    the cue window shaded, the threshold θ dotted.

    Parameters
    ----------
    run
        A :class:`astrobrian.results.ProtocolRun`.
    ax
        One Axes per model in :func:`recall_models` order.
    fig
        A figure to add the panels to.

    Returns
    -------
    matplotlib.figure.Figure
    """
    trials = run.trials
    models = recall_models(run)
    root, owner, axes = panel_axes((1, len(models)), ax, fig, (4.2 * len(models), 3.6),
                                   "one per model: " + ", ".join(models))
    cmap = _cmap("viridis")
    for a, m in zip(axes[0], models):
        first = trials[0].recalls[m]
        scale, label = _time_scale(first.time_unit, float(first.t[-1]))
        a.axvspan(0, first.cue_duration * scale, color="orange", alpha=0.15, lw=0, label="cue")
        for i, tr in enumerate(trials):
            rec = tr.recalls[m]
            others = np.delete(rec.overlaps, tr.target, axis=1)
            colour = cmap(i / max(1, len(trials) - 1))
            a.plot(rec.t * scale, rec.overlaps[:, tr.target], color=colour, lw=1.2,
                   label="target" if i == 0 else None)
            if others.size:
                a.plot(rec.t * scale, others.max(axis=1), color="grey", lw=0.6, alpha=0.6,
                       label="best other" if i == 0 else None)
        a.axhline(run.protocol.threshold, color="k", ls=":", lw=0.8)
        recalled = sum(tr.recalls[m].report.recalled for tr in trials)
        a.set_title(f"{_MODEL_TITLES[m]}: {recalled}/{len(trials)} recalled", fontsize=10)
        a.set_xlabel(label)
        a.set_ylim(-1.05, 1.05)
    axes[0][0].set_ylabel("overlap of the ±1 read-out")
    axes[0][0].legend(fontsize=7, loc="lower right")
    p = run.protocol
    return finish_figure(root, owner, ax is not None,
                   f"{p.name}: {p.rung} rung, N = {p.n}, K = {p.k}, {p.flips} bits flipped", fontsize=11)


def activity_models(run) -> list[str]:
    """The models of a protocol run's activity figure: the network and the Hopfield control,
    those that recorded spikes or an activity x."""
    tr = run.trials[0]
    return [m for m in ("network", "hopfield") if m in tr.recalls
            and ("spike_t" in tr.recalls[m].recordings or "x" in tr.recalls[m].recordings)]


def activity_figure(run, ax: Any = None, fig: FigureBase | None = None) -> Figure:
    """The first trial's activity: a spike raster (spiking rungs) or the rate network's x(t).

    Neurons are ordered by the target pattern (ξ = +1 on top), the cue window is shaded; one
    panel for the network and one for the Hopfield control when it recorded activity.

    Parameters
    ----------
    run
        A :class:`astrobrian.results.ProtocolRun`.
    ax
        One Axes per model in :func:`activity_models` order.
    fig
        A figure to add the panels to.

    Returns
    -------
    matplotlib.figure.Figure
    """
    tr = run.trials[0]
    panels = activity_models(run)
    if not panels:
        raise InputError("run", "a protocol run whose network recorded spikes or an activity x")
    root, owner, axes = panel_axes((1, len(panels)), ax, fig, (6 * len(panels), 4),
                                   "one per model: " + ", ".join(panels))
    order = np.argsort(-tr.patterns[:, tr.target], kind="stable")  # ξ = +1 first
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    n_up = int(np.sum(tr.patterns[:, tr.target] > 0))
    for a, m in zip(axes[0], panels):
        rec = tr.recalls[m]
        scale, label = _time_scale(rec.time_unit, float(rec.t[-1]))
        if "spike_t" in rec.recordings:
            a.plot(np.asarray(rec.recordings["spike_t"]) * scale, rank[np.asarray(rec.recordings["spike_i"], int)],
                   "|", color="k", ms=3)
            a.set_ylim(tr.patterns.shape[0] - 0.5, -0.5)
        else:
            x = rec.recordings["x"][:, order]
            lim = float(np.max(np.abs(x))) or 1.0
            a.imshow(x.T, aspect="auto", cmap="coolwarm", vmin=-lim, vmax=lim, interpolation="nearest",
                     extent=(rec.t[0] * scale, rec.t[-1] * scale, x.shape[1] - 0.5, -0.5))
        a.axvspan(0, rec.cue_duration * scale, color="orange", alpha=0.2, lw=0)
        a.axhline(n_up - 0.5, color="tab:blue", lw=0.8)
        a.set_xlabel(label)
        a.set_ylabel(f"neuron (ξ^{tr.target} = +1 above the line)")
        shown = "spikes" if "spike_t" in rec.recordings else "activity x"
        a.set_title(f"{_MODEL_TITLES[m]}, trial 0 ({shown}; cue shaded): overlap {rec.report.target_overlap:.2f}",
                    fontsize=10)
    return finish_figure(root, owner, ax is not None)


def knockout_sweep_figure(run, ax: Any = None, fig: FigureBase | None = None) -> Figure:
    """A protocol run's knockout sweep: two rows of panels, one column per knockout type.

    Top: fraction of trials recalled; bottom: target overlap (mean and every trial), both vs
    the knockout fraction, for the network and the abstract model's prediction.

    Parameters
    ----------
    run
        A :class:`astrobrian.results.ProtocolRun` whose protocol has a knockout sweep.
    ax
        2 × (number of knockout types) Axes, row-major (all the top row first), or a (2, n) array.
    fig
        A figure to add the panels to (they share x per column).

    Returns
    -------
    matplotlib.figure.Figure
    """
    sweep = run.protocol.knockouts
    if sweep is None:
        raise InputError("run", "a protocol run with a knockout sweep ([knockouts] in the protocol)")
    n = len(sweep.types)
    root, owner, axes = panel_axes((2, n), ax, fig, (4.8 * n, 6.4),
                                   f"2 rows (fraction recalled, target overlap) × {n} knockout types", sharex=True)
    fr = np.array(sweep.fractions)
    order = np.argsort(fr)
    styles = {"network": dict(color="tab:blue", marker="o", ms=9, mfc="none", ls="-", lw=2),
              "abstract": dict(color="tab:red", marker="s", ms=4, ls="--", lw=1)}
    theta = run.protocol.threshold
    for col, knockout in enumerate(sweep.types):
        for m, style in styles.items():
            ov = np.array([[tr.knockouts[(knockout, f)][m].report.target_overlap for f in sweep.fractions]
                           for tr in run.trials])
            name = "network" if m == "network" else "abstract prediction"
            axes[0][col].plot(fr[order], np.mean(ov >= theta, axis=0)[order], label=name, **style)
            axes[1][col].plot(fr[order], ov.mean(axis=0)[order], label=name, **style)
            jitter = (0.01 if m == "network" else -0.01) * np.ones(len(run.trials))[:, None]
            axes[1][col].scatter((fr[None, :] + jitter).ravel(), ov.ravel(), s=8, alpha=0.4, color=style["color"])
        axes[0][col].set_title(knockout.replace("_", " "), fontsize=10)
        axes[0][col].set_ylim(-0.05, 1.05)
        axes[0][col].set_ylabel(f"fraction recalled (m ≥ {theta:g})")
        axes[1][col].axhline(theta, color="k", ls=":", lw=0.8)
        axes[1][col].set_ylabel("target overlap")
        axes[1][col].set_xlabel("knockout fraction")
    axes[0][0].legend(fontsize=8)
    return finish_figure(root, owner, ax is not None)


def plot_recall_overlaps(run, path: str | Path) -> Path:
    """:func:`recall_overlaps_figure` written to `path`."""
    return save_figure(recall_overlaps_figure(run), path)


def plot_activity(run, path: str | Path) -> Path:
    """:func:`activity_figure` written to `path`."""
    return save_figure(activity_figure(run), path)


def plot_knockout_sweep(run, path: str | Path) -> Path:
    """:func:`knockout_sweep_figure` written to `path`."""
    return save_figure(knockout_sweep_figure(run), path)


def plot_protocol_run(run, out: str | Path) -> dict[str, Path]:
    """The figures of a protocol run in `out`: overlaps.png, raster.png (spiking) or
    activity.png (rate), knockouts.png (with a sweep)."""
    out = Path(out)
    paths = {"overlaps": plot_recall_overlaps(run, out / "overlaps.png")}
    spikes = any("spike_t" in r.recordings for r in run.trials[0].recalls.values())
    paths["raster" if spikes else "activity"] = plot_activity(run, out / ("raster.png" if spikes else "activity.png"))
    if run.protocol.knockouts is not None:
        paths["knockouts"] = plot_knockout_sweep(run, out / "knockouts.png")
    return paths


__all__ = [
    "DPI", "save_figure", "panel_axes", "finish_figure", "root_figure", "theory_lines",
    "capacity_figure", "recall_overlaps_figure", "activity_figure", "knockout_sweep_figure",
    "recall_models", "activity_models",
    "plot_capacity", "plot_recall_overlaps", "plot_activity", "plot_knockout_sweep", "plot_protocol_run",
]
