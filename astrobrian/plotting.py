"""Figures for capacity scans (matplotlib, Agg backend; written atomically)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .abstract.dam import dam_capacity_theory, hopfield_capacity_theory  # noqa: E402
from .capacity import CapacityScan  # noqa: E402
from .provenance import write_atomic  # noqa: E402

# polynomial order n of the DAM each model is compared with (capacity ∝ N^(n−1) / ln N)
_THEORY_ORDER = {"dam2": 2, "dam3": 3, "dam4": 4, "neuron-astrocyte": 4, "neuron-astrocyte-rest": 4}


def theory_lines(model: str, ns: np.ndarray, criterion: str) -> dict[str, np.ndarray]:
    """Reference capacity curves from anchors.md for `model` (empty when none applies)."""
    if model == "hopfield":
        if criterion == "exact":
            return {"N/(2 ln N) (exact)": hopfield_capacity_theory(ns, "exact")}
        return {"0.138 N (AGS)": hopfield_capacity_theory(ns, "tolerant")}
    if model in _THEORY_ORDER:
        n = _THEORY_ORDER[model]
        dfact = int(np.prod(np.arange(2 * n - 3, 0, -2)))
        return {f"N^{n - 1}/(2·{dfact}·ln N)": dam_capacity_theory(ns, n)}
    return {}


def plot_capacity(scans: list[CapacityScan], path: str | Path, level: str = "0.5") -> Path:
    """Left: P(success) vs K/N per N (one colour per N, one marker per model).
    Right: K_max vs N on log–log axes with fitted slopes and the theory lines."""
    fig, (ax_p, ax_k) = plt.subplots(1, 2, figsize=(12, 4.8))
    markers = "osD^v<>p"
    cmap = plt.get_cmap("viridis")
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
    fig.tight_layout()
    path = Path(path)
    try:
        write_atomic(path, lambda p: fig.savefig(p, dpi=120, format=path.suffix.lstrip(".") or "png"))
    finally:
        plt.close(fig)
    return path


# ---- recall protocols (astrobrian run) -----------------------------------------------------------
_MODEL_TITLES = {"network": "network", "abstract": "abstract model (from rest)", "dam": "quartic DAM control",
                 "hopfield": "spiking Hopfield control"}


def _save(fig, path: Path) -> Path:
    try:
        write_atomic(path, lambda p: fig.savefig(p, dpi=120, format=path.suffix.lstrip(".") or "png"))
    finally:
        plt.close(fig)
    return path


def _time_scale(unit: str, t_end: float) -> tuple[float, str]:
    """Brian2 times in ms (s for runs of seconds, e.g. the rate rung's τ_n = 1 s); abstract in τ_n."""
    if unit != "s":
        return 1.0, "time (τ_n)"
    return (1e3, "time (ms)") if t_end < 5.0 else (1.0, "time (s)")


def plot_recall_overlaps(run, path: str | Path) -> Path:
    """One panel per model (network, abstract, DAM, Hopfield): every trial's target overlap
    (colour per trial) and best other overlap (grey), the cue window shaded, θ dotted."""
    trials = run.trials
    models = [m for m in _MODEL_TITLES if m in trials[0].recalls]
    fig, axes = plt.subplots(1, len(models), figsize=(4.2 * len(models), 3.6), squeeze=False)
    cmap = plt.get_cmap("viridis")
    for ax, m in zip(axes[0], models):
        first = trials[0].recalls[m]
        scale, label = _time_scale(first.time_unit, float(first.t[-1]))
        ax.axvspan(0, first.cue_duration * scale, color="orange", alpha=0.15, lw=0, label="cue")
        for i, tr in enumerate(trials):
            rec = tr.recalls[m]
            others = np.delete(rec.overlaps, tr.target, axis=1)
            colour = cmap(i / max(1, len(trials) - 1))
            ax.plot(rec.t * scale, rec.overlaps[:, tr.target], color=colour, lw=1.2,
                    label="target" if i == 0 else None)
            if others.size:
                ax.plot(rec.t * scale, others.max(axis=1), color="grey", lw=0.6, alpha=0.6,
                        label="best other" if i == 0 else None)
        ax.axhline(run.protocol.threshold, color="k", ls=":", lw=0.8)
        recalled = sum(tr.recalls[m].report.recalled for tr in trials)
        ax.set_title(f"{_MODEL_TITLES[m]}: {recalled}/{len(trials)} recalled", fontsize=10)
        ax.set_xlabel(label)
        ax.set_ylim(-1.05, 1.05)
    axes[0][0].set_ylabel("overlap of the ±1 read-out")
    axes[0][0].legend(fontsize=7, loc="lower right")
    p = run.protocol
    fig.suptitle(f"{p.name}: {p.rung} rung, N = {p.n}, K = {p.k}, {p.flips} bits flipped", fontsize=11)
    fig.tight_layout()
    return _save(fig, Path(path))


def plot_activity(run, path: str | Path) -> Path:
    """First trial: spike raster of the network (and the Hopfield control when it spikes), or the
    rate network's activity x(t); neurons ordered by the target pattern (ξ = +1 on top), cue
    window shaded."""
    tr = run.trials[0]
    panels = [m for m in ("network", "hopfield") if m in tr.recalls
              and ("spike_t" in tr.recalls[m].recordings or "x" in tr.recalls[m].recordings)]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4), squeeze=False)
    order = np.argsort(-tr.patterns[:, tr.target], kind="stable")  # ξ = +1 first
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    n_up = int(np.sum(tr.patterns[:, tr.target] > 0))
    for ax, m in zip(axes[0], panels):
        rec = tr.recalls[m]
        scale, label = _time_scale(rec.time_unit, float(rec.t[-1]))
        if "spike_t" in rec.recordings:
            ax.plot(np.asarray(rec.recordings["spike_t"]) * scale, rank[np.asarray(rec.recordings["spike_i"], int)],
                    "|", color="k", ms=3)
            ax.set_ylim(tr.patterns.shape[0] - 0.5, -0.5)
        else:
            x = rec.recordings["x"][:, order]
            lim = float(np.max(np.abs(x))) or 1.0
            ax.imshow(x.T, aspect="auto", cmap="coolwarm", vmin=-lim, vmax=lim, interpolation="nearest",
                      extent=(rec.t[0] * scale, rec.t[-1] * scale, x.shape[1] - 0.5, -0.5))
        ax.axvspan(0, rec.cue_duration * scale, color="orange", alpha=0.2, lw=0)
        ax.axhline(n_up - 0.5, color="tab:blue", lw=0.8)
        ax.set_xlabel(label)
        ax.set_ylabel(f"neuron (ξ^{tr.target} = +1 above the line)")
        kind = "spikes" if "spike_t" in rec.recordings else "activity x"
        ax.set_title(f"{_MODEL_TITLES[m]}, trial 0 ({kind}; cue shaded): overlap {rec.report.target_overlap:.2f}",
                     fontsize=10)
    fig.tight_layout()
    return _save(fig, Path(path))


def plot_knockout_sweep(run, path: str | Path) -> Path:
    """Per knockout type: fraction of trials recalled and target overlap (mean and trials) vs the
    knockout fraction, for the network and the abstract model's prediction."""
    sweep = run.protocol.knockouts
    fig, axes = plt.subplots(2, len(sweep.types), figsize=(4.8 * len(sweep.types), 6.4), squeeze=False, sharex=True)
    fr = np.array(sweep.fractions)
    order = np.argsort(fr)
    styles = {"network": dict(color="tab:blue", marker="o", ms=9, mfc="none", ls="-", lw=2),
              "abstract": dict(color="tab:red", marker="s", ms=4, ls="--", lw=1)}
    theta = run.protocol.threshold
    for col, kind in enumerate(sweep.types):
        for m, style in styles.items():
            ov = np.array([[tr.knockouts[(kind, f)][m].report.target_overlap for f in sweep.fractions]
                           for tr in run.trials])
            name = "network" if m == "network" else "abstract prediction"
            axes[0][col].plot(fr[order], np.mean(ov >= theta, axis=0)[order], label=name, **style)
            axes[1][col].plot(fr[order], ov.mean(axis=0)[order], label=name, **style)
            jitter = (0.01 if m == "network" else -0.01) * np.ones(len(run.trials))[:, None]
            axes[1][col].scatter((fr[None, :] + jitter).ravel(), ov.ravel(), s=8, alpha=0.4, color=style["color"])
        axes[0][col].set_title(kind.replace("_", " "), fontsize=10)
        axes[0][col].set_ylim(-0.05, 1.05)
        axes[0][col].set_ylabel(f"fraction recalled (m ≥ {theta:g})")
        axes[1][col].axhline(theta, color="k", ls=":", lw=0.8)
        axes[1][col].set_ylabel("target overlap")
        axes[1][col].set_xlabel("knockout fraction")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, Path(path))


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
