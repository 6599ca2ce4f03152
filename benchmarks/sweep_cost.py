"""The cost of one network recall in a capacity sweep, against the previous implementation of the same
trial, side by side in one run (runtime device, numpy target, the sweep's path).

    .venv/bin/python benchmarks/sweep_cost.py            # every point (about 10 min on 2 cores)
    .venv/bin/python benchmarks/sweep_cost.py --quick    # N = 64 only

- **previous**: the memory modes as summed-variable connections (`memory_modes="connections"`,
  2·N²K indexed updates per process step) and the recall as two run() calls (cue on, then I_cue = 0).
- **now**: the memory modes as two matrix products per process step (`memory_modes="auto"`, the
  default on the runtime device) and the recall as one run() whose cue an operation releases.

Both runs are the same trial (same patterns, cue, seeds): the script checks that their final
overlaps agree. Build (network construction) and trial (recall) are timed separately; each
point is the best of `REPEATS` runs of each path (the first includes Brian2's code generation),
except the previous path where 2·N²K > 4 M connections: one run (it takes minutes).
Growth exponents come from pairs of points: with N at fixed K = 1024, with K at fixed N = 128.
Recorded in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import sys
import time

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # as in a sweep worker: one BLAS thread (set before NumPy loads BLAS)

import numpy as np  # noqa: E402

#: (rung, N, K) points of the issue: spiking at N = 64, 128 with K = N/2 and K = 1024; biophysical at 32, 64
POINTS = [("spiking", 64, 32), ("spiking", 64, 1024), ("spiking", 128, 64), ("spiking", 128, 1024),
          ("biophysical", 32, 16), ("biophysical", 64, 32)]
REPEATS = 3
CUE_MS, DURATION_MS = 120.0, 320.0  # the capacity sweeps' recall (protocols/capacity_scaling.toml)


def _problem(n: int, k: int, seed: int = 0):
    from astrobrian.patterns import cue_batch, n_flips, random_patterns

    rng = np.random.default_rng(seed)
    xi = random_patterns(n, k, rng)
    return xi, cue_batch(xi, np.array([0]), n_flips(n, 0.125), rng)[0]


def previous_trial(rung: str, xi: np.ndarray, cue: np.ndarray) -> tuple[float, float, float]:
    """(build s, trial s, final target overlap) of the previous implementation."""
    from brian2 import ms

    from astrobrian.network import build_network
    from astrobrian.network.spiking import run_spiking

    t0 = time.perf_counter()
    net = build_network(rung, xi, seed=0, memory_modes="connections")
    t1 = time.perf_counter()
    net.neurons.I_cue = cue * net.cue_current
    run_spiking(net.network, CUE_MS * ms)
    net.neurons.I_cue = 0 * net.cue_current
    run_spiking(net.network, (DURATION_MS - CUE_MS) * ms)
    run = net.read_out(cue, 0, CUE_MS * ms)
    return t1 - t0, time.perf_counter() - t1, float(run.report.target_overlap)


def current_trial(rung: str, xi: np.ndarray, cue: np.ndarray) -> tuple[float, float, float]:
    """(build s, trial s, final target overlap) of today's implementation."""
    from brian2 import ms

    from astrobrian.network import build_network

    t0 = time.perf_counter()
    net = build_network(rung, xi, seed=0)
    t1 = time.perf_counter()
    run = net.recall(cue, 0, cue_duration=CUE_MS * ms, duration=DURATION_MS * ms)
    return t1 - t0, time.perf_counter() - t1, float(run.report.target_overlap)


def measure(points=POINTS) -> list[dict]:
    """Best-of-REPEATS build and trial seconds of both paths at every point (numpy target, as a sweep
    worker sets it: Brian2's default 'auto' would pick Cython where it is installed)."""
    from brian2 import prefs

    prefs.codegen.target = "numpy"
    rows = []
    for rung, n, k in points:
        xi, cue = _problem(n, k)
        row = {"rung": rung, "N": n, "K": k}
        for label, fn in (("previous", previous_trial), ("now", current_trial)):
            repeats = 1 if label == "previous" and n * n * k > 2_000_000 else REPEATS  # minutes each: once
            runs = [fn(rung, xi, cue) for _ in range(repeats)]
            row[label] = {"build": min(r[0] for r in runs), "trial": min(r[1] for r in runs),
                          "overlap": runs[-1][2]}
        row["speedup"] = row["previous"]["trial"] / row["now"]["trial"]
        rows.append(row)
        print(f"{rung:12s} N = {n:4d} K = {k:5d}  previous: build {row['previous']['build']:6.2f} s, trial "
              f"{row['previous']['trial']:7.2f} s  now: build {row['now']['build']:5.2f} s, trial "
              f"{row['now']['trial']:6.2f} s  → {row['speedup']:5.1f}× per trial  (final overlap "
              f"{row['previous']['overlap']:.3f} | {row['now']['overlap']:.3f}"
              f"{'' if row['previous']['overlap'] == row['now']['overlap'] else ': DIFFERENT'})", flush=True)
    return rows


def exponents(rows: list[dict]) -> None:
    """Growth exponents of the trial time from pairs of points (log–log slope)."""
    t = {(r["rung"], r["N"], r["K"]): r for r in rows}

    def slope(a, b, key, path):
        return np.log(t[b][path]["trial"] / t[a][path]["trial"]) / np.log(b[key] / a[key])

    pairs = [("with N at K = 1024", ("spiking", 64, 1024), ("spiking", 128, 1024), 1),
             ("with K at N = 128", ("spiking", 128, 64), ("spiking", 128, 1024), 2),
             ("with N at K = N/2 (spiking)", ("spiking", 64, 32), ("spiking", 128, 64), 1),
             ("with N at K = N/2 (biophysical)", ("biophysical", 32, 16), ("biophysical", 64, 32), 1)]
    for label, a, b, key in pairs:
        if a in t and b in t:
            print(f"trial time grows {label}: exponent {slope(a, b, key, 'previous'):.2f} previous, "
                  f"{slope(a, b, key, 'now'):.2f} now")


if __name__ == "__main__":
    import platform

    import brian2

    points = [p for p in POINTS if p[1] == 64 and p[0] == "spiking"] if "--quick" in sys.argv else POINTS
    print(f"brian2 {brian2.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}; runtime device, numpy target; best of {REPEATS}")
    exponents(measure(points))
