"""`astrobrian run`: every bad input, fault and impossible size ends as one line naming the
field, exit code 2, before any simulation, with nothing written; a network that goes unstable
while it runs stops with one line naming the group, the variable and the time."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from astrobrian import protocols


def run_args(protocol, out, settings, *extra):
    """`astrobrian run PROTOCOL --out OUT --quiet` with a --set for each of `settings`."""
    return ["run", protocol, "--out", out, "--quiet", *extra, *(a for s in settings for a in ("--set", s))]


BAD_SETTINGS = [
    # silent wrong results before: non-finite or wrong-sign parameters
    (["network.beta_s=NaN"], "network.beta_s"),
    (["network.tau_p=1e400 ms"], "network.tau_p"),
    (["network.tau_p=-60 ms"], "network.tau_p"),
    (["network.tau_s=0 ms"], "network.tau_s"),
    (["network.J=inf nA"], "network.J"),
    (["network.beta_p=-2"], "network.beta_p"),
    (["network.hebbian_scale=nan"], "network.hebbian_scale"),
    (["network.cue_current=1e999 pA"], "network.cue_current"),
    # cross-field rules, checked when the protocol is read
    (["duration=130 ms"], "duration"),
    (["duration=1e400 ms"], "duration"),
    (["cue_duration=400 ms"], "duration"),
    (["network.readout_window=300 ms"], "duration"),
    (["controls.hopfield.duration=150 ms"], "controls.hopfield.duration"),
    # degenerate measurements: repeated patterns
    (["N=4", "K=20"], "[K]"),
    (["N=16", "K=100000"], "[K]"),
    # sizes that cannot fit in memory: refused with the estimate, before anything is built
    (["N=5000"], "[N]"),
    (["N=100000"], "[N]"),
    (["N=64", "K=2000000"], "[N]"),
    # ranges of plain values
    (["trials=0"], "trials"),
    (["flip=1.5"], "flip"),
    (["flips=40"], "flips"),
    (["threshold=nan"], "threshold"),
    (["cue_strength=-1"], "cue_strength"),
    (["seed=-1"], "seed"),
]


@pytest.mark.parametrize("settings, field", BAD_SETTINGS, ids=[" ".join(s) for s, _ in BAD_SETTINGS])
def test_bad_settings_are_one_named_line_before_any_work(bad_input, tmp_path, settings, field):
    out = tmp_path / "out"
    args = run_args("spiking", out, ["trials=1", *settings])  # one trial if a case slipped through
    t0 = time.perf_counter()
    bad_input(args, field, out=out)
    assert time.perf_counter() - t0 < 20  # validation only: no network was run
    assert not out.exists()


def test_sizes_refused_for_memory_name_the_estimate_and_the_machine(bad_input, tmp_path):
    line = bad_input(["run", "spiking", "--set", "N=100000", "--out", tmp_path / "o", "--quiet"], "[N]")
    assert "needs about" in line and "available" in line


def test_a_negative_seed_option_is_refused(bad_input, tmp_path):
    bad_input(["run", "spiking", "--seed", "-1", "--out", tmp_path / "o", "--quiet"], "seed")


def test_a_protocol_file_that_is_not_utf8_is_one_line(bad_input, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "caf\xe9"\nrung = "spiking"\n'.encode("latin-1"))
    bad_input(["run", path, "--out", tmp_path / "o", "--quiet"], ["latin1.toml", "UTF-8"])


@pytest.mark.parametrize("make_out, field", [
    (lambda d: (d / "file").write_text("x") and d / "file", "--out"),                  # an existing file
    (lambda d: (d / "file").write_text("x") and d / "file" / "sub", "--out"),          # a path under a file
    (lambda d: (d / "o" / "results.json").mkdir(parents=True) or d / "o", "results.json"),
], ids=["existing file", "under a file", "results.json is a folder"])
def test_an_unusable_output_folder_is_refused_before_the_run(bad_input, tmp_path, make_out, field):
    out = make_out(tmp_path)
    t0 = time.perf_counter()
    bad_input(["run", "spiking", "--out", out, "--quiet"], [field])
    assert time.perf_counter() - t0 < 20


def _lock(folder):
    """Make `folder` unwritable for real (chmod for a user, the immutable flag for root);
    returns the command that unlocks it, or None when this machine cannot."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return lambda: folder.chmod(0o755)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        return lambda: subprocess.run(["chattr", "-i", str(folder)])
    return None


def test_a_read_only_or_immutable_output_folder_is_refused(bad_input, tmp_path, monkeypatch):
    out = tmp_path / "locked"
    out.mkdir()
    unlock = _lock(out)
    if unlock is None:  # no way to lock a folder here: the file system refuses the probe instead
        import astrobrian.output as output

        def refuse(*args, **kwargs):
            raise PermissionError(30, "Read-only file system")

        monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    try:
        bad_input(["run", "spiking", "--out", out / "sub", "--quiet"], ["--out", "read-only"])
    finally:
        if unlock is not None:
            unlock()


def test_flips_set_on_the_command_line_wins_over_the_files_flip():
    path, data = protocols.read("spiking", [("flips", 3)])
    protocol = protocols.validate(data, path.name)
    assert protocol.flips == 3
    path, data = protocols.read("spiking", [("flips", 3), ("flip", 0.25)])  # the later setting wins
    assert protocols.validate(data, path.name).flips == 8


def test_a_network_that_blows_up_stops_naming_group_variable_and_time():
    from brian2 import ms

    from astrobrian.errors import NumericalInstability
    from astrobrian.network import build_network
    from astrobrian.patterns import random_patterns

    xi = random_patterns(12, 3, np.random.default_rng(0))
    net = build_network("spiking", xi, tau_s="0.01 ms")  # valid, but Euler at 1 ms steps cannot integrate it
    t0 = time.perf_counter()
    with pytest.raises(NumericalInstability) as err:
        net.recall(xi[:, 0], 0, cue_duration=120 * ms, duration=320 * ms)
    assert time.perf_counter() - t0 < 10
    assert (err.value.group, err.value.variable) == ("spiking_synapses", "s")
    assert float(net.network.t / ms) < 50  # stopped at the first check after it happened, not at the end
    assert "t ≈" in str(err.value)


def test_the_nan_gain_run_ends_at_once_with_one_short_line(tmp_path):
    """The case that used to write a gigabyte of log: now one line, exit 2, within 10 s."""
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "astrobrian.cli", "run", "spiking", "--set", "network.beta_s=NaN",
                          "--out", str(tmp_path / "o"), "--quiet"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert time.perf_counter() - t0 < 10 + 5  # plus the interpreter's start and Brian2's import
    assert res.returncode == 2 and len(res.stderr) < 10_000
    assert res.stderr.count("\n") == 1 and "network.beta_s" in res.stderr
    assert not (tmp_path / "o").exists() and sorted(os.listdir(tmp_path)) == []


def test_a_valid_run_writes_the_complete_set_and_no_staging_folder(tmp_path, capsys):
    from astrobrian.cli import main

    out = tmp_path / "nested" / "out"
    assert main(["run", "rate", "--set", "N=12", "--set", "K=3", "--set", "trials=1", "--set",
                 "controls.hopfield.enabled=false", "--set", "knockouts.enabled=false", "--set",
                 "network.dt=0.05", "--set", "abstract.dt=0.05", "--set", "controls.dam.dt=0.05",
                 "--out", str(out), "--quiet", "--json"]) == 0
    json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in out.iterdir()) == ["activity.png", "manifest.json", "overlaps.png",
                                                     "results.json", "results.npz"]
    assert [p.name for p in (tmp_path / "nested").iterdir()] == ["out"]  # no staging folder left


SWEEP_CASES = [
    (["duration=130 ms"], "[duration]"),
    (["N=[5000]"], "[N]"),
    (["models.biophysical.N=[4000]"], "[models.biophysical.N]"),
    (["models.neuron-astrocyte-rest.params.beta=nan"], "models.neuron-astrocyte-rest.params.beta"),
    (["models.spiking.network.tau_p=-1 ms"], "models.spiking.network.tau_p"),
]


@pytest.mark.parametrize("settings, field", SWEEP_CASES, ids=[" ".join(s) for s, _ in SWEEP_CASES])
def test_bad_sweep_settings_are_one_named_line_before_any_work(bad_input, tmp_path, settings, field):
    out = tmp_path / "out"
    bad_input(run_args("capacity_scaling", out, settings, "--workers", "1"), field, out=out)
    assert not out.exists()


def test_a_sweep_into_a_file_is_refused_before_any_work(bad_input, tmp_path):
    (tmp_path / "file").write_text("x")
    bad_input(["run", "capacity_scaling", "--out", tmp_path / "file", "--quiet", "--workers", "1"], "--out")
