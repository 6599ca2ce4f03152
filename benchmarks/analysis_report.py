"""Analysis report (docs/analysis.md) for the spiking and biophysical rungs: effective φ, g, ψ
fitted on each rung's own recordings, and the neuron–astrocyte energy along recalls that
succeed and fail, next to the abstract model's energy from the same cue.

    python benchmarks/analysis_report.py [--out benchmarks/out/analysis] [--n 32]

Writes OUT/analysis.json (fits, energy summaries, manifest) and per rung OUT/<rung>_activations.png,
OUT/<rung>_energy.png. Loads: K = N/2 (recalls), 7N/4 (near K_max) and 5N/2 (beyond it: failures).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from astrobrian.analysis.report import analyse_recall, fit_transfers
from astrobrian.plotting_sweeps import plot_activation_fits, plot_energy_traces
from astrobrian.provenance import manifest, write_json_atomic


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/analysis"))
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--rungs", nargs="+", default=["spiking", "biophysical"])
    args = ap.parse_args()
    n, flips = args.n, args.n // 8
    report = {}
    for rung in args.rungs:
        t0 = time.perf_counter()
        analyses = [
            analyse_recall(rung, n, k, flips, seed)
            for k in (n // 2, 7 * n // 4, 5 * n // 2)
            for seed in range(args.seeds)
        ]
        fits = fit_transfers(analyses)
        title = f"{rung} rung, N = {n}, {flips} bits flipped"
        pooled = {name: tuple(np.concatenate([a.samples[name][i].ravel() for a in analyses]) for i in (0, 1))
                  for name in fits}
        plot_activation_fits(pooled, fits, f"effective activations: {title}", args.out / f"{rung}_activations.png")
        plot_energy_traces(analyses, f"neuron–astrocyte energy along recalls: {title}", args.out / f"{rung}_energy.png")
        report[rung] = {
            "fits": {k: v.describe() for k, v in fits.items()},
            "recalls": [{"K": a.k, "seed": a.seed, "recalled": a.recalled, "target_overlap": a.target_overlap,
                         "abstract_recalled": a.abstract_recalled, **a.energy.summary} for a in analyses],
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(rung, {k: (round(v.beta, 3), round(v.rms, 4), round(v.tanh_beta, 3), round(v.tanh_rms, 4))
                     for k, v in fits.items()})
        for r in report[rung]["recalls"]:
            print(f"  K={r['K']} seed {r['seed']}: m={r['target_overlap']:.2f} (abstract {r['abstract_recalled']}), "
                  f"E non-increasing {r['energy']['fraction_non_increasing']:.0%} of {r['energy']['intervals']}, "
                  f"net decrease {r['energy']['net_decrease']:.2f}")
    params = {**vars(args), "out": str(args.out), "flips": flips}
    write_json_atomic(args.out / "analysis.json", {"report": report, "manifest": manifest(0, params)})


if __name__ == "__main__":
    main()
