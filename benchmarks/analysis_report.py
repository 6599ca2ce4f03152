"""Analysis report (docs/analysis.md) for the spiking and biophysical rungs: effective φ, g, ψ
fitted on each rung's own recordings, and the neuron–astrocyte energy along recalls that
succeed and fail, next to the abstract model's energy from the same cue; then, on the
biophysical rung, the energy under several process mappings and IP3R inactivation rates
(docs/analysis.md#why-the-biophysical-energy-rises).

    python benchmarks/analysis_report.py [--out benchmarks/out/analysis] [--n 32]

Writes OUT/analysis.json (fits, energy summaries, the mapping study, manifest) and per rung
OUT/<rung>_activations.png, OUT/<rung>_energy.png. Loads: K = N/2 (well below K_max), 3N (about
half of K_max ≈ 6N at N = 32 without the self-terms), 6N (near K_max) and 10N (beyond it).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from astrobrian.analysis.report import analyse_recall, fit_transfers
from astrobrian.plotting_sweeps import plot_activation_fits, plot_energy_traces
from astrobrian.provenance import manifest, write_json_atomic

#: process mappings compared on the biophysical rung (keywords of energy_along_run)
MAPPINGS = {
    "gain 2 (the rung's β_p: P = (C − C_mid)/C_width)": {},
    "gain 1": {"process_gain": 1.0},
    "gain 0.5": {"process_gain": 0.5},
    "steady-state inverse P = u*(C)": {"process_mapping": "steady-state"},
}
#: IP3R inactivation rates O_2 (1/(µM s)) of the mapping study: Li & Rinzel's 0.2, then 8× and 32× faster
O_2_VALUES = (0.2, 1.6, 6.4)


def _fractions(summary: dict) -> dict:
    return {"energy": summary["energy"]["fraction_non_increasing"],
            **{part: v["fraction_non_increasing"] for part, v in summary["parts"].items()},
            "process_swing": summary["parts"]["processes"]["swing"]}


def mapping_study(n: int, loads: tuple[int, ...], seeds: int) -> list[dict]:
    """Energy descent on biophysical recalls under every mapping and O_2 value (the same trials)."""
    from brian2 import second, umolar

    from astrobrian import models
    from astrobrian.network.biophysical import process_loop_modes

    rows = []
    for o_2 in O_2_VALUES:
        params = {"O_2": o_2 / umolar / second}
        modes = process_loop_modes(models.load("biophysical_tripartite", **params))
        for k in loads:
            for seed in range(seeds):
                a = analyse_recall("biophysical", n, k, n // 8, seed, params=params, mappings=MAPPINGS)
                rows.append({"O_2": o_2, "K": k, "seed": seed, "recalled": a.recalled,
                             "target_overlap": a.target_overlap, "loop_period_s": modes.period,
                             "loop_decay_s": modes.decay_time, "loop_quality": modes.quality,
                             **{name: _fractions(s) for name, s in a.mappings.items()}})
                r = rows[-1]
                print(f"  O_2 {o_2:g}: K={k} seed {seed} m={a.target_overlap:.2f} "
                      + ", ".join(f"{name.split(' (')[0]} {r[name]['energy']:.0%}" for name in MAPPINGS), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/analysis"))
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--rungs", nargs="+", default=["spiking", "biophysical"])
    args = ap.parse_args()
    n, flips = args.n, args.n // 8
    loads = (n // 2, 3 * n, 6 * n, 10 * n)
    report = {}
    for rung in args.rungs:
        t0 = time.perf_counter()
        analyses = [analyse_recall(rung, n, k, flips, seed) for k in loads for seed in range(args.seeds)]
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
            parts = ", ".join(f"{p} {v['fraction_non_increasing']:.0%}" for p, v in r["parts"].items())
            print(f"  K={r['K']} seed {r['seed']}: m={r['target_overlap']:.2f} (abstract {r['abstract_recalled']}), "
                  f"E non-increasing {r['energy']['fraction_non_increasing']:.0%} of {r['energy']['intervals']} "
                  f"({parts}), net decrease {r['energy']['net_decrease']:.2f}")
    study = {}
    if "biophysical" in args.rungs:
        t0 = time.perf_counter()
        print("biophysical energy under process mappings and O_2:")
        study = {"rows": mapping_study(n, loads[:2], args.seeds), "seconds": round(time.perf_counter() - t0, 1)}
    params = {**vars(args), "out": str(args.out), "flips": flips, "loads": loads, "o_2_values": O_2_VALUES,
              "mappings": MAPPINGS}
    write_json_atomic(args.out / "analysis.json", {"report": report, "mapping_study": study,
                                                    "manifest": manifest(0, params)})


if __name__ == "__main__":
    main()
