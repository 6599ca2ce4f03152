"""The transformer as an autoassociative memory, and what sets the ends of the continuum
(docs/transformer.md#the-continuum): side by side in one run,

1. K_max of `astrocyte-transformer` against M and |k|, next to the one-step modern-Hopfield update
   at the same β = |k|² on overlaps (the softmax it approximates), the same trials;
2. along the weight w of the uniform coupling, the smallest entry of the transformer coupling's
   leading mode e₁·√NM (a read has a stable fixed point only if it stays > 0);
3. where DAM recalls end along w: the target overlap of the final state against the cue's.

    python benchmarks/transformer_memory.py [--out benchmarks/out/transformer_memory] [--n 16]

Writes OUT/transformer_memory.json (every number and the manifest) and prints the tables.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from astrobrian.abstract import MixedCoupling, NeuronAstrocyteMemory
from astrobrian.abstract.transformer import AstrocyteTransformer, RandomFeatures
from astrobrian.capacity import Criterion, find_kmax, recall_trials
from astrobrian.patterns import cue_batch, random_patterns, sign
from astrobrian.provenance import manifest, write_json_atomic


def kmax(model: str, n: int, trials: int, flip: float, seed: int, params: dict) -> float:
    """K_max at P = 0.5, overlap ≥ 0.9 (as astrobrian.capacity measures it)."""
    crit = Criterion("overlap", 0.9)
    value, _ = find_kmax(lambda k: float(recall_trials(model, n, k, trials, flip, crit, seed, params).mean()),
                         0.5, {}, rel_tol=0.1, k_start=2)
    return float(value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/transformer_memory"))
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--trials", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    flip = 0.125
    memory = []
    for norm in (1.0, 2.0, 3.0):
        modern = kmax("modern", args.n, args.trials, flip, args.seed, {"beta": norm**2 / args.n, "steps": 1})
        row = {"key_norm": norm, "modern_one_step": modern,
               "transformer": {str(m): kmax("astrocyte-transformer", args.n, args.trials, flip, args.seed,
                                            {"n_features": m, "key_norm": norm}) for m in (256, 1024, 4096)}}
        memory.append(row)
        print(f"|k| = {norm:g} (β = {norm**2:g}): modern one step {modern:.1f}; transformer "
              + ", ".join(f"M = {m}: {k:.1f}" for m, k in row["transformer"].items()), flush=True)
    rng = np.random.default_rng(args.seed)
    d, n_values, length, m = 8, 8, 16, 256
    keys = rng.standard_normal((length, d))
    keys *= 0.5 / np.linalg.norm(keys, axis=1, keepdims=True)
    values = rng.standard_normal((length, n_values))
    features = RandomFeatures(d, m, seed=1)
    stored = AstrocyteTransformer(n_values, m).write(values, features(keys))
    leading = {}
    for w in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        mode = AstrocyteTransformer(n_values, m, uniform=w).coupling(stored).leading
        leading[str(w)] = float(mode.min() * np.sqrt(n_values * m))
    print("min e1·√NM along w:", {w: round(v, 3) for w, v in leading.items()})
    ends = {}
    n, k, trials = args.n, 4, 8
    for w in (0.0, 0.3, 0.5, 1.0):
        xi = random_patterns(n, k, rng, batch=trials)
        cues = cue_batch(xi, np.zeros(trials, int), max(1, int(flip * n)), rng)
        model = NeuronAstrocyteMemory.rest_scaling(xi, coupling=MixedCoupling(w))
        final = sign(model.run(cues, init="rest", dt=0.01, steps=3000, record_every=100_000, stop_tol=1e-6).final)
        target = xi[:, :, 0]
        ends[str(w)] = {"final_overlap": (np.sum(final * target, axis=1) / n).tolist(),
                        "cue_overlap": (np.sum(cues * target, axis=1) / n).tolist()}
        print(f"DAM w = {w:g}: final target overlap {np.round(ends[str(w)]['final_overlap'], 2).tolist()} "
              f"(cue {ends[str(w)]['cue_overlap'][0]:.2f})", flush=True)
    seconds = time.perf_counter() - t0
    print(f"{seconds:.1f} s")
    write_json_atomic(args.out / "transformer_memory.json",
                      {"memory": memory, "leading_mode_min": leading, "dam_ends": ends, "seconds": seconds,
                       "manifest": manifest(args.seed, {**vars(args), "out": str(args.out)})})


if __name__ == "__main__":
    main()
