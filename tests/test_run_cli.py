"""`astrobrian run`: complete, labelled, reproducible outputs, written atomically; bad input is
one line on stderr with exit code 2."""

import json
import subprocess
import sys

import numpy as np
import pytest

from astrobrian import protocols, results, runner
from astrobrian.cli import main

TINY = """
name = "tiny"
rung = "rate"
seed = 3
trials = 2
N = 12
K = 4
flips = 2
cue_duration = "1 second"
duration = "4 second"

[network]
dt = 0.02

[abstract]
dt = 0.02
cue_duration = 1.0
duration = 4.0

[controls.hopfield]
rung = "hopfield-spiking"
cue_duration = "20 ms"
duration = "80 ms"

[knockouts]
type = "coupling_cut"
fractions = [0.0, 1.0]
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def outputs(folder):
    return sorted(p.name for p in folder.iterdir())


def test_run_writes_labelled_results_manifest_and_figures(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tiny), "--out", str(out), "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["N"] == 12 and summary["trials"] == 2 and summary["flipped_bits"] == 2
    assert set(summary["fraction_recalled"]) == {"network", "abstract", "dam", "hopfield"}
    assert [row["trial"] for row in summary["per_trial"]] == [0, 1]
    for key in ("target_overlap", "best_other_overlap", "time_to_retrieval", "persists"):
        assert key in summary["per_trial"][0]["network"]
    assert summary["knockouts"]["coupling_cut"]["fractions"] == [0.0, 1.0]
    # rate network (activity) and the spiking Hopfield control (raster) in raster.png; nothing
    # half-written or temporary left beside the outputs
    assert outputs(out) == ["knockouts.png", "manifest.json", "overlaps.png", "raster.png", "results.json",
                            "results.npz"]
    arrays = np.load(out / "results.npz")
    for key in ("trial0/patterns", "trial0/cue", "trial1/network/overlaps", "trial1/network/x", "trial0/dam/t",
                "trial0/abstract/overlaps", "trial0/hopfield/spike_t", "trial0/knockouts/coupling_cut/1/network/t",
                "knockouts/coupling_cut/abstract/target_overlap", "summary/hopfield/target_overlap"):
        assert key in arrays.files, key
    assert arrays["trial0/patterns"].shape == (12, 4) and arrays["trial1/network/overlaps"].shape[1] == 4
    assert arrays["knockouts/coupling_cut/network/target_overlap"].shape == (2, 2)
    results = json.loads((out / "results.json").read_text())
    assert results["summary"] == summary
    assert set(results["arrays"]["shapes"]) == set(arrays.files)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest == results["manifest"] and manifest["seed"] == 3
    assert "brian2" in manifest["versions"] and "runtime" in manifest["device"]
    params = manifest["parameters"]
    assert params["network"]["hebbian_scale"] == 1 / 12 and params["network"]["init"] == "rest"
    assert params["protocol"]["file"]["knockouts"]["fractions"] == [0.0, 1.0]
    assert params["hopfield"]["N"] == 12 and "dam" in params and "abstract" in params
    for fig in ("overlaps.png", "raster.png", "knockouts.png"):
        assert (out / fig).stat().st_size > 10_000


def test_same_seed_gives_identical_results(tiny):
    proto = protocols.load(tiny, {"controls.hopfield.enabled": False})
    first, again = runner.run_protocol(proto).arrays(), runner.run_protocol(proto).arrays()
    assert first.keys() == again.keys()
    for key in first:
        np.testing.assert_array_equal(first[key], again[key], err_msg=key)
    other = runner.run_protocol(protocols.load(tiny, {"controls.hopfield.enabled": False, "seed": 4})).arrays()
    assert not np.array_equal(other["trial0/patterns"], first["trial0/patterns"])


def test_an_interrupted_write_leaves_no_half_written_results_file(tiny, tmp_path, monkeypatch):
    run = runner.run_protocol(protocols.load(tiny, {"controls.hopfield.enabled": False, "trials": 1}))
    out = tmp_path / "out"

    def crash(path, **arrays):
        with open(path, "wb") as f:
            f.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", crash)
    with pytest.raises(KeyboardInterrupt):
        results.write_results(run, out)
    assert not out.exists() or outputs(out) == []
    monkeypatch.undo()
    results.write_results(run, out)  # a complete earlier result survives a later crash
    before = (out / "results.npz").read_bytes()
    monkeypatch.setattr(np, "savez_compressed", crash)
    with pytest.raises(KeyboardInterrupt):
        results.write_results(run, out)
    assert (out / "results.npz").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_an_interrupted_run_writes_nothing(tiny, tmp_path, monkeypatch, capsys):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "abstract_recall", interrupt)
    out = tmp_path / "out"
    assert main(["run", str(tiny), "--out", str(out), "--quiet"]) == 130
    assert "no results file" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--set", "network.betaa=3"], "[network.betaa]"),
        (["--set", "bogus=1"], "[bogus]"),
        (["--set", "cue_duration=2 mV"], "[cue_duration]"),
        (["--set", "duration=-1 second"], "[duration]"),
        (["--set", "K=0"], "[K]"),
        (["--set", "flips=13"], "[flips]"),
        (["--set", "device=gpu"], "[device]"),
        (["--set", "rung=quantum"], "[rung]"),
        (["--set", "controls.hopfield.network.cue_current=3 mV"], "[controls.hopfield.network.cue_current]"),
        (["--set", "N"], "--set"),
        (["--seed", "-1"], "[seed]"),
    ],
)
def test_bad_input_is_one_line_naming_the_key_and_exit_2(tiny, tmp_path, capsys, args, words):
    out = tmp_path / "out"
    assert main(["run", str(tiny), "--out", str(out), "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_help_from_the_shell_and_unknown_protocol_or_device(tmp_path, capsys):
    help_ = subprocess.run([sys.executable, "-m", "astrobrian.cli", "run", "--help"], capture_output=True, text=True)
    assert help_.returncode == 0 and "--set KEY=VALUE" in help_.stdout and "recall" in help_.stdout
    assert main(["run", "no_such_protocol", "--out", str(tmp_path)]) == 2
    assert "protocol: expected" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--device", "gpu"])
    assert exit_.value.code == 2 and "--device" in capsys.readouterr().err


def test_a_tiny_spiking_run_draws_the_raster(tmp_path, capsys):
    out = tmp_path / "spiking"
    args = ["run", "recall", "--out", str(out), "--quiet", "--set", "N=12", "--set", "K=3", "--set", "trials=1",
            "--set", "cue_duration=30 ms", "--set", "duration=100 ms", "--set", "knockouts.enabled=false"]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "spiking rung" in table and "Hopfield" in table and "target overlap ≥ 0.9" in table
    assert {"raster.png", "overlaps.png", "results.npz"} <= set(outputs(out))
    arrays = np.load(out / "results.npz")
    assert arrays["trial0/network/spike_i"].size > 0 and "trial0/hopfield/rates" in arrays.files
    # same seed, same spikes (every network is seeded from the protocol's seed and the trial)
    assert main([*args[:2], "--out", str(tmp_path / "again"), *args[4:]]) == 0
    again = np.load(tmp_path / "again" / "results.npz")
    for key in ("trial0/network/spike_t", "trial0/network/spike_i", "trial0/hopfield/spike_t"):
        np.testing.assert_array_equal(again[key], arrays[key])


SPIKING_TINY = """
name = "tiny_spiking"
rung = "spiking"
seed = 5
trials = 3
N = 12
K = 3
flips = 2
cue_duration = "30 ms"
duration = "80 ms"

[network]
readout_window = "20 ms"

[abstract]
dt = 0.02
cue_duration = 1.0
duration = 4.0

[controls.dam]
enabled = false

[controls.hopfield]
enabled = false

[knockouts]
type = "process_ablation"
fractions = [0.0, 0.5]
"""


@pytest.mark.integration
def test_a_protocol_on_cpp_standalone_gives_the_runtime_results(tmp_path):
    """Every trial of a protocol on cpp_standalone — one build per structure (intact, ablated), a
    re-run per trial (astrobrian.compiled) — gives the runtime device's results: the same read-outs
    and spikes, trial by trial (each trial's own ablation mask included)."""
    path = tmp_path / "tiny_spiking.toml"
    path.write_text(SPIKING_TINY)
    runs = {device: runner.run_protocol(protocols.load(path, {"device": device})).arrays()
            for device in ("runtime", "cpp_standalone")}
    a, b = runs["runtime"], runs["cpp_standalone"]
    assert a.keys() == b.keys() and "trial2/knockouts/process_ablation/0.5/network/spike_t" in a
    for key in a:
        if np.issubdtype(a[key].dtype, np.floating):
            np.testing.assert_allclose(b[key], a[key], rtol=0, atol=1e-9, err_msg=key)
        else:
            np.testing.assert_array_equal(b[key], a[key], err_msg=key)
