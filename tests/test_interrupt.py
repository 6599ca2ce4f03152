"""Ctrl+C and SIGTERM: `astrobrian run` stops within 2 s with exit code 130 and one line on
stderr, on one worker and on several; a sweep keeps every finished task in its checkpoint and
its resumption gives the uninterrupted result; nothing is left in the temporary folder."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import weakref

import pytest

from astrobrian import interrupt
from astrobrian.interrupt import StopOnSignal
from astrobrian.sweep import LocalPool
from astrobrian.sweep_protocols import CHECKPOINT, run_sweep, validate

#: a capacity sweep of about a dozen short spiking tasks (≈ 1 s each) and as many abstract ones
SWEEP = """
kind = "capacity_scaling"
name = "tiny_sweep"
N = [12]
trials = 2
levels = [0.5]
rel_tol = 0.5
workers = 1
cue_duration = "30 ms"
duration = "80 ms"
[models.spiking]
rung = "spiking"
k_start = 1.0
[models.dam4]
model = "dam4"
k_start = 1.0
chunk = 1
"""
RECALL = ["recall", "--set", "N=12", "--set", "K=3", "--set", "trials=3", "--set", "cue_duration=30 ms",
          "--set", "duration=100 ms", "--set", "knockouts.enabled=false"]
STOP_S = 2.0
FINISHED = re.compile(r"finished (\S+) \(")


class Command:
    """`astrobrian ARGS` in its own session (its own process group, as a shell's job), with
    TMPDIR of its own; stderr is read as it comes."""

    def __init__(self, args, tmpdir):
        tmpdir.mkdir(exist_ok=True)
        self.tmpdir = tmpdir
        env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "astrobrian.cli", *map(str, args)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True)
        self.reader.start()

    def wait_for(self, pattern, count=1, timeout=120.0):
        """Block until stderr holds `count` lines matching `pattern` (the run still going)."""
        t_end = time.monotonic() + timeout
        while time.monotonic() < t_end:
            if len([line for line in list(self.lines) if re.search(pattern, line)]) >= count:
                return
            assert self.proc.poll() is None, "ended before the signal: " + "".join(self.lines)[-2000:]
            time.sleep(0.02)
        raise AssertionError(f"no {count}× {pattern!r} in {timeout} s: " + "".join(self.lines)[-2000:])

    def stop(self, sig, group=True):
        """Send `sig` (to the whole process group, as a terminal's Ctrl+C does); returns the
        exit code and the seconds from the signal to the exit."""
        finished = self.finished()
        t0 = time.monotonic()
        (os.killpg if group else os.kill)(self.proc.pid, sig)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise
        seconds = time.monotonic() - t0
        self.reader.join(5)
        self.reported = finished
        return rc, seconds

    def finished(self):
        return [m.group(1) for line in list(self.lines) for m in [FINISHED.search(line)] if m]

    @property
    def stderr(self):
        return "".join(self.lines)

    def check_clean_stop(self, rc, seconds, what):
        err = self.stderr
        assert rc == 130, f"{what}: exit {rc}; stderr: {err[-3000:]}"
        assert seconds < STOP_S, f"{what}: {seconds:.2f} s from the signal to the exit"
        assert "Traceback" not in err and "Exception ignored" not in err, f"{what}: {err[-3000:]}"
        assert len([line for line in self.lines if line.startswith("astrobrian run:")]) == 1, err[-2000:]
        assert "interrupted by SIG" in self.lines[-1], err[-2000:]
        assert not list(self.tmpdir.iterdir()), f"{what}: left in TMPDIR: {sorted(os.listdir(self.tmpdir))}"


def checkpoint_keys(out):
    lines = (out / CHECKPOINT).read_text(encoding="utf-8").splitlines()[1:]
    return [json.loads(line)["key"] for line in lines]


def comparable(summary):
    """What a sweep measured (timings aside)."""
    return {key: summary[key] for key in ("N", "models", "fits", "criterion", "levels", "trials", "seed")}


# ---- in this process ---------------------------------------------------------------------------
def test_sigterm_is_a_keyboard_interrupt_and_everything_is_restored():
    from brian2 import prefs

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM), sys.unraisablehook
    stop = StopOnSignal(brian2=True)
    with pytest.raises(KeyboardInterrupt):
        with stop:
            assert prefs.core.stop_on_keyboard_interrupt is False  # Brian2's first Ctrl+C would only end a run
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
    assert stop.signal_name == "SIGTERM"
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM), sys.unraisablehook) == before
    assert prefs.core.stop_on_keyboard_interrupt is True and interrupt.requested() is None


def test_a_stop_dropped_by_a_finalizer_is_raised_again(capsys):
    """A Ctrl+C landing in a weakref callback (Brian2's trackers run them at every collection)
    is dropped by Python with "Exception ignored"; here it stops the command anyway, silently."""

    class Tracked:
        pass

    def slow_callback(ref):
        t_end = time.perf_counter() + 0.3
        while time.perf_counter() < t_end:  # the signal arrives in here
            pass

    obj = Tracked()
    ref = weakref.ref(obj, slow_callback)
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        with StopOnSignal():
            threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
            del obj
            assert time.perf_counter() - t0 > 0.25  # the callback ran to its end: the first stop was dropped
            time.sleep(5)
    assert time.perf_counter() - t0 < 1.5 and ref() is None
    assert "Exception ignored" not in capsys.readouterr().err


def test_an_error_caused_by_a_stop_leaves_as_the_stop():
    with pytest.raises(KeyboardInterrupt) as err:
        with StopOnSignal():
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)
            except KeyboardInterrupt:
                interrupt.acknowledge()
                raise RuntimeError("a pool broken by the stop")
    assert isinstance(err.value.__cause__, RuntimeError)


def test_a_stop_during_a_checkpoint_write_waits_for_its_end(tmp_path, monkeypatch):
    from astrobrian.sweep import Checkpoint

    checkpoint = Checkpoint(tmp_path / "checkpoint.jsonl", {"s": 1})
    written = []
    with pytest.raises(KeyboardInterrupt):
        with StopOnSignal():
            with interrupt.deferred():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.2)
                written.append(True)
            time.sleep(5)
    assert written == [True]
    with pytest.raises(KeyboardInterrupt):
        with StopOnSignal():
            real_dumps = json.dumps

            def slow_dumps(obj, *args, **kwargs):  # the header is written while the signal arrives
                if "fingerprint" in obj:
                    os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(0.2)
                return real_dumps(obj, *args, **kwargs)

            monkeypatch.setattr(json, "dumps", slow_dumps)
            checkpoint.append("k", 1)
    monkeypatch.undo()
    assert Checkpoint(tmp_path / "checkpoint.jsonl", {"s": 1}).done == checkpoint.done == {"k": 1}


def test_the_message_after_a_stop_starts_on_a_line_of_its_own():
    import io

    from astrobrian.progress import ProgressBar, end_lines

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    bar = ProgressBar(term)
    bar(3, 3, "tasks known so far", False)  # a sweep's total grows: not the end of the line
    assert not term.getvalue().endswith("\n")
    end_lines()
    assert term.getvalue().endswith("\n") and term.getvalue().count("\n") == 1
    end_lines()
    assert term.getvalue().count("\n") == 1


def test_closing_a_pool_kills_its_running_workers_and_removes_their_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pool = LocalPool(1)
    fut = pool.submit(time.sleep, 60)
    t_end = time.monotonic() + 60
    while not fut.running() and time.monotonic() < t_end:
        time.sleep(0.05)
    time.sleep(0.3)
    t0 = time.monotonic()
    pool.shutdown(wait=False, cancel_futures=True)
    assert time.monotonic() - t0 < STOP_S
    assert fut.done() and not list(tmp_path.iterdir())


# ---- `astrobrian run`, stopped by a signal -----------------------------------------------------
def test_stopped_sweeps_keep_their_tasks_and_resume_to_the_uninterrupted_result(tmp_path):
    """One sweep stopped three times — Ctrl+C on one worker and on two, SIGTERM — then
    finished: every task reported finished is in the checkpoint, none is run twice, each stop
    takes < 2 s, and the result equals the uninterrupted sweep's (run alongside)."""
    proto = tmp_path / "tiny_sweep.toml"
    proto.write_text(SWEEP, encoding="utf-8")
    reference = subprocess.Popen([sys.executable, "-m", "astrobrian.cli", "run", str(proto), "--out",
                                  str(tmp_path / "reference"), "--quiet", "--json"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = tmp_path / "out"
    steps = [(1, signal.SIGINT, True), (2, signal.SIGINT, True), (1, signal.SIGTERM, False)]
    seen: list[str] = []
    times = {}
    for i, (workers, sig, group) in enumerate(steps):
        cmd = Command(["run", proto, "--out", out, "--workers", workers], tmp_path / f"tmp{i}")
        cmd.wait_for(FINISHED.pattern, count=2)
        rc, seconds = cmd.stop(sig, group)
        what = f"{sig.name} to the {'process group' if group else 'process'}, {workers} worker(s)"
        cmd.check_clean_stop(rc, seconds, what)
        kept = checkpoint_keys(out)
        assert set(cmd.reported) <= set(kept), f"{what}: reported finished, not kept: {set(cmd.reported) - set(kept)}"
        assert len(kept) == len(set(kept)) and not set(cmd.reported) & set(seen), f"{what}: a task ran twice"
        assert not (out / "results.json").exists()
        seen = kept
        times[what] = round(seconds, 2)
    print("signal → exit:", times)
    resumed = run_sweep(validate({**_data(proto), "workers": 1}), out)
    assert resumed.resumed == len(seen)
    stdout, stderr = reference.communicate(timeout=300)
    assert reference.returncode == 0, stderr[-2000:]
    clean = json.loads(stdout)
    assert comparable(json.loads(json.dumps(resumed.summary()))) == comparable(clean)
    points = json.loads((tmp_path / "reference" / "results.json").read_text(encoding="utf-8"))["points"]
    overlaps = lambda pts: {line: {str(k): [r["overlap"] for r in t] for k, t in by_k.items()}  # noqa: E731
                            for line, by_k in pts.items()}
    assert overlaps(resumed.points) == overlaps(points)


def _data(path):
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))


def test_ctrl_c_stops_a_recall_run_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    cmd = Command(["run", *RECALL, "--out", out], tmp_path / "tmp")
    cmd.wait_for(r"trial 0: network")
    rc, seconds = cmd.stop(signal.SIGINT)
    cmd.check_clean_stop(rc, seconds, "recall run")
    assert not out.exists() or not list(out.iterdir())
    print(f"recall run: signal → exit {seconds:.2f} s")


def test_ctrl_c_during_the_start_up_is_one_line_too(tmp_path):
    """Building the parser imports Brian2 (seconds): a Ctrl+C then is handled like any other."""
    proto = tmp_path / "tiny_sweep.toml"
    proto.write_text(SWEEP, encoding="utf-8")
    cmd = Command(["run", proto, "--out", tmp_path / "out"], tmp_path / "tmp")
    t_end = time.monotonic() + 60
    while not list(cmd.tmpdir.glob("brian_debug_*")) and time.monotonic() < t_end:  # Brian2's import began
        assert cmd.proc.poll() is None, cmd.stderr
        time.sleep(0.005)
    time.sleep(0.2)  # past the instant Brian2 records its log file's name (and deletes it at exit)
    assert cmd.proc.poll() is None, cmd.stderr
    rc, seconds = cmd.stop(signal.SIGINT)
    assert rc == 130 and seconds < STOP_S, (rc, seconds, cmd.stderr[-2000:])
    assert cmd.stderr.count("\n") == 1 and "interrupted by SIGINT" in cmd.stderr, cmd.stderr[-2000:]
    assert not list(cmd.tmpdir.iterdir()), sorted(os.listdir(cmd.tmpdir))
    assert not (tmp_path / "out").exists()
