"""Sweeps on a Dask cluster: a LocalCluster of two processes gives the local results, an interrupted
Dask sweep resumes from its checkpoint, and without Dask `--scheduler` is one line naming the extra."""

import sys

import pytest

from astrobrian.cli import main
from astrobrian.sweep import dask_executor
from astrobrian.sweep_protocols import run_sweep, validate

SWEEP = {"kind": "capacity_scaling", "N": [12, 16], "trials": 4, "flips": 1, "levels": [0.5], "rel_tol": 0.5,
         "cue_duration": "120 ms", "duration": "320 ms", "workers": 1,
         "models": {"hop": {"model": "hopfield", "chunk": 2}, "dam": {"model": "dam4", "chunk": 2}}}


def overlaps(run):
    return {line: {k: [r["overlap"] for r in trials] for k, trials in pts.items()} for line, pts in run.points.items()}


class StopAfter:
    """A progress callback that stops the sweep (as Ctrl+C does) once `tasks` tasks have finished."""

    def __init__(self, tasks):
        self.tasks = tasks

    def __call__(self, done, known, label, final):
        if done >= self.tasks and "finished" in label:
            raise KeyboardInterrupt


def test_a_sweep_on_a_local_dask_cluster_gives_the_local_results_and_resumes(tmp_path):
    serial = run_sweep(validate(SWEEP, "t.toml"), tmp_path / "serial")
    with dask_executor("local", workers=2) as executor:
        assert executor.workers == 2
        on_dask = run_sweep(validate(SWEEP, "t.toml"), tmp_path / "dask", executor=executor)
        assert on_dask.lines == serial.lines and overlaps(on_dask) == overlaps(serial)

        out = tmp_path / "stopped"
        with pytest.raises(KeyboardInterrupt):
            run_sweep(validate(SWEEP, "t.toml"), out, executor=executor, progress=StopAfter(3))
        kept = len((out / "checkpoint.jsonl").read_text().splitlines()) - 1
        assert kept >= 3
        resumed = run_sweep(validate(SWEEP, "t.toml"), out, executor=executor)
    assert resumed.resumed == kept and resumed.computed + kept == serial.computed
    assert resumed.lines == serial.lines and overlaps(resumed) == overlaps(serial)


def test_a_brian2_rung_runs_on_dask_workers_set_up_by_the_sweep_plugin(tmp_path):
    """Network trials on Dask: Brian2 is imported on each worker's main thread by the sweep's worker
    plugin (a task's thread could not: Brian2 installs a signal handler), and the results are the
    serial ones."""
    from astrobrian.sweep_protocols import worker_init

    sweep = dict(SWEEP, N=[12], trials=3, models={"net": {"rung": "hopfield-spiking", "k_start": 0.125}})
    serial = run_sweep(validate(sweep, "t.toml"), tmp_path / "serial")
    with dask_executor("local", workers=2, initializer=worker_init) as executor:
        on_dask = run_sweep(validate(sweep, "t.toml"), tmp_path / "dask", executor=executor)
    assert on_dask.lines == serial.lines and overlaps(on_dask) == overlaps(serial)
    assert serial.computed >= 6  # a real search: several K, three trials each


def test_without_dask_a_scheduler_is_one_line_naming_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    out = tmp_path / "out"
    assert main(["run", "capacity_scaling", "--scheduler", "local", "--quiet", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--scheduler" in err and "pip install 'astrobrian[dask]'" in err
    assert not out.exists()


@pytest.mark.parametrize("args, words", [
    (["capacity_scaling", "--scheduler", "my-cluster"], ["--scheduler", "tcp://HOST:PORT"]),
    (["recall", "--scheduler", "local"], ["--scheduler", "capacity sweeps"]),
])
def test_a_bad_scheduler_is_one_line(args, words, tmp_path, capsys):
    assert main(["run", *args, "--quiet", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and all(w in err for w in words), err
