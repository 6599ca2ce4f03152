"""Spiking rung acceptance: recall from rest far above the pairwise capacity (docs/recall.md).

Setting: N = 32 neurons, K = 16 patterns (≈ 3.6× the pairwise capacity 0.138 N), exactly
⌊0.15 N⌋ = 4 flipped bits, 20 seeded trials; each trial draws its own patterns, target and cue
from `default_rng(seed)`. Every synapse and process starts at rest; the cue is an input current
for the cue window. Per trial, the same patterns and cue go to
  net  — the spiking neuron–astrocyte network (`build_network("spiking")`, defaults),
  hop  — the spiking pairwise-Hopfield control (`"hopfield-spiking"`, W = ΞΞᵀ/N),
  cut  — the same network with the coupling-cut knockout (Knockouts(coupling_cut=1), T = 0),
  rate — the abstract rate model in the rest scaling (NeuronAstrocyteMemory.rest_scaling,
         cue for 2 τ_n, 20 τ_n in all): what the spiking rung maps.
Overlaps: final read-out (spike counts in the last read-out window, sign around the two-mode
midpoint); 'other' is the best overlap with any other stored pattern. Recall criterion:
target overlap ≥ 0.9. Acceptance: net ≥ 0.9 in ≥ 80 % of trials, hop failing in most, cut
losing recall. Wall time: build + run + read-out of one recall, numpy target.

    python benchmarks/spiking_recall.py --out benchmarks/out/spiking
    python benchmarks/spiking_recall.py --neuron-preset noisy --out benchmarks/out/spiking_noisy
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from astrobrian.abstract import Knockouts, NeuronAstrocyteMemory
from astrobrian.patterns import cue_batch, n_flips, random_patterns
from astrobrian.provenance import manifest, write_json_atomic

VARIANTS = ("net", "hop", "cut")


def trial(seed: int, args: argparse.Namespace) -> dict:
    """One trial: fresh patterns, target and cue from `seed`; every variant gets the same cue."""
    from brian2 import ms

    from astrobrian.network import build_network

    rng = np.random.default_rng(seed)
    xi = random_patterns(args.neurons, args.patterns, rng)
    target = int(rng.integers(args.patterns))
    cue = cue_batch(xi, np.array([target]), n_flips(args.neurons, args.flip), rng)[0]
    row: dict = {"seed": seed, "target": target, "cue_overlap": float(cue @ xi[:, target] / args.neurons)}
    builds = {
        "net": ("spiking", {}),
        "hop": ("hopfield-spiking", {}),
        "cut": ("spiking", {"knockouts": Knockouts(coupling_cut=1.0)}),
    }
    for name in args.variants:
        rung, extra = builds[name]
        t0 = time.perf_counter()
        run = build_network(rung, xi, seed=seed, neuron_preset=args.neuron_preset, **extra).recall(
            cue, target, cue_duration=args.cue_duration * ms, duration=args.duration * ms)
        rep = run.report
        row[name] = {
            "target_overlap": rep.target_overlap, "best_other_overlap": rep.best_other_overlap,
            "recalled": rep.recalled, "persists": rep.persists,
            "time_to_retrieval_ms": None if rep.time_to_retrieval is None else 1e3 * rep.time_to_retrieval,
            "mean_rate_hz": float(np.mean(run.recordings["final_rates"])),
            "wall_s": time.perf_counter() - t0,
        }
    model = NeuronAstrocyteMemory.rest_scaling(xi)
    traj = model.run(cue, init="rest", dt=0.02, steps=1000, cue_duration=2.0, record_every=1000)
    fin = traj.final_overlaps(xi)
    row["rate"] = {"target_overlap": float(fin[target]), "best_other_overlap": float(np.max(np.delete(fin, target)))}
    return row


def fmt(cell: dict | None) -> str:
    if cell is None:
        return "—"
    return f"{cell['target_overlap']:+.2f} ({cell['best_other_overlap']:+.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/spiking"), help="output folder")
    ap.add_argument("--trials", type=int, default=20, help="seeded trials (seeds first-seed … first-seed+trials−1)")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--neurons", type=int, default=32, help="N")
    ap.add_argument("--patterns", type=int, default=16, help="K")
    ap.add_argument("--flip", type=float, default=0.15, help="fraction of flipped cue bits (exactly ⌊flip·N⌋)")
    ap.add_argument("--cue-duration", type=float, default=None, help="cue window in ms (default: the rung's)")
    ap.add_argument("--duration", type=float, default=None, help="run length in ms (default: the rung's)")
    ap.add_argument("--neuron-preset", default=None, help="lif_rate_trace preset, e.g. 'noisy' (σ_V = 3 mV)")
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    args = ap.parse_args()
    from brian2 import prefs

    from astrobrian.network.spiking import CUE_DURATION_MS, DURATION_MS

    prefs.codegen.target = "numpy"
    args.cue_duration = CUE_DURATION_MS if args.cue_duration is None else args.cue_duration
    args.duration = DURATION_MS if args.duration is None else args.duration

    header = f"{'seed':>4} {'tgt':>3} {'cue':>5} | " + " | ".join(
        f"{v + ' target (other)':<20}{'t_ret':>6}{'wall':>6}" for v in args.variants) + " | rate model"
    print(f"N = {args.neurons}, K = {args.patterns}, {n_flips(args.neurons, args.flip)} flipped bits, "
          f"cue {args.cue_duration:g} ms, run {args.duration:g} ms, "
          f"neurons {args.neuron_preset or 'noise-free'}, numpy target")
    print(header)
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.trials):
        row = trial(seed, args)
        rows.append(row)
        cells = []
        for v in args.variants:
            c = row[v]
            t_ret = "—" if c["time_to_retrieval_ms"] is None else f"{c['time_to_retrieval_ms']:.0f}"
            cells.append(f"{fmt(c):<20}{t_ret:>6}{c['wall_s']:>6.2f}")
        print(
            f"{seed:>4} {row['target']:>3} {row['cue_overlap']:>5.2f} | "
            + " | ".join(cells)
            + f" | {fmt(row['rate'])}",
            flush=True,
        )
    summary = {}
    for v in list(args.variants) + ["rate"]:
        m = np.array([r[v]["target_overlap"] for r in rows])
        summary[v] = {"recalled_fraction": float(np.mean(m >= 0.9)), "mean_target_overlap": float(m.mean()),
                      "mirror_fraction": float(np.mean(m <= -0.9))}
        if v != "rate":
            summary[v]["mean_wall_s"] = float(np.mean([r[v]["wall_s"] for r in rows]))
            summary[v]["persists_fraction"] = float(np.mean([r[v]["persists"] for r in rows]))
    print()
    for v, s in summary.items():
        wall = (f", persists {s['persists_fraction']:.0%}, {s['mean_wall_s']:.2f} s per recall"
                if "mean_wall_s" in s else "")
        print(f"{v:>4}: target overlap ≥ 0.9 in {s['recalled_fraction']:.0%} of {len(rows)} trials "
              f"(mean {s['mean_target_overlap']:+.2f}, mirror {s['mirror_fraction']:.0%}){wall}")
    ok = (summary.get("net", {}).get("recalled_fraction", 0) >= 0.8
          and summary.get("hop", {}).get("recalled_fraction", 1) < 0.5
          and summary.get("cut", {}).get("recalled_fraction", 1) < 0.5)
    print(f"acceptance (net ≥ 80 %, hop < 50 %, cut < 50 %): {'met' if ok else 'NOT met'}")
    params = {k: v for k, v in vars(args).items() if k != "out"}
    write_json_atomic(args.out / "spiking_recall.json",
                      {"manifest": manifest(args.first_seed, params), "trials": rows, "summary": summary,
                       "acceptance_met": ok})


if __name__ == "__main__":
    main()
