"""Sweep workers and BLAS threads, side by side in one machine: two pool workers on 2 cores, each
running abstract recalls at N = 128, K = 64 (the neuron-astrocyte-rest model, 8 trials in 4 tasks),
with the workers' BLAS at one thread (what `astrobrian.sweep.LocalPool` sets) and at two (what a
worker gets when OPENBLAS_NUM_THREADS is not set: one BLAS thread per core).

    .venv/bin/python benchmarks/sweep_blas_threads.py

Each setting runs in its own process (the variable is read when a worker starts); the output is
the wall time and the mean time per trial of each. Recorded in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

N, K, TRIALS, FLIPS = 128, 64, 8, 16


def measure(threads: str) -> str:
    """One setting: a pool of two workers whose BLAS has `threads` threads."""
    from astrobrian.analysis.scaling import SweepModel, point_tasks
    from astrobrian.sweep import LocalPool

    os.environ["OPENBLAS_NUM_THREADS"] = threads  # the user's setting, which LocalPool keeps
    os.environ["OMP_NUM_THREADS"] = threads
    tasks = point_tasks(SweepModel("na", "abstract", "neuron-astrocyte-rest", chunk=2), N, K, TRIALS, FLIPS, 0, 0.9)
    pool = LocalPool(2)
    try:
        for _ in range(2):
            pool.submit(int, "1").result()  # both workers started before the clock
        t0 = time.perf_counter()
        results = [f.result() for f in [pool.submit(t.fn, t.spec) for t in tasks]]
        wall = time.perf_counter() - t0
    finally:
        pool.shutdown()
    per_trial = [r["seconds"] for chunk in results for r in chunk]
    return (f"BLAS threads per worker {threads}: {len(tasks)} tasks of {TRIALS // len(tasks)} trials, wall "
            f"{wall:.1f} s, mean per trial {sum(per_trial) / len(per_trial):.2f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(measure(sys.argv[1]))
    else:
        for threads in ("1", "2"):
            print(subprocess.run([sys.executable, __file__, threads], capture_output=True, text=True,
                                 check=True).stdout.strip())
