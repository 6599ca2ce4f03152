"""Astrocyte-gated memory vs classical Hopfield networks: the Vivet & Arenas 2026 benchmark.

Setting (arXiv 2604.25481; docs/models.md#astrocyte-gated-memory): N = 20 neurons, K = 2…200 patterns, cues with
exactly 2 flipped bits, 50 realisations per K (each its own random patterns, run as one batch
(B, N, K)), T = 0.01, τ_x = τ_p = 1, Euler dt = 0.001 to t = 10. Metric: mean Hamming error
of sign(x) against the cued pattern at t = 10 (the mirror −ξ counts as N errors).

Columns: (a) astro-gated, (b) classical continuous Hopfield = the same model with frozen
uniform gains (τ_p = inf; W = ΞΞᵀ/N, diagonal kept), (c) binary classical Hopfield with zero
diagonal, asynchronous updates to convergence (`astrobrian.abstract.hopfield.HopfieldNetwork`,
skipped if that module is missing), and a reference: the error of an ideal decoder returning
the stored pattern or mirror nearest to the cue (ties averaged) — what any associative memory
that recalls "the nearest memory" would score.

    python benchmarks/astro_gated_vs_hopfield.py --seed 0 --out benchmarks/out/astro_gated
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

import numpy as np

from astrobrian.abstract.astro_gated import DEFAULT_SIGMA, AstrocyteGatedMemory
from astrobrian.patterns import cue_batch, random_patterns
from astrobrian.provenance import manifest, write_atomic, write_json_atomic

DEFAULT_KS = (2, 5, 10, 20, 50, 100, 150, 200)


def hamming(recalled: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Number of wrong bits per trial, (B,)."""
    return np.sum(recalled != targets, axis=-1).astype(float)


def nearest_pattern_error(patterns: np.ndarray, cues: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Hamming error of the ideal nearest-memory decoder (stored pattern or mirror), ties averaged.

    Parameters
    ----------
    patterns : numpy.ndarray
        (B, N, K) pattern sets.
    cues : numpy.ndarray
        (B, N) cues.
    targets : numpy.ndarray
        (B,) cued pattern of each realisation.

    Returns
    -------
    numpy.ndarray
        (B,) errors in bits.
    """
    ov = np.einsum("bn,bnk->bk", cues, patterns)
    best = np.abs(ov) == np.abs(ov).max(axis=1, keepdims=True)
    candidates = np.sign(ov)[:, None, :] * patterns  # (B, N, K): each pattern, mirrored if closer
    wrong = np.sum(candidates != targets[:, :, None], axis=1)  # (B, K)
    return np.sum(wrong * best, axis=1) / best.sum(axis=1)


def summary(errors: np.ndarray, seconds: float, n: int) -> dict:
    """Mean error, its standard error and the run time of one column of the table.

    Parameters
    ----------
    errors : numpy.ndarray
        Hamming error of each realisation.
    seconds : float
        Wall time of the column.
    n : int
        Number of neurons (for the error as a fraction of N).

    Returns
    -------
    dict
    """
    return {
        "mean_hamming": float(errors.mean()),
        "sem_hamming": float(errors.std(ddof=1) / np.sqrt(len(errors))) if len(errors) > 1 else 0.0,
        "mean_hamming_fraction": float(errors.mean() / n),
        "exact_recall": float(np.mean(errors == 0)),
        "seconds": round(seconds, 3),
    }


def run_point(args: argparse.Namespace, k: int, binary_cls) -> dict:
    """All models on one K: fresh patterns per realisation, seeded by (seed, K).

    Parameters
    ----------
    args : argparse.Namespace
        The command line (seed, realisations, neurons, flips, integration).
    k : int
        Number of patterns.
    binary_cls : type or None
        The binary Hopfield network class (None: that column is skipped).

    Returns
    -------
    dict
        One row of the table.
    """
    rng = np.random.default_rng([args.seed, k])
    b, n = args.realisations, args.neurons
    patterns = random_patterns(n, k, rng, batch=b)
    target_idx = rng.integers(0, k, b)
    cues = cue_batch(patterns, target_idx, args.flips, rng)
    targets = patterns[np.arange(b), :, target_idx]
    n_steps = int(round(args.t_end / args.dt))
    out: dict = {"K": k, "load": k / n}

    common = dict(sigma=args.sigma, temperature=args.temperature, tau_x=1.0)
    t0 = time.perf_counter()
    traj = AstrocyteGatedMemory(patterns, tau_p=1.0, **common).run(
        cues, t_end=args.t_end, dt=args.dt, method="euler", record_every=n_steps
    )
    gated = summary(hamming(traj.recalled, targets), time.perf_counter() - t0, n)
    gains = traj.extra["gains"][-1]
    gated["winner_is_target"] = float(np.mean(np.argmax(gains, axis=1) == target_idx))
    gated["mean_max_gain"] = float(np.mean(gains.max(axis=1)))
    out["astro_gated"] = gated

    t0 = time.perf_counter()
    traj = AstrocyteGatedMemory(patterns, tau_p=float("inf"), **common).run(
        cues, t_end=args.t_end, dt=args.dt, method="euler", record_every=n_steps
    )
    out["continuous_hopfield"] = summary(hamming(traj.recalled, targets), time.perf_counter() - t0, n)

    if binary_cls is not None:
        t0 = time.perf_counter()
        traj = binary_cls(patterns).run(cues, max_sweeps=args.max_sweeps, rng=np.random.default_rng([args.seed, k, 1]))
        out["binary_hopfield"] = summary(hamming(traj.recalled, targets), time.perf_counter() - t0, n)
        out["binary_hopfield"]["sweeps"] = float(traj.t[-1])

    nearest = nearest_pattern_error(patterns, cues, targets)
    out["nearest_pattern"] = summary(nearest, 0.0, n)
    return out


def load_binary_hopfield():
    try:
        return importlib.import_module("astrobrian.abstract.hopfield").HopfieldNetwork
    except (ImportError, AttributeError):
        return None


COLUMNS = [
    ("astro_gated", "astro-gated"),
    ("continuous_hopfield", "cont. Hopfield"),
    ("binary_hopfield", "binary Hopfield"),
    ("nearest_pattern", "nearest pattern"),
]


def table(rows: list[dict]) -> str:
    cols = [(key, name) for key, name in COLUMNS if key in rows[0]]
    head = f"{'K':>4} {'K/N':>5} | " + " | ".join(f"{name:>17}" for _, name in cols) + " | gated s | cont. s"
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = [f"{r[key]['mean_hamming']:6.3f} ± {r[key]['sem_hamming']:5.3f}  " for key, _ in cols]
        lines.append(
            f"{r['K']:>4} {r['load']:>5.2f} | " + " | ".join(f"{c:>17}" for c in cells)
            + f" | {r['astro_gated']['seconds']:7.2f} | {r['continuous_hopfield']['seconds']:7.2f}"
        )
    return "\n".join(lines)


def figure(rows: list[dict], path: Path, args: argparse.Namespace) -> None:
    """Mean Hamming error against K for every model.

    Parameters
    ----------
    rows : list of dict
        The table's rows (`run_point`).
    path : Path
        The PNG file written.
    args : argparse.Namespace
        The command line (for the title).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = np.array([r["K"] for r in rows])
    fig, (ax_e, ax_x) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = {"astro_gated": "o-", "continuous_hopfield": "s-", "binary_hopfield": "^-", "nearest_pattern": "k:"}
    for key, name in COLUMNS:
        if key not in rows[0]:
            continue
        mean = np.array([r[key]["mean_hamming"] for r in rows])
        sem = np.array([r[key]["sem_hamming"] for r in rows])
        ax_e.errorbar(ks, mean, yerr=sem, fmt=styles[key], ms=4, capsize=2, label=name)
        ax_x.plot(ks, [r[key]["exact_recall"] for r in rows], styles[key], ms=4, label=name)
    ax_e.axhline(args.flips, color="grey", lw=0.6, ls="--", label="cue (no correction)")
    for ax in (ax_e, ax_x):
        ax.set_xscale("log")
        ax.set_xlabel("K (stored patterns)")
    ax_e.set_ylabel("mean Hamming error of sign(x) at t = 10 (bits)")
    ax_x.set_ylabel("fraction of exact recalls")
    ax_e.set_title(
        f"N = {args.neurons}, {args.flips} flipped bits, {args.realisations} realisations, "
        f"T = {args.temperature:g}, σ = {args.sigma:g}", fontsize=9
    )
    ax_x.set_ylim(-0.02, 1.02)
    ax_e.legend(fontsize=8)
    fig.tight_layout()
    try:
        write_atomic(path, lambda p: fig.savefig(p, dpi=120, format="png"))
    finally:
        plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/astro_gated"), help="output folder")
    ap.add_argument("--seed", type=int, default=0, help="base seed; K uses default_rng([seed, K])")
    ap.add_argument("--ks", type=int, nargs="+", default=list(DEFAULT_KS), help="numbers of patterns K")
    ap.add_argument("--neurons", type=int, default=20, help="N")
    ap.add_argument("--flips", type=int, default=2, help="exactly this many flipped bits per cue")
    ap.add_argument("--realisations", type=int, default=50, help="trials per K (own patterns each)")
    ap.add_argument("--sigma", type=float, default=DEFAULT_SIGMA, help="neuron gain in tanh(σx)")
    ap.add_argument("--temperature", type=float, default=0.01, help="gain temperature T")
    ap.add_argument("--t-end", type=float, default=10.0, help="integration time")
    ap.add_argument("--dt", type=float, default=0.001, help="Euler step")
    ap.add_argument("--max-sweeps", type=int, default=100, help="binary Hopfield: sweep limit")
    args = ap.parse_args(argv)

    binary_cls = load_binary_hopfield()
    if binary_cls is None:
        print("astrobrian.abstract.hopfield.HopfieldNetwork not found: column (c) skipped", file=sys.stderr)
    start = time.perf_counter()
    rows = []
    for k in args.ks:
        rows.append(run_point(args, k, binary_cls))
        print(f"K = {k}: done ({rows[-1]['astro_gated']['seconds']:.1f} s gated)", file=sys.stderr, flush=True)
    total = time.perf_counter() - start

    print("mean Hamming error (bits, ± s.e.m.) of sign(x) vs the cued pattern")
    print(table(rows))
    print(f"total {total:.1f} s")

    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    params.update(tau_x=1.0, tau_p=1.0, method="euler", score="quadratic")
    result = {
        "manifest": manifest(args.seed, params),
        "metric": "mean Hamming error (bits) of sign(x) at t_end vs the cued pattern; mirror = N errors",
        "binary_hopfield_available": binary_cls is not None,
        "total_seconds": round(total, 2),
        "rows": rows,
    }
    write_json_atomic(args.out / "astro_gated_vs_hopfield.json", result)
    figure(rows, args.out / "astro_gated_vs_hopfield.png", args)
    print(f"wrote {args.out / 'astro_gated_vs_hopfield.json'} and .png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
