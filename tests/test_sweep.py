"""Capacity sweeps (issue 5): the adaptive K_max search, the parallel resumable sweep engine, the
scaling fits and verdict, and the capacity protocols run end to end on small sizes."""

import json

import numpy as np
import pytest

from astrobrian.analysis.scaling import (
    SweepModel,
    Verdict,
    compute_units,
    draw_trial,
    kmax_line,
    point_tasks,
    scaling_fits,
    success_fraction,
    trend,
    upper_half,
)
from astrobrian.capacity import Criterion, drive, find_kmax, kmax_search
from astrobrian.cli import main
from astrobrian.errors import InputError
from astrobrian.protocols import ProtocolError, read
from astrobrian.sweep import Checkpoint, InProcess, LocalPool, Task, run_lines
from astrobrian.sweep_protocols import run_sweep, validate


# ---- the K_max search --------------------------------------------------------------------------
@pytest.mark.parametrize("k_start", [1, 5, 37, 38, 200])
def test_search_finds_a_sharp_threshold_from_any_start(k_start):
    """P(K) = 1 for K ≤ 37, 0 above: every start brackets [37, 38] exactly (rel_tol 0)."""
    visited = []

    def p(k):
        visited.append(k)
        return 1.0 if k <= 37 else 0.0

    kmax, bracket = drive(kmax_search(0.5, {}, k_start=k_start, rel_tol=0.0), p)
    assert bracket == [37, 38]
    assert 37 <= kmax <= 38
    assert len(visited) == len(set(visited))  # no point evaluated twice
    assert len(visited) < 20


def test_search_reports_zero_when_one_pattern_fails():
    assert drive(kmax_search(0.5, {}, k_start=8), lambda k: 0.0) == (0.0, [0, 1])


def test_find_kmax_is_the_driven_search():
    p = lambda k: float(np.clip(1.5 - k / 40.0, 0, 1))  # noqa: E731
    a = find_kmax(p, 0.5, {}, rel_tol=0.05, k_start=10)
    b = drive(kmax_search(0.5, {}, k_start=10, rel_tol=0.05), p)
    assert a == b
    assert abs(a[0] - 40.0) / 40.0 < 0.06


def test_levels_share_points():
    calls = []

    def p(k):
        calls.append(k)
        return float(np.clip(1.2 - k / 50.0, 0, 1))

    res = drive(kmax_line((0.5, 0.9), k_start=16, rel_tol=0.05, k_limit=1 << 16), p)
    assert res["kmax"]["0.9"] < res["kmax"]["0.5"]
    assert len(calls) == len(set(calls)) == len(res["points"])


def test_a_second_criterion_reads_the_same_trials_and_asks_only_for_new_points():
    """Sent per-trial overlaps, a line finds K_max under its own criterion exactly as when sent P,
    then under exact recall from the same trials; no K is evaluated twice, and the exact search sees
    every point the first one evaluated."""
    trials = 40

    def overlaps(k):
        exact = int(round(trials * np.clip(1.2 - k / 30.0, 0, 1)))
        close = int(round(trials * np.clip(1.2 - k / 60.0, 0, 1)))
        return np.array([1.0] * exact + [0.92] * max(0, close - exact) + [0.4] * (trials - max(exact, close)))

    calls = []

    def record(k):
        calls.append(k)
        return overlaps(k)

    criteria = (Criterion("overlap", 0.9), Criterion("exact"))
    res = drive(kmax_line((0.5, 0.9), k_start=16, rel_tol=0.05, k_limit=1 << 16, criteria=criteria), record)
    alone = drive(kmax_line((0.5, 0.9), k_start=16, rel_tol=0.05, k_limit=1 << 16),
                  lambda k: float(np.mean(criteria[0].success_overlap(overlaps(k)))))
    assert res["kmax"] == alone["kmax"] == res["criteria"]["overlap"]["kmax"]
    exact = res["criteria"]["exact"]
    assert exact["kmax"]["0.5"] < res["kmax"]["0.5"]
    assert 19 <= exact["kmax"]["0.5"] <= 22 and 40 <= res["kmax"]["0.5"] <= 44  # the crossings at 21 and 42
    assert len(calls) == len(set(calls))
    assert set(res["points"]) <= set(exact["points"]) == set(calls)


def test_upper_half_keeps_the_larger_sizes_and_at_least_three():
    assert upper_half([16, 24, 32, 48, 64, 96, 128]) == [48, 64, 96, 128]
    assert upper_half([64, 16, 32, 24, 48, 96]) == [48, 64, 96]
    assert upper_half([16, 32, 64, 128]) == [32, 64, 128]
    assert upper_half([16, 32]) == [16, 32]


# ---- the engine ------------------------------------------------------------------------------------
def _square(spec):
    return spec["x"] ** 2


def _lines_and_tasks():
    def line(start):
        total, x = 0, start
        while x < start + 3:
            total += yield x
            x += 1
        return total

    lines = {"a": line(0), "b": line(10)}

    def tasks_for(name, x):
        return [Task(f"{name}|{x}|{i}", _square, {"x": x + i}) for i in range(2)]

    return lines, tasks_for, (lambda name, x, results: sum(results))


def test_run_lines_advances_every_search():
    lines, tasks_for, reduce = _lines_and_tasks()
    results, evaluated, stats = run_lines(lines, tasks_for, reduce, InProcess(), Checkpoint(None, {}))
    expect_a = sum(x**2 + (x + 1) ** 2 for x in range(0, 3))
    expect_b = sum(x**2 + (x + 1) ** 2 for x in range(10, 13))
    assert results == {"a": expect_a, "b": expect_b}
    assert stats.computed == 12 and stats.resumed == 0 and stats.points == 6
    assert evaluated[("b", 11)] == [121, 144]


class _Interrupted(InProcess):
    """Dies (like a killed run) after `limit` tasks."""

    def __init__(self, limit):
        super().__init__()
        self.limit = limit

    def submit(self, fn, /, *args, **kwargs):
        if self.limit == 0:
            raise KeyboardInterrupt
        self.limit -= 1
        return super().submit(fn, *args, **kwargs)


def test_interrupted_sweep_resumes_without_redoing_finished_tasks(tmp_path):
    path = tmp_path / "checkpoint.jsonl"
    lines, tasks_for, reduce = _lines_and_tasks()
    with pytest.raises(KeyboardInterrupt):
        run_lines(lines, tasks_for, reduce, _Interrupted(5), Checkpoint(path, {"s": 1}))
    saved = len(path.read_text().splitlines()) - 1  # the header, then one line per finished task
    assert 0 < saved <= 5
    with path.open("a") as fh:  # a line cut short by the crash
        fh.write('{"key": "a|2|')
    lines, tasks_for, reduce = _lines_and_tasks()
    resumed, _, stats = run_lines(lines, tasks_for, reduce, InProcess(), Checkpoint(path, {"s": 1}))
    lines, tasks_for, reduce = _lines_and_tasks()
    clean, _, _ = run_lines(lines, tasks_for, reduce, InProcess(), Checkpoint(None, {"s": 1}))
    assert resumed == clean
    assert stats.resumed == saved and stats.computed == 12 - saved


def test_in_process_every_task_finished_before_an_interruption_is_kept(tmp_path):
    """One worker: each task's result is in the checkpoint before the next task starts, so a
    Ctrl+C loses only the task it interrupts."""
    path = tmp_path / "checkpoint.jsonl"
    lines, tasks_for, reduce = _lines_and_tasks()
    ran = []

    def counted(name, x):
        def fn(spec):
            if len(ran) == 7:
                raise KeyboardInterrupt
            ran.append(spec["x"])
            return _square(spec)

        return [Task(t.key, fn, t.spec) for t in tasks_for(name, x)]

    with pytest.raises(KeyboardInterrupt):
        run_lines(lines, counted, reduce, InProcess(), Checkpoint(path, {"s": 1}))
    assert len(Checkpoint(path, {"s": 1}).done) == len(ran) == 7


def test_progress_counts_tasks_of_those_known_so_far():
    calls = []
    lines, tasks_for, reduce = _lines_and_tasks()
    run_lines(lines, tasks_for, reduce, InProcess(), Checkpoint(None, {}),
              progress=lambda done, known, label, final: calls.append((done, known, label, final)))
    finished = [c for c in calls if "finished" in c[2]]
    assert [c[0] for c in finished] == list(range(1, 13))  # one more with each task
    assert all(done <= known for done, known, _, _ in calls) and calls[-1][:2] == (12, 12)
    assert [c[3] for c in calls] == [False] * (len(calls) - 1) + [True]
    assert "2/2 lines done" in calls[-1][2] and "0/2 lines done" in finished[0][2]


def test_checkpoint_of_other_settings_is_refused(tmp_path):
    path = tmp_path / "checkpoint.jsonl"
    Checkpoint(path, {"N": [16]}).append("k", 1)
    assert Checkpoint(path, {"N": [16]}).done == {"k": 1}
    with pytest.raises(InputError, match="another sweep"):
        Checkpoint(path, {"N": [24]})


def test_task_error_stops_the_sweep_with_its_message():
    def line():
        yield 1

    def bad(spec):
        raise ValueError("boom in task")

    with pytest.raises(ValueError, match="boom in task"):
        run_lines({"x": line()}, lambda n, p: [Task("t", bad, {})], lambda *a: 0.0, InProcess(), Checkpoint(None, {}))


def test_local_pool_gives_the_in_process_results():
    """Two spawned workers run the abstract trials of two points: same overlaps as in-process."""
    model = SweepModel("hop", "abstract", "hopfield", chunk=3)
    tasks = point_tasks(model, 16, 3, 6, 2, 0, 0.9) + point_tasks(model, 16, 5, 6, 2, 0, 0.9)
    pool = LocalPool(2)
    try:
        futures = [pool.submit(t.fn, t.spec) for t in tasks]
        remote = [f.result() for f in futures]
    finally:
        pool.shutdown()
    local = [t.fn(t.spec) for t in tasks]
    strip = lambda res: [[r["overlap"] for r in chunk] for chunk in res]  # noqa: E731
    assert strip(remote) == strip(local)


def test_pool_workers_use_one_blas_thread_and_this_process_keeps_its_setting(monkeypatch):
    import os

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # a user's own setting is left alone
    pool = LocalPool(1)
    try:
        seen = pool.submit(os.getenv, "OPENBLAS_NUM_THREADS").result()
        mkl = pool.submit(os.getenv, "MKL_NUM_THREADS").result()
    finally:
        pool.shutdown()
    assert seen == "1" and mkl == "3"
    assert "OPENBLAS_NUM_THREADS" not in os.environ


def test_any_executor_runs_a_sweep_with_the_in_process_results(tmp_path):
    """A standard thread pool, given by the caller (and left to it), gives the serial results and
    the same checkpoint; a rerun on it reads everything back."""
    import concurrent.futures as cf

    data = {"kind": "capacity_scaling", "N": [12, 16], "trials": 4, "flips": 1, "levels": [0.5], "rel_tol": 0.5,
            "cue_duration": "120 ms", "duration": "320 ms", "workers": 1,
            "models": {"hop": {"model": "hopfield", "chunk": 2}}}
    serial = run_sweep(validate(data, "t.toml"), tmp_path / "serial")
    with cf.ThreadPoolExecutor(2) as threads:
        pooled = run_sweep(validate(data, "t.toml"), tmp_path / "threads", executor=threads)
        again = run_sweep(validate(data, "t.toml"), tmp_path / "threads", executor=threads)
        assert threads.submit(int, "7").result() == 7  # the caller's executor: still open
    overlaps = lambda run: {line: {k: [r["overlap"] for r in trials] for k, trials in pts.items()}  # noqa: E731
                            for line, pts in run.points.items()}
    assert pooled.lines == serial.lines and overlaps(pooled) == overlaps(serial)
    assert again.computed == 0 and again.resumed == pooled.computed and again.lines == serial.lines


# ---- trials, fits and the verdict ----------------------------------------------------------------
def test_trials_are_shared_across_models_and_knockouts_fixed_across_k():
    a, b = draw_trial(3, 16, 5, 2, 7), draw_trial(3, 16, 5, 2, 7)
    assert np.array_equal(a.patterns, b.patterns) and np.array_equal(a.cue, b.cue) and a.target == b.target
    assert np.sum(a.cue != a.patterns[:, a.target]) == 2
    assert draw_trial(3, 16, 9, 2, 7).knockout_seed == a.knockout_seed  # same processes at every K
    assert draw_trial(3, 16, 5, 2, 8).knockout_seed != a.knockout_seed


def test_success_fraction_applies_the_criterion():
    res = [[{"overlap": 1.0}, {"overlap": 0.9}], [{"overlap": 0.875}, {"overlap": -1.0}]]
    assert success_fraction(res, Criterion("overlap", 0.9)) == 0.5
    assert success_fraction(res, Criterion("exact")) == 0.25


def test_scaling_fits_recover_known_exponents():
    ns = [16, 24, 32, 40]
    dense = scaling_fits(ns, [0.01 * n**3 for n in ns], "astrocyte")
    assert dense["kmax"]["slope"] == pytest.approx(3.0, abs=1e-9)
    assert trend(dense["per_unit"]) == "grows"
    noise = [1.03, 0.97, 1.02, 0.98]  # measured capacities scatter
    pair = scaling_fits(ns, [0.14 * n * e for n, e in zip(ns, noise)], "pairwise")
    assert pair["kmax"]["slope"] == pytest.approx(1.0, abs=0.1)
    assert trend(pair["per_neuron"]) == "flat" and trend(pair["per_unit"]) == "falls"
    assert compute_units(10, "astrocyte") == 210 and compute_units(10, "pairwise") == 100
    assert compute_units(10, "astrocyte-no-autapses") == 190  # N + 2N(N − 1): no i = i synapse–process pairs


def test_compute_units_count_what_is_wired():
    from astrobrian.analysis.scaling import unit_count

    assert unit_count("network", "spiking", {}) == "astrocyte-no-autapses"  # the rung's default: no autapses
    assert unit_count("network", "spiking", {"autapses": True}) == "astrocyte"
    assert unit_count("network", "biophysical", {"autapses": False}) == "astrocyte-no-autapses"
    assert unit_count("abstract", "neuron-astrocyte-rest", {}) == "astrocyte-no-autapses"
    assert unit_count("abstract", "neuron-astrocyte-rest", {"autapses": True, "self_coupling": False}) == "astrocyte"
    assert unit_count("abstract", "neuron-astrocyte", {}) == "astrocyte"  # the authors' reference: all N² pairs
    assert unit_count("abstract", "quartic-dam-rest", {}) == "astrocyte-no-autapses"
    assert unit_count("network", "hopfield-spiking", {}) == "pairwise"


def test_verdict_rule():
    def fits(s_net, s_ref):
        return {"net": {"0.5": {"kmax": {"slope": s_net}}}, "ref": {"0.5": {"kmax": {"slope": s_ref}}}}

    v = Verdict("net", "ref")
    assert v.decide(fits(2.6, 3.0))["survives"] is True
    assert v.decide(fits(1.9, 2.0))["survives"] is False  # too shallow
    assert v.decide(fits(2.1, 3.0))["survives"] is False  # too far from the reference
    assert v.decide(fits(None, 3.0))["survives"] is None


# ---- protocols ---------------------------------------------------------------------------------
_SMALL = {
    "kind": "capacity_scaling", "N": [12, 16], "trials": 4, "cue_duration": "120 ms", "duration": "320 ms",
    "workers": 1, "levels": [0.5], "rel_tol": 0.25,
    "models": {"abstract": {"model": "neuron-astrocyte-rest"}, "dam4": {"model": "dam4", "k_start": 2.0}},
    "verdict": {"network": "dam4", "reference": "abstract"},
}


@pytest.mark.parametrize("name", ["capacity_scaling", "knockout_capacity"])
def test_shipped_sweep_protocols_validate(name):
    path, data = read(name)
    p = validate(data, path.name)
    assert p.kind == name
    if name == "capacity_scaling":
        assert len(p.ns) >= 4 and p.verdict is not None
        assert {m.target for m in p.models} >= {"spiking", "hopfield-spiking", "neuron-astrocyte-rest", "dam4"}
    else:
        abstract = [m for m in p.models if m.level == "abstract"][0]
        assert abstract.params["coupling"].gap_junction == 1.0  # the network's territories


@pytest.mark.parametrize("change, key", [
    ({"kind": "capacity"}, "kind"),
    ({"N": 16}, "N"),
    ({"N": [16, 16]}, "N"),
    ({"flip": 1.5}, "flip"),
    ({"bogus": 1}, "bogus"),
    ({"models": {"r": {"rung": "rate"}}}, "models.r.rung"),
    ({"models": {"x": {"model": "nope"}}}, "models.x.model"),
    ({"models": {"x": {"model": "dam4", "params": {"beta": 2}}}}, "models.x.params.beta"),
    ({"models": {"s": {"rung": "spiking", "network": {"tau_s": "3 mV"}}}}, "models.s.network.tau_s"),
    ({"verdict": {"network": "spiking", "reference": "abstract"}}, "verdict.network"),
    ({"knockouts": {"type": "coupling_cut", "fractions": [0.5]}}, "knockouts"),
    ({"workers": -1}, "workers"),
    ({"duration": "100 ms"}, "duration"),
])
def test_bad_sweep_protocols_name_the_key(change, key):
    with pytest.raises(ProtocolError) as err:
        validate({**_SMALL, **change}, "t.toml")
    assert err.value.key == key


def test_knockout_capacity_refuses_ip3r2_on_the_spiking_rung():
    data = {"kind": "knockout_capacity", "N": 12, "cue_duration": "120 ms", "duration": "320 ms",
            "models": {"s": {"rung": "spiking"}}, "knockouts": {"type": "ip3r2_knockout", "fractions": [0, 1]}}
    with pytest.raises(ProtocolError, match="biophysical"):
        validate(data, "t.toml")


def test_same_seed_same_sweep_and_knockouts_lower_abstract_capacity(tmp_path):
    data = {"kind": "knockout_capacity", "N": 12, "trials": 6, "cue_duration": "120 ms", "duration": "320 ms",
            "workers": 1, "levels": [0.5], "rel_tol": 0.25, "models": {"abstract": {"model": "neuron-astrocyte-rest"}},
            "knockouts": {"type": "coupling_cut", "fractions": [0.0, 1.0]}}
    p = validate(data, "t.toml")
    a = run_sweep(p).summary()
    b = run_sweep(p).summary()
    assert a["knockouts"] == b["knockouts"]
    intact, cut = a["knockouts"]["coupling_cut"]["abstract"]["0.5"]
    assert intact > 2 and cut < intact  # the memories stored in the astrocyte are lost


def test_spiking_capacity_exceeds_its_pairwise_control(tmp_path, capsys):
    """`astrobrian run` on a small, coarse spiking sweep (N = 12, 3 trials per point): the astrocyte
    network's K_max is several times the pairwise control's on the same trials; the second run
    reads every point back from the checkpoint."""
    proto = tmp_path / "small.toml"
    proto.write_text(
        'kind = "capacity_scaling"\nN = [12]\ntrials = 3\nlevels = [0.5]\nrel_tol = 0.5\nworkers = 1\n'
        'cue_duration = "120 ms"\nduration = "320 ms"\n'
        '[models.spiking]\nrung = "spiking"\nk_start = 2.0\n'
        '[models.hopfield-spiking]\nrung = "hopfield-spiking"\nk_start = 0.125\n',
        encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(proto), "--out", str(out), "--quiet", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    k_spk = first["models"]["spiking"]["sizes"][0]["kmax"]["0.5"]
    k_hop = first["models"]["hopfield-spiking"]["sizes"][0]["kmax"]["0.5"]
    assert k_spk >= 3 * max(k_hop, 1.0)
    assert (out / "capacity_scaling.png").stat().st_size > 0
    report = json.loads((out / "results.json").read_text())
    assert report["manifest"]["seed"] == 0 and report["summary"]["tasks_resumed"] == 0
    assert main(["run", str(proto), "--out", str(out), "--quiet", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["tasks_run"] == 0 and second["tasks_resumed"] == first["tasks_run"]
    assert second["models"] == first["models"]
    assert main(["run", str(proto), "--out", str(out), "--quiet", "--set", "trials=4"]) == 2  # other settings
    assert "another sweep" in capsys.readouterr().err


def test_models_with_sizes_of_their_own_say_so(tmp_path, capsys):
    """`--set N=…` sets the protocol's sizes; a model's own N stays, and the summary and the
    table say which sizes each model ran."""
    proto = tmp_path / "own.toml"
    proto.write_text(
        'kind = "capacity_scaling"\nN = [12, 16]\ntrials = 4\nlevels = [0.5]\nrel_tol = 0.25\nworkers = 1\n'
        'cue_duration = "120 ms"\nduration = "320 ms"\n'
        '[models.abstract]\nmodel = "neuron-astrocyte-rest"\n'
        '[models.dam4]\nmodel = "dam4"\nk_start = 2.0\nN = [12]\n', encoding="utf-8")
    assert main(["run", str(proto), "--out", str(tmp_path / "out"), "--quiet", "--set", "N=[14, 16]"]) == 0
    table = capsys.readouterr().out
    report = json.loads((tmp_path / "out" / "results.json").read_text())["summary"]
    assert report["N"] == [14, 16]
    assert report["models"]["abstract"]["N"] == [14, 16] and report["models"]["dam4"]["N"] == [12]
    assert [s["N"] for s in report["models"]["dam4"]["sizes"]] == [12]
    header = [line for line in table.splitlines() if "model" in line and "N=" in line][0]
    assert header.split()[1:4] == ["N=12", "N=14", "N=16"]
    assert "sizes of their own" in table and "dam4 N = 12" in table


def test_knockout_capacity_with_a_models_own_size():
    data = {"kind": "knockout_capacity", "N": 12, "trials": 4, "cue_duration": "120 ms", "duration": "320 ms",
            "workers": 1, "levels": [0.5], "rel_tol": 0.25,
            "models": {"a12": {"model": "neuron-astrocyte-rest"}, "a16": {"model": "neuron-astrocyte-rest", "N": 16}},
            "knockouts": {"type": "coupling_cut", "fractions": [0.0, 1.0]}}
    summary = run_sweep(validate(data, "t.toml")).summary()
    assert summary["models"]["a12"]["N"] == 12 and summary["models"]["a16"]["N"] == 16
    assert summary["models"]["a16"]["flips"] == 2 and len(summary["knockouts"]["coupling_cut"]["a16"]["0.5"]) == 2


def test_recall_protocols_refuse_sweep_options(capsys):
    assert main(["run", "recall", "--workers", "2", "--quiet"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_coupling_cut_removes_the_spiking_rungs_extra_capacity():
    """knockout_capacity on the spiking rung (N = 12, coarse): cutting the astrocyte's coupling
    brings K_max down to the pairwise range, as the abstract prediction on the same trials."""
    data = {"kind": "knockout_capacity", "N": 12, "trials": 3, "cue_duration": "120 ms", "duration": "320 ms",
            "workers": 1, "levels": [0.5], "rel_tol": 0.5,
            "models": {"spiking": {"rung": "spiking", "k_start": 2.0}, "abstract": {"model": "neuron-astrocyte-rest"}},
            "knockouts": {"type": "coupling_cut", "fractions": [0.0, 1.0]}}
    table = run_sweep(validate(data, "t.toml")).summary()["knockouts"]["coupling_cut"]
    (net_intact, net_cut), (ab_intact, ab_cut) = table["spiking"]["0.5"], table["abstract"]["0.5"]
    assert net_intact >= 8 and net_cut <= 3  # pairwise Hopfield at N = 12: K_max ≈ 2–3
    assert ab_cut < ab_intact
