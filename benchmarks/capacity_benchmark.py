"""Capacity benchmark: the published capacities and the scaling of every model (docs/capacity.md).

Measures (and writes to --out as JSON + figures, printing a summary):
1. classical Hopfield tolerant capacity at N = 200 for θ ∈ {0.95, 0.97, 0.99}, P ∈ {0.5, 0.9};
2. K_max(N) slopes over N ∈ [10, 24] (exact recall, 10 % flipped bits) for the quartic DAM,
   the neuron–astrocyte model (reference parameters, fast DAM regime, recall from rest) and
   the pairwise Hopfield control, with the time each scan takes.

Run: python benchmarks/capacity_benchmark.py [--trials 50] [--out benchmarks/out/capacity]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from astrobrian.capacity import Criterion, capacity_scan
from astrobrian.plotting import plot_capacity
from astrobrian.provenance import manifest, write_json_atomic

NS = [10, 12, 14, 16, 18, 20, 22, 24]
SCALING_MODELS = ["hopfield", "dam4", "neuron-astrocyte", "neuron-astrocyte-fast", "neuron-astrocyte-rest"]


def hopfield_tolerant(trials: int, seed: int) -> list[dict]:
    rows = []
    for theta in (0.95, 0.97, 0.99):
        scan = capacity_scan("hopfield", [200], 0.1, trials, Criterion("overlap", theta), seed)
        km = scan.sizes[0].kmax
        rows.append({"theta": theta, "kmax_P0.5": km["0.5"], "kmax_P0.9": km["0.9"],
                     "alpha_P0.5": km["0.5"] / 200, "alpha_P0.9": km["0.9"] / 200, "seconds": scan.seconds})
        print(
            f"hopfield N=200 m≥{theta}: K_max/N = {km['0.5'] / 200:.3f} (P=0.5), {km['0.9'] / 200:.3f} (P=0.9)",
            flush=True,
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models", nargs="+", default=SCALING_MODELS)
    ap.add_argument("--n", nargs="+", type=int, default=NS)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/capacity"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    results = {"hopfield_tolerant_N200": hopfield_tolerant(args.trials, args.seed), "scaling": {}}
    scans = []
    for model in args.models:
        scan = capacity_scan(model, args.n, 0.1, args.trials, Criterion("exact"), args.seed)
        scans.append(scan)
        results["scaling"][model] = scan.to_dict()
        f = scan.fits["0.5"]
        print(f"{model:<24} K_max(P=0.5) = {[round(s.kmax['0.5'], 1) for s in scan.sizes]}  "
              f"slope {f['raw']['slope']:.2f} {[round(c, 2) for c in f['raw']['ci95']]}  "
              f"ln-corrected {f['ln_corrected']['slope']:.2f}  ({scan.seconds:.1f} s)", flush=True)
    results["seconds"] = time.perf_counter() - t0
    results["manifest"] = manifest(args.seed, {"trials": args.trials, "N": args.n, "models": args.models,
                                               "flip": 0.1, "criterion": "exact"})
    write_json_atomic(args.out / "capacity_benchmark.json", results)
    plot_capacity(scans, args.out / "capacity_scaling.png")
    plot_capacity([s for s in scans if s.model in ("hopfield", "dam4", "neuron-astrocyte-fast")],
                  args.out / "capacity_scaling_core.png")
    print(f"total {results['seconds']:.0f} s → {args.out}")


if __name__ == "__main__":
    main()
