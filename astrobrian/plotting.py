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
