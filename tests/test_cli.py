"""The astrobrian command: outputs, reproducibility, and one-line errors with exit code 2."""

import json
import subprocess
import sys

import pytest

from astrobrian.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "astrobrian.cli", *args], capture_output=True, text=True)


def test_capacity_writes_results_manifest_and_figure(tmp_path, capsys):
    out = tmp_path / "cap"
    rc = main(["capacity", "--model", "dam4", "hopfield", "--n", "10", "12", "14", "16", "--trials", "30",
               "--seed", "5", "--out", str(out), "--json", "--quiet"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["models"]) == {"dam4", "hopfield"}
    assert summary["models"]["dam4"]["slope"]["0.5"]["slope"] > 1.0
    results = json.loads((out / "capacity.json").read_text())
    assert results["manifest"]["seed"] == 5
    assert "numpy" in results["manifest"]["versions"]
    assert results["manifest"]["parameters"]["models"]["dam4"]["n"] == 4
    assert (out / "capacity.png").stat().st_size > 10_000
    assert not list(out.glob(".*"))  # no temporary files left behind
    # same seed → identical results
    rc = main(["capacity", "--model", "dam4", "hopfield", "--n", "10", "12", "14", "16", "--trials", "30",
               "--seed", "5", "--out", str(tmp_path / "again"), "--json", "--quiet"])
    again = json.loads(capsys.readouterr().out)
    assert again["models"] == summary["models"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["capacity", "--n", "1"], "--n"),
        (["capacity", "--model", "dam9"], "invalid choice"),
        (["capacity", "--flip", "2"], "--flip"),
        (["capacity", "--trials", "-3"], "--trials"),
        (["capacity", "--model", "dam4", "--param", "beta=2"], "--param beta: expected a parameter of model 'dam4'"),
        (["capacity", "--criterion", "overlap", "--threshold", "0"], "--threshold"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, words, tmp_path):
    proc = run_cli(*args, "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x" / "capacity.json").exists()


@pytest.mark.parametrize("args, words", [(["capacity"], "--criterion"), (["models"], "show"),
                                         (["models", "list"], "List"), (["models", "show"], "--preset")])
def test_every_subcommand_has_help(args, words):
    proc = run_cli(*args, "--help")
    assert proc.returncode == 0 and words in proc.stdout


def test_models_list_and_show_print_the_library():
    listing = run_cli("models", "list")
    assert listing.returncode == 0 and "lr1994_astrocyte" in listing.stdout
    card = run_cli("models", "show", "lr1994_astrocyte", "--preset", "nest_unit_test")
    assert card.returncode == 0
    assert "dCa/dt = J_channel - J_pump + J_leak + J_noise" in card.stdout
    assert "NEST 3.10" in card.stdout and "preset: nest_unit_test" in card.stdout


@pytest.mark.parametrize("args, words", [(["models", "show", "nope"], "model"),
                                         (["models", "show", "lr1994_astrocyte", "--preset", "x"], "presets")])
def test_models_bad_input_is_one_line_and_exit_2(args, words):
    proc = run_cli(*args)
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr
