"""`astrobrian capacity` and `astrobrian protocols`: every bad input is one line naming the
option, exit code 2, before any trial, with nothing written; result sets are whole or absent;
--json output is strict JSON; the protocol library can be listed and shown."""

import json
import os
from pathlib import Path

import pytest

from astrobrian import protocols
from astrobrian.cli import main
from astrobrian.provenance import to_json

FAST = ["--model", "dam4", "--n", "10", "12", "--trials", "5", "--quiet"]

BAD_CAPACITY = [
    # sizes: too small, repeated, or without a single flipped bit
    (["--n", "2", "3"], "--flip/--n"),
    (["--n", "10", "10"], ["--n", "distinct"]),
    (["--n", "0"], "--n"),
    (["--n", "-3"], "--n"),
    (["--n", "1"], "--n"),
    # plain ranges
    (["--seed", "-1"], ["--seed", "≥ 0"]),
    (["--trials", "0"], "--trials"),
    (["--trials", "-1"], "--trials"),
    (["--flip", "nan"], "--flip"),
    (["--flip", "inf"], "--flip"),
    (["--flip", "-0.1"], "--flip"),
    (["--flip", "1.5"], "--flip"),
    (["--flip", "0"], ["--flip/--n", "measures nothing"]),
    (["--flip", "0.5"], ["--flip/--n", "mirror"]),
    (["--criterion", "overlap", "--threshold", "nan"], "--threshold"),
    (["--threshold", "0"], "--threshold"),
    (["--threshold", "2"], "--threshold"),
    (["--model", "dam4", "dam4"], ["--model", "distinct"]),
    # sizes the machine cannot hold or the search cannot reach: refused with the estimate
    (["--model", "neuron-astrocyte", "--n", "100000"], ["--n", "needs about", "available"]),
    (["--model", "dam4", "--n", "100000"], ["--n", "search limit"]),
    (["--model", "dam4", "--n", "10", "--trials", str(10**12)], ["--trials", "needs about", "available"]),
    # parameters: unknown for a model (the help's own kind of example), non-finite, wrong sign or kind
    (["--param", "beta=3"], ["--param beta", "model 'hopfield'", "MODEL.beta"]),
    (["--model", "dam4", "--param", "dam4.beta=1"], ["--param dam4.beta", "model 'dam4'", "max_sweeps"]),
    (["--param", "dam9.beta=1"], ["--param dam9.beta", "MODEL"]),
    (["--model", "dam4", "--param", "hopfield.max_sweeps=5"], ["--param hopfield.max_sweeps", "--model"]),
    (["--param", "beta"], ["--param", "KEY=VALUE"]),
    (["--model", "neuron-astrocyte", "--param", "beta=nan"], ["--param beta", "finite", "neuron-astrocyte"]),
    (["--model", "neuron-astrocyte", "--param", "beta=NaN"], ["--param beta", "finite"]),
    (["--model", "neuron-astrocyte", "--param", "tau_s=inf"], ["--param tau_s", "finite"]),
    (["--model", "neuron-astrocyte", "--param", "tau_s=-0.2"], ["--param tau_s", "> 0", "neuron-astrocyte"]),
    (["--model", "neuron-astrocyte", "--param", "tau_n=0"], ["--param tau_n", "> 0"]),
    (["--model", "neuron-astrocyte", "--param", "neuron-astrocyte.lam=-1"], ["--param neuron-astrocyte.lam"]),
    (["--model", "neuron-astrocyte", "--param", "dt=true"], ["--param dt", "finite number"]),
    (["--model", "neuron-astrocyte", "--param", "steps=0"], ["--param steps", "integer ≥ 1"]),
    (["--model", "neuron-astrocyte", "--param", "stop_tol=-1"], ["--param stop_tol", "≥ 0"]),
    (["--model", "neuron-astrocyte", "--param", "cue_strength=2"], ["--param cue_strength", "init = 'rest'"]),
    (["--model", "neuron-astrocyte-rest", "--param", "cue_strength=0"], ["--param cue_strength", "> 0"]),
    (["--model", "neuron-astrocyte", "--param", "method=leapfrog"], ["--param method"]),
    (["--model", "modern", "--param", "beta=abc"], ["--param beta", "modern"]),
    (["--model", "hopfield", "--param", "max_sweeps=2.5"], ["--param max_sweeps", "integer"]),
    (["--model", "astro-gated", "--param", "t_end=0"], ["--param t_end", "> 0"]),
]


@pytest.mark.parametrize("args, words", BAD_CAPACITY, ids=[" ".join(a) for a, _ in BAD_CAPACITY])
def test_bad_capacity_input_is_one_named_line_before_any_work(bad_input, tmp_path, args, words):
    out = tmp_path / "out"
    bad_input(["capacity", *args, "--out", out, "--quiet"], words, out=out)
    assert not out.exists()


def _read_only_folder(tmp_path: Path) -> Path:
    if os.geteuid() == 0:  # permissions do not stop root; /proc refuses every new file
        return Path("/proc")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize("make_out, words", [
    (lambda d: (d / "file").write_text("x") and d / "file", ["--out", "existing file"]),
    (lambda d: (d / "file").write_text("x") and d / "file" / "sub", ["--out", "is a file"]),
    (lambda d: _read_only_folder(d) / "sub", ["--out", "read-only"]),
    (lambda d: (d / "o" / "capacity.json").mkdir(parents=True) or d / "o", ["--out", "capacity.json"]),
], ids=["existing file", "under a file", "read-only folder", "capacity.json is a folder"])
def test_unusable_output_folders_are_refused_before_the_scan(bad_input, tmp_path, make_out, words):
    out = make_out(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    bad_input(["capacity", *FAST, "--out", out], words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no staging folder, nothing new


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity (Python's json accepts them by default)."""
    def refuse(token):
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_capacity_json_is_strict_json_where_a_fit_is_undefined(tmp_path, capsys):
    """Two sizes: a slope without a confidence interval (NaN inside) → null, not NaN."""
    out = tmp_path / "cap"
    assert main(["capacity", *FAST, "--out", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    summary = strict_json(captured.out)
    fit = summary["models"]["dam4"]["slope"]["0.5"]
    assert fit["slope"] is not None and fit["ci95"] == [None, None]
    assert "two sizes" in captured.err
    strict_json((out / "capacity.json").read_text())
    assert sorted(p.name for p in out.iterdir()) == ["capacity.json", "capacity.png", "manifest.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["cap"]  # no staging folder left beside it


def test_a_single_size_is_a_scan_without_a_slope(tmp_path, capsys):
    out = tmp_path / "one"
    assert main(["capacity", "--model", "dam4", "--n", "10", "--trials", "5", "--quiet", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "one size (N = 10)" in captured.err and "no scaling slope" in captured.err
    assert "dam4" in captured.out and "-" in captured.out.splitlines()[2]
    results = strict_json((out / "capacity.json").read_text())
    assert results["summary"]["models"]["dam4"]["slope"]["0.5"]["slope"] is None
    assert results["scans"][0]["flipped_bits"] == {"10": 1}


def test_model_scoped_parameters_reach_only_their_model(tmp_path, capsys):
    out = tmp_path / "p"
    assert main(["capacity", "--model", "dam4", "hopfield", "--n", "10", "--trials", "5", "--quiet", "--json",
                 "--param", "hopfield.max_sweeps=3", "--param", "record_every=2", "--out", str(out)]) == 0
    models = strict_json((out / "manifest.json").read_text())["parameters"]["models"]
    assert models["hopfield"]["max_sweeps"] == 3 and models["dam4"]["max_sweeps"] == 50
    assert models["hopfield"]["record_every"] == models["dam4"]["record_every"] == 2


def test_a_failed_write_leaves_the_previous_results_and_no_staging_folder(tmp_path, capsys, monkeypatch):
    out = tmp_path / "cap"
    assert main(["capacity", "--model", "dam4", "--n", "10", "--trials", "5", "--quiet", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_plot(scans, path):
        Path(path).write_bytes(b"half a figure")
        raise KeyboardInterrupt

    monkeypatch.setattr("astrobrian.plotting.plot_capacity", broken_plot)
    assert main(["capacity", "--model", "dam4", "--n", "10", "--trials", "5", "--quiet", "--seed", "3",
                 "--out", str(out)]) == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the old set, whole
    assert [p.name for p in tmp_path.iterdir()] == ["cap"]
    assert main(["capacity", "--model", "dam4", "--n", "10", "--trials", "5", "--quiet", "--seed", "3",
                 "--out", str(tmp_path / "new")]) == 130
    assert [p.name for p in tmp_path.iterdir()] == ["cap"]  # a new folder: absent, not half written


def test_json_printing_maps_non_finite_numbers_to_null():
    assert strict_json(to_json({"a": float("nan"), "b": [float("inf"), 1.5]})) == {"a": None, "b": [None, 1.5]}


def test_protocols_list_names_every_shipped_protocol(capsys):
    assert main(["protocols", "list"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert listed == protocols.available()
    assert "capacity_scaling" in out and "rungs: spiking" in out and "knockout_capacity" in out


def test_protocols_show_resolves_keys_units_defaults_and_the_flip_rule(capsys):
    assert main(["protocols", "show", "recall"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and line.split()}
    assert lines["N"].split()[1] == "32" and lines["K"].split()[1] == "16"
    assert "⌊0.15·32⌋ = 4 bits" in lines["flip"]
    assert "120 ms" in lines["cue_duration"] and "320 ms" in lines["duration"]
    assert "[abstract]" in out and "[controls.hopfield]" in out and "coupling_cut" in out
    assert "exactly ⌊ρN⌋" in out  # the rule for flip / flips


@pytest.mark.parametrize("args, words", [(["protocols"], "show NAME|FILE"), (["protocols", "show"], "running nothing"),
                                         (["protocols", "list"], "shipped")])
def test_protocols_subcommands_have_help(capsys, args, words):
    with pytest.raises(SystemExit) as stop:
        main([*args, "--help"])
    assert stop.value.code == 0 and words in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("args, words", [
    (["protocols", "show", "nope"], ["protocol", "recall"]),
    (["protocols", "show", "/nonexistent/p.toml"], ["protocol", ".toml"]),
])
def test_protocols_bad_names_are_one_line(bad_input, args, words):
    bad_input(args, words)


def test_protocols_show_refuses_a_bad_file_naming_the_key(bad_input, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('kind = "capacity_scaling"\nN = [16, 16]\ncue_duration = "1 ms"\nduration = "2 ms"\n'
                    'models = {}\n')
    bad_input(["protocols", "show", path], ["mine.toml", "[N]", "distinct"])


def test_the_help_example_of_param_works_with_the_default_models():
    import re

    from astrobrian.capacity import Criterion, check_scan
    from astrobrian.cli import DEFAULT_MODELS, build_parser, capacity_params

    help_text = " ".join(build_parser()._subparsers._group_actions[0].choices["capacity"].format_help().split())
    example = re.search(r"e\.g\. (--param .*?) \(", help_text).group(1).replace("neuron- astrocyte", "neuron-astrocyte")
    values = example.split()[1::2]
    assert len(values) == 2
    params, _ = capacity_params(values, DEFAULT_MODELS)
    assert params["neuron-astrocyte"]["beta"] == 3
    check_scan(params, [10], 0.1, 5, Criterion(), 0)
