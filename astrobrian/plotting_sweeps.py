"""Figures of capacity sweeps: capacity scaling across models and knockout capacity."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .plotting import _save, plt

_MARKERS = "osD^v<>p*h"


def plot_capacity_scaling(summary: dict, path: str | Path) -> Path:
    """Three panels: K_max vs N (log–log, fits with slopes and 95 % CIs, P = first level);
    memories per compute unit vs N; P(recall) vs K/N of every model at its largest N."""
    level = f"{summary['levels'][0]:g}"
    fig, (ax_k, ax_u, ax_p) = plt.subplots(1, 3, figsize=(16, 4.8))
    for i, (name, model) in enumerate(summary["models"].items()):
        ns = np.array([s["N"] for s in model["sizes"]], dtype=float)
        km = np.array([s["kmax"][level] for s in model["sizes"]], dtype=float)
        fit = summary["fits"][name][level]
        mk = _MARKERS[i % len(_MARKERS)]
        label = name
        if fit["kmax"]["slope"] is not None:
            ci = fit["kmax"]["ci95"]
            label += f": slope {fit['kmax']['slope']:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if np.all(np.isfinite(ci)) else "")
        pos = km > 0
        line = ax_k.loglog(ns[pos], km[pos], marker=mk, lw=0, label=label)[0]
        if fit["kmax"]["slope"] is not None:
            ax_k.loglog(ns, np.exp(fit["kmax"]["intercept"]) * ns ** fit["kmax"]["slope"], color=line.get_color(), lw=1)
        per_unit = np.array(fit["memories_per_unit"])
        ax_u.loglog(ns[pos], per_unit[pos], marker=mk, color=line.get_color(),
                    label=f"{name} ({'N + 2N²' if model['units'] == 'astrocyte' else 'N + N(N−1)'}): "
                          f"{fit['per_unit_trend']}")
        last = model["sizes"][-1]
        ks = np.array([pt["K"] for pt in last["points"]], dtype=float)
        ps = np.array([pt["P"] for pt in last["points"]])
        ax_p.semilogx(ks / last["N"], ps, marker=mk, color=line.get_color(), label=f"{name}, N = {last['N']}")
    ax_k.set_xlabel("N (neurons)")
    ax_k.set_ylabel(f"K_max at P = {level}")
    ax_k.set_title(f"capacity ({summary['criterion']}; lines: log–log fits)", fontsize=10)
    ax_k.legend(fontsize=7)
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
    verdict = summary.get("verdict")
    if verdict:
        word = {True: "survives", False: "does not survive", None: "undecided"}[verdict["survives"]]
        fig.suptitle(f"capacity scaling {word}: {verdict['rule']} ({verdict['reason']})", fontsize=10)
    fig.tight_layout()
    return _save(fig, Path(path))


def plot_knockout_capacity(summary: dict, path: str | Path) -> Path:
    """K_max vs knockout fraction, one panel per knockout type: every model (network solid,
    abstract dashed), P = first level."""
    level = f"{summary['levels'][0]:g}"
    kinds = list(summary["knockouts"])
    fig, axes = plt.subplots(1, len(kinds), figsize=(4.8 * len(kinds), 4), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        table = summary["knockouts"][kind]
        for i, (name, model) in enumerate(summary["models"].items()):
            style = "-" if model["kind"] == "network" else "--"
            ax.plot(table["fractions"], table[name][level], ls=style, marker=_MARKERS[i % len(_MARKERS)], label=name)
        ax.set_title(kind.replace("_", " "), fontsize=10)
        ax.set_xlabel("knockout fraction")
        ax.set_ylabel(f"K_max at P = {level}")
        ax.set_ylim(bottom=0)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"knockout capacity, N = {summary['N']}, {summary['flips']} bits flipped, {summary['criterion']}",
                 fontsize=10)
    fig.tight_layout()
    return _save(fig, Path(path))





# ---- analysis figures (science.md §4, points 1 and 3) -----------------------------------------------
def plot_activation_fits(samples: dict[str, tuple[np.ndarray, np.ndarray]], fits: dict, title: str,
                         path: str | Path, max_points: int = 4000) -> Path:
    """One panel per transfer curve (φ, g, ψ): recorded (state, output) samples, the fitted
    A·tanh(β(z − z0)) + y0 and the best pure tanh(β'z), with β and residuals."""
    labels = {"phi": ("recurrent input a Σ g φ", "φ (rate mapped to [−1, 1])"),
              "g": ("synapse state s", "efficacy g"), "psi": ("process drive g + Tψ", "process output ψ")}
    fig, axes = plt.subplots(1, len(fits), figsize=(4.6 * len(fits), 3.8), squeeze=False)
    rng = np.random.default_rng(0)
    for ax, (name, fit) in zip(axes[0], fits.items()):
        z, y = (np.asarray(a).ravel() for a in samples[name])
        if z.size > max_points:
            pick = rng.choice(z.size, max_points, replace=False)
            z, y = z[pick], y[pick]
        ax.plot(z, y, ".", ms=2, alpha=0.3, color="grey")
        grid = np.linspace(z.min(), z.max(), 200)
        ax.plot(grid, fit.amplitude * np.tanh(fit.beta * (grid - fit.z0)) + fit.offset, color="tab:blue",
                label=f"fit: β = {fit.beta:.2f}, rms {fit.rms:.3f}")
        ax.plot(grid, np.tanh(fit.tanh_beta * grid), color="tab:red", ls="--",
                label=f"tanh(β'z): β' = {fit.tanh_beta:.2f}, rms {fit.tanh_rms:.3f}")
        ax.set_xlabel(labels[name][0])
        ax.set_ylabel(labels[name][1])
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, Path(path))


def plot_energy_traces(analyses: list, title: str, path: str | Path) -> Path:
    """Left: the §1 energy on the network's mapped state, E(t) − E(release); right: the abstract
    model's E(t) from the same cue. Recalls solid, failures dashed; the cue shaded."""
    fig, (ax_n, ax_a) = plt.subplots(1, 2, figsize=(11, 4))
    cmap = plt.get_cmap("tab10")
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
    ax_a.set_ylabel("E(t), abstract model (§6 scaling, from rest)")
    ax_a.set_title("abstract model, same cue (solid: recalled)", fontsize=10)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, Path(path))
__all__ = ["plot_capacity_scaling", "plot_knockout_capacity", "plot_activation_fits", "plot_energy_traces"]
