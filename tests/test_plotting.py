"""astrobrian.plotting and plotting_sweeps: no backend switch at import; every figure function
returns a Figure, draws into given axes and refuses a wrong number of them; the file-writing
wrappers still write PNGs; the example of docs/plotting.md runs and writes what it says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure

from astrobrian import plotting, plotting_sweeps
from astrobrian.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


# ---- small synthetic inputs (the attributes the figures read) -----------------------------------
def _report(m: float, threshold: float = 0.9):
    return SimpleNamespace(target_overlap=m, recalled=m >= threshold)


def _recall(n: int, k: int, target: int, unit: str, spikes: bool, m: float):
    t = np.linspace(0.0, 0.3 if unit == "s" else 15.0, 40)
    overlaps = np.tile(np.linspace(0.2, m, t.size)[:, None], (1, k))
    overlaps[:, (target + 1) % k] *= 0.3
    rng = np.random.default_rng(0)
    recordings = ({"spike_t": rng.uniform(0, t[-1], 50), "spike_i": rng.integers(0, n, 50)} if spikes
                  else {"x": rng.normal(size=(t.size, n))})
    return SimpleNamespace(time_unit=unit, cue_duration=t[-1] / 5, t=t, overlaps=overlaps, final_overlaps=overlaps[-1],
                           report=_report(m), recordings=recordings)


def protocol_run(trials: int = 2, knockout_types=("coupling_cut", "process_ablation"), spiking: bool = False):
    """A ProtocolRun-shaped object: network, abstract, DAM and Hopfield recalls, a knockout sweep."""
    n, k = 8, 3
    fractions = [0.0, 0.5, 1.0]
    sweep = SimpleNamespace(types=list(knockout_types), fractions=fractions) if knockout_types else None
    protocol = SimpleNamespace(name="tiny", rung="spiking" if spiking else "rate", n=n, k=k, flips=1,
                               threshold=0.9, knockouts=sweep)
    rng = np.random.default_rng(1)
    out = []
    for i in range(trials):
        patterns = rng.choice([-1, 1], size=(n, k))
        target = i % k
        recalls = {"network": _recall(n, k, target, "s", spiking, 0.95),
                   "abstract": _recall(n, k, target, "tau_n", False, 1.0),
                   "dam": _recall(n, k, target, "tau_n", False, 1.0),
                   "hopfield": _recall(n, k, target, "s", True, 0.5)}
        recalls["dam"].recordings = {}
        knockouts = {(kind, f): {"network": _recall(n, k, target, "s", False, 1 - f),
                                 "abstract": _recall(n, k, target, "tau_n", False, 1 - f / 2)}
                     for kind in knockout_types for f in fractions}
        out.append(SimpleNamespace(index=i, patterns=patterns, target=target, recalls=recalls, knockouts=knockouts))
    return SimpleNamespace(protocol=protocol, trials=out)


def _sizes(ns, kmax):
    return [{"N": n, "kmax": {"0.5": km},
             "points": [{"K": kk, "P": p} for kk, p in ((1, 1.0), (km, 0.5), (2 * km, 0.0))]}
            for n, km in zip(ns, kmax)]


def scaling_summary(level_key: str = "kind") -> dict:
    fit = {"kmax": {"slope": 1.5, "ci95": [1.2, 1.8], "intercept": -1.0}, "memories_per_unit": [0.1, 0.08, 0.06],
           "per_unit_trend": "falling"}
    return {"levels": [0.5], "criterion": "exact recall", "trials": 4,
            "models": {"net": {level_key: "network", "units": "astrocyte", "sizes": _sizes([8, 16, 32], [2, 5, 14])},
                       "hop": {level_key: "abstract", "units": "pairwise", "sizes": _sizes([8, 16, 32], [1, 2, 4])}},
            "fits": {"net": {"0.5": fit}, "hop": {"0.5": {**fit, "kmax": {"slope": None, "ci95": [np.nan, np.nan],
                                                                          "intercept": None}}}},
            "verdict": {"survives": True, "rule": "slope > 1", "reason": "1.5 [1.2, 1.8]"}}


def knockout_summary(level_key: str = "level") -> dict:
    return {"levels": [0.5], "criterion": "exact recall", "N": 16, "flips": 2,
            "models": {"net": {level_key: "network"}, "abs": {level_key: "abstract"}},
            "knockouts": {kind: {"fractions": [0.0, 0.5, 1.0], "net": {"0.5": [6, 3, 1]}, "abs": {"0.5": [7, 4, 1]}}
                          for kind in ("coupling_cut", "gliotransmission_block")}}


def _fit(beta: float):
    return SimpleNamespace(amplitude=1.0, beta=beta, z0=0.0, offset=0.0, rms=0.01, tanh_beta=beta, tanh_rms=0.02)


def activation_inputs():
    z = np.linspace(-2, 2, 5000)
    samples = {name: (z, np.tanh(b * z)) for name, b in (("phi", 1.0), ("g", 3.0), ("psi", 2.0))}
    return samples, {name: _fit(b) for name, b in (("phi", 1.0), ("g", 3.0), ("psi", 2.0))}


def energy_analyses():
    t = np.linspace(0, 0.3, 50)
    out = []
    for i, ok in enumerate((True, False)):
        trace = SimpleNamespace(t=t, energy=-t * (i + 1), t_release=0.1,
                                summary={"energy": {"fraction_non_increasing": 0.9}})
        out.append(SimpleNamespace(energy=trace, recalled=ok, k=4, seed=i, target_overlap=0.9 if ok else 0.2,
                                   abstract_t=np.linspace(0, 15, 30), abstract_energy=-np.linspace(0, 1, 30),
                                   abstract_recalled=ok))
    return out


@pytest.fixture(scope="module")
def scans():
    from astrobrian.capacity import capacity_scan

    return [capacity_scan("hopfield", [16, 32], trials=6, seed=0), capacity_scan("dam2", [16, 32], trials=6, seed=1)]


def cases(scans):
    """(name, build(ax=, fig=), number of panels) for every figure function."""
    run = protocol_run()
    samples, fits = activation_inputs()
    return [
        ("capacity", lambda **kw: plotting.capacity_figure(scans, **kw), 2),
        ("recall_overlaps", lambda **kw: plotting.recall_overlaps_figure(run, **kw), 4),
        ("activity", lambda **kw: plotting.activity_figure(run, **kw), 2),
        ("knockout_sweep", lambda **kw: plotting.knockout_sweep_figure(run, **kw), 4),
        ("capacity_scaling", lambda **kw: plotting_sweeps.capacity_scaling_figure(scaling_summary(), **kw), 4),
        ("knockout_capacity", lambda **kw: plotting_sweeps.knockout_capacity_figure(knockout_summary(), **kw), 2),
        ("activation_fits", lambda **kw: plotting_sweeps.activation_fits_figure(samples, fits, "t", **kw), 3),
        ("energy_traces", lambda **kw: plotting_sweeps.energy_traces_figure(energy_analyses(), "t", **kw), 2),
    ]


# ---- (a) no backend switch ----------------------------------------------------------------------
def test_import_leaves_the_backend_alone():
    """With a backend chosen by MPLBACKEND, then one by matplotlib.use (the modules re-run by a
    reload): the backend stays the one chosen, and no pyplot figure appears."""
    code = ("import importlib, matplotlib\n"
            "import astrobrian.plotting as p, astrobrian.plotting_sweeps as s\n"
            "print(matplotlib.get_backend())\n"
            "matplotlib.use('pdf'); importlib.reload(p); importlib.reload(s)\n"
            "import matplotlib.pyplot as plt\n"
            "print(matplotlib.get_backend(), len(plt.get_fignums()))\n")
    env = {**os.environ, "MPLBACKEND": "svg"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert out.stdout.split() == ["svg", "pdf", "0"], out.stdout + out.stderr


def test_no_private_cross_module_imports():
    for name in ("plotting.py", "plotting_sweeps.py"):
        text = (ROOT / "astrobrian" / name).read_text()
        assert not re.search(r"from \.\S* import[^\n]*\b_\w", text), name
        assert "matplotlib.use(" not in text
        assert not re.search(r"import matplotlib\.pyplot|from matplotlib import pyplot", text), name


# ---- (b) every figure function: a Figure, given axes, wrong counts -------------------------------
def test_every_figure_function_returns_a_figure_and_draws_into_given_axes(scans):
    for name, build, panels in cases(scans):
        fig = build()
        assert isinstance(fig, Figure), name
        assert len(fig.axes) == panels, name

        own = Figure(figsize=(3 * panels, 3))
        axes = own.subplots(1, panels)
        got = build(ax=axes)
        assert got is own, name
        assert len(own.axes) == panels, f"{name}: added axes to the user's figure"
        for a in np.ravel(axes):
            assert a.lines or a.images or a.collections or a.patches, f"{name}: an empty panel"
        assert own.get_suptitle() == "", f"{name}: retitled the user's figure"

        one_more = Figure(layout="constrained")
        got = build(fig=one_more)
        assert got is one_more and len(one_more.axes) == panels, name
        assert one_more.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine", name

        sub = Figure().subfigures(1, 2)[1]
        got = build(fig=sub)
        assert got is sub.figure and len(sub.axes) == panels, name


def test_a_wrong_number_of_axes_is_refused_naming_ax(scans):
    for name, build, panels in cases(scans):
        wrong = Figure().subplots(1, panels + 1)
        with pytest.raises(InputError, match=rf"^ax: expected {panels} matplotlib Axes") as err:
            build(ax=wrong)
        assert err.value.field == "ax", name
    one_panel = Figure().subplots(1, 1)
    with pytest.raises(InputError, match=r"ax: expected 2 matplotlib Axes.*got '1 Axes'"):
        plotting.capacity_figure(scans, ax=one_panel)
    with pytest.raises(InputError, match="ax: expected 2 matplotlib Axes"):
        plotting.capacity_figure(scans, ax=["a", "b"])
    with pytest.raises(InputError, match="^fig: "):
        plotting.capacity_figure(scans, ax=Figure().subplots(1, 2), fig=Figure())


def test_a_figure_without_a_layout_engine_is_laid_out_and_titled():
    fig = Figure()
    assert plotting_sweeps.knockout_capacity_figure(knockout_summary(), fig=fig) is fig
    assert fig.get_suptitle().startswith("knockout capacity, N = 16")
    assert fig.axes[0].get_position().x0 < 0.125  # moved by tight_layout from the default subplot box


def test_a_single_axes_and_a_2d_array_of_axes():
    ko = knockout_summary()
    kinds = list(ko["knockouts"])
    one = Figure().subplots(1, 1)
    assert not one.lines
    plotting_sweeps.knockout_capacity_figure({**ko, "knockouts": {kinds[0]: ko["knockouts"][kinds[0]]}}, ax=one)
    assert len(one.lines) == 2
    run = protocol_run(knockout_types=("coupling_cut",))
    grid = Figure().subplots(2, 1)
    plotting.knockout_sweep_figure(run, ax=grid)
    assert all(a.lines for a in grid)


def test_sweep_summaries_read_the_model_level_under_either_name():
    for key in ("kind", "level"):
        fig = plotting_sweeps.knockout_capacity_figure(knockout_summary(key))
        styles = [line.get_linestyle() for line in fig.axes[0].lines]
        assert styles == ["-", "--"], key
        assert isinstance(plotting_sweeps.capacity_scaling_figure(scaling_summary(key)), Figure)


def test_save_figure_writes_by_suffix(tmp_path):
    fig = Figure(figsize=(2, 2))
    fig.subplots().plot([0, 1], [1, 0])
    png = plotting.save_figure(fig, tmp_path / "a.png")
    svg = plotting.save_figure(fig, tmp_path / "sub" / "a.svg")
    assert png == tmp_path / "a.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.read_text().lstrip().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.png", "a.svg", "sub"]
    with pytest.raises(InputError, match="^fig: "):
        plotting.save_figure("not a figure", tmp_path / "b.png")
    with pytest.raises(InputError, match=r"^path: expected a file name ending in one of .*\.png"):
        plotting.save_figure(fig, tmp_path / "b.figure")
    assert not (tmp_path / "b.figure").exists()


# ---- (d) the file-writing wrappers --------------------------------------------------------------
def _png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_file_writing_wrappers_still_write_pngs(tmp_path, scans, monkeypatch):
    assert _png(plotting.plot_capacity(scans[:1], tmp_path / "c.png", level="0.9"))
    run = protocol_run(trials=1, knockout_types=("coupling_cut",))  # (few panels: quick to render)
    for tr in run.trials:  # a rate run without the (spiking) Hopfield control: activity, not raster
        del tr.recalls["hopfield"]
    figs = plotting.plot_protocol_run(run, tmp_path / "rate")
    assert figs == {"overlaps": tmp_path / "rate" / "overlaps.png", "activity": tmp_path / "rate" / "activity.png",
                    "knockouts": tmp_path / "rate" / "knockouts.png"}
    assert all(_png(p) for p in figs.values())
    assert _png(plotting_sweeps.plot_capacity_scaling(scaling_summary(), tmp_path / "s.png"))
    assert _png(plotting_sweeps.plot_knockout_capacity(knockout_summary(), tmp_path / "kc.png"))
    samples, fits = activation_inputs()
    assert _png(plotting_sweeps.plot_activation_fits(samples, fits, "t", tmp_path / "af.png", max_points=100))
    assert _png(plotting_sweeps.plot_energy_traces(energy_analyses(), "t", tmp_path / "e.png"))
    # a spiking run without a sweep: raster.png and no knockouts.png (files named, not rendered)
    monkeypatch.setattr(plotting, "save_figure", lambda fig, path: Path(path))
    figs = plotting.plot_protocol_run(protocol_run(trials=1, knockout_types=(), spiking=True), tmp_path / "spk")
    assert figs == {"overlaps": tmp_path / "spk" / "overlaps.png", "raster": tmp_path / "spk" / "raster.png"}


# ---- (c) the documented example ------------------------------------------------------------------
def test_the_example_of_docs_plotting_runs(tmp_path, monkeypatch):
    doc = (ROOT / "docs" / "plotting.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.S)
    assert blocks, "no python block in docs/plotting.md"
    said = set(re.findall(r'save_figure\([^,]+,\s*"([^"]+)"\)', "\n".join(blocks)))
    assert said, "the example saves no file"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/plotting.md", "exec"), namespace)
    for name in said:
        assert (tmp_path / name).is_file() and (tmp_path / name).stat().st_size > 0, name
