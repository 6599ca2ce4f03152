"""Run a recall protocol (issue 4) and write what it measured.

Every trial draws fresh patterns, a target and a cue from (seed, trial), so the same seed gives
the same results. The protocol's network is built on its device, started from rest and cued
by an input current (never by setting synapse or process states); its read-out is compared with
the controls given the same cue — the quartic DAM (`QuarticDAMLimit`, from rest) and a spiking
pairwise-Hopfield network — and with the abstract model (`NeuronAstrocyteMemory` from rest).
A knockout sweep repeats the recall with each knockout fraction, next to the abstract model's
prediction for the same `Knockouts`. `write_results` writes the results (NPZ arrays + JSON),
the manifest and the figures, each file atomically (written aside, then renamed), and only
after every simulation finished: an interrupted run leaves no half-written results file.
"""

from __future__ import annotations

import gc
import inspect
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .abstract.knockouts import Knockouts
from .abstract.neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit
from .devices import use_device
from .errors import InputError
from .patterns import cue_batch, overlaps, random_patterns, sign
from .protocols import Protocol, ProtocolError, RunTimes, network_parameters
from .recall import RecallReport, recall_report

#: the models of every trial, in table order: the protocol's network, the abstract model from
#: rest, and the two controls
MODELS = ("network", "abstract", "dam", "hopfield")
LABELS = {"network": "network", "abstract": "abstract model", "dam": "quartic DAM", "hopfield": "spiking Hopfield"}
SHORT = {"network": "network", "abstract": "abstract", "dam": "DAM", "hopfield": "Hopfield"}
#: recorded points of an abstract run (its trajectory is thinned to about this many)
ABSTRACT_POINTS = 500
#: rungs whose recall takes times as plain numbers in units of τ_n (= 1 Brian2 second); every
#: other rung takes Brian2 times
PLAIN_TIME_RUNGS = ("rate",)

Progress = Callable[[int, int, str], None]


@dataclass
class ModelRecall:
    """One model's recall of one cue: read-out overlaps over time (T, K), final overlaps (K,),
    the report and the raw recordings; `time_unit` is 's' (Brian2) or 'tau_n' (abstract)."""

    model: str
    time_unit: str
    cue_duration: float
    t: np.ndarray
    overlaps: np.ndarray
    final_overlaps: np.ndarray
    report: RecallReport
    recordings: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class TrialResult:
    """A trial: its patterns (N, K), target, cue, every model's recall and the knockout runs
    {(type, fraction): {'network': …, 'abstract': …}}."""

    index: int
    patterns: np.ndarray
    target: int
    cue: np.ndarray
    brian_seed: int
    knockout_seed: int
    recalls: dict[str, ModelRecall] = field(default_factory=dict)
    knockouts: dict[tuple[str, float], dict[str, ModelRecall]] = field(default_factory=dict)


@dataclass
class ProtocolRun:
    """Everything a protocol run measured, with every parameter used."""

    protocol: Protocol
    trials: list[TrialResult]
    parameters: dict
    seconds: float

    # ---- summaries ------------------------------------------------------------------------
    def summary(self) -> dict:
        """Per-trial rows, the recall fraction per model and the knockout sweep (JSON-able)."""
        p = self.protocol
        models = [m for m in MODELS if self.trials and m in self.trials[0].recalls]
        rows = []
        for tr in self.trials:
            row = {"trial": tr.index, "target": tr.target, "cue_overlap": tr.recalls["network"].report.cue_overlap}
            row.update({m: _report_row(tr.recalls[m].report) for m in models})
            rows.append(row)
        aggregate = {}
        for m in models:
            reps = [tr.recalls[m].report for tr in self.trials]
            aggregate[m] = {
                "recalled": sum(r.recalled for r in reps),
                "persists": sum(r.persists for r in reps),
                "trials": len(reps),
                "fraction_recalled": float(np.mean([r.recalled for r in reps])),
                "mean_target_overlap": float(np.mean([r.target_overlap for r in reps])),
                "time_unit": self.trials[0].recalls[m].time_unit,
            }
        sweep = {}
        if p.knockouts is not None:
            for kind in p.knockouts.types:
                entry = {"fractions": list(p.knockouts.fractions)}
                for m in ("network", "abstract"):
                    ov = np.array([[tr.knockouts[(kind, f)][m].report.target_overlap for f in p.knockouts.fractions]
                                   for tr in self.trials])
                    entry[m] = {
                        "fraction_recalled": np.mean(ov >= p.threshold, axis=0).tolist(),
                        "mean_target_overlap": ov.mean(axis=0).tolist(),
                    }
                sweep[kind] = entry
        return {
            "protocol": p.name,
            "rung": p.rung,
            "device": p.device,
            "seed": p.seed,
            "N": p.n,
            "K": p.k,
            "flipped_bits": p.flips,
            "trials": p.trials,
            "threshold": p.threshold,
            "seconds": round(self.seconds, 2),
            "fraction_recalled": {m: aggregate[m]["fraction_recalled"] for m in models},
            "models": aggregate,
            "per_trial": rows,
            "knockouts": sweep,
        }

    def records(self) -> list[dict]:
        """Every report of every trial (the JSON side of the results)."""
        out = []
        for tr in self.trials:
            out.append({
                "trial": tr.index,
                "target": tr.target,
                "brian_seed": tr.brian_seed,
                "knockout_seed": tr.knockout_seed,
                "reports": {m: {**r.report.to_dict(), "time_unit": r.time_unit} for m, r in tr.recalls.items()},
                "knockouts": [
                    {"type": kind, "fraction": f, **{m: r.report.to_dict() for m, r in runs.items()}}
                    for (kind, f), runs in tr.knockouts.items()
                ],
            })
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        """Every recorded array, labelled 'trial<i>/<model>/<name>' (and per knockout run)."""
        out: dict[str, np.ndarray] = {}
        for tr in self.trials:
            base = f"trial{tr.index}"
            out[f"{base}/patterns"] = tr.patterns
            out[f"{base}/cue"] = tr.cue
            out[f"{base}/target"] = np.array(tr.target)
            for m, rec in tr.recalls.items():
                out.update(_recall_arrays(f"{base}/{m}", rec))
            for (kind, f), runs in tr.knockouts.items():
                for m, rec in runs.items():
                    out.update(_recall_arrays(f"{base}/knockouts/{kind}/{f:g}/{m}", rec))
        p = self.protocol
        if p.knockouts is not None:
            for kind in p.knockouts.types:
                out[f"knockouts/{kind}/fractions"] = np.array(p.knockouts.fractions)
                for m in ("network", "abstract"):
                    out[f"knockouts/{kind}/{m}/target_overlap"] = np.array(
                        [[tr.knockouts[(kind, f)][m].report.target_overlap for f in p.knockouts.fractions]
                         for tr in self.trials])
        for m in MODELS:
            if self.trials and m in self.trials[0].recalls:
                out[f"summary/{m}/target_overlap"] = np.array([tr.recalls[m].report.target_overlap for tr in self.trials])
        return out


def _report_row(r: RecallReport) -> dict:
    return {
        "target_overlap": r.target_overlap,
        "best_other_overlap": r.best_other_overlap,
        "best_other": r.best_other,
        "time_to_retrieval": r.time_to_retrieval,
        "persists": r.persists,
        "recalled": r.recalled,
    }


def _recall_arrays(prefix: str, rec: ModelRecall) -> dict[str, np.ndarray]:
    out = {f"{prefix}/t": np.asarray(rec.t), f"{prefix}/overlaps": np.asarray(rec.overlaps),
           f"{prefix}/final_overlaps": np.asarray(rec.final_overlaps)}
    out.update({f"{prefix}/{k}": np.asarray(v) for k, v in rec.recordings.items()})
    return out


# ---- one recall per model ----------------------------------------------------------------------
def _builder_kwargs(rung: str, params: dict, seed: int) -> dict:
    """The builder's arguments: the protocol's parameters, plus init='rest' and the trial's
    seed where the builder takes them."""
    from .network import BUILDERS

    kwargs = dict(params)
    signature = inspect.signature(BUILDERS[rung]).parameters
    if "init" in signature:
        kwargs["init"] = "rest"
    if "seed" in signature:
        kwargs["seed"] = seed
    return kwargs


def network_recall(rung: str, params: dict, patterns: np.ndarray, cue: np.ndarray, target: int, times: RunTimes,
                   threshold: float, device: str, brian_seed: int, directory: Path | None = None,
                   prefix: str = "network.", source: str = "protocol", model: str = "network") -> tuple[ModelRecall, dict]:
    """Build `rung` on `device` (seeded), present the cue, read out; returns the recall and the
    network's parameters. A bad parameter is reported under its protocol key."""
    from brian2 import second
    from brian2 import seed as brian2_seed

    from .network import build_network

    unit = 1.0 if rung in PLAIN_TIME_RUNGS else second

    with use_device(device, directory=directory):
        brian2_seed(brian_seed)
        try:
            net = build_network(rung, patterns, **_builder_kwargs(rung, params, brian_seed))
        except InputError as err:
            key = err.field.split(" ", 1)[0]
            if key in params:
                raise ProtocolError(source, prefix + key, err.expected, err.got) from None
            raise
        run = net.recall(cue, target, cue_duration=times.cue_duration * unit, duration=times.duration * unit,
                         cue_strength=times.cue_strength, threshold=threshold)
    rec = ModelRecall(model, "s", times.cue_duration, np.asarray(run.t), np.asarray(run.overlaps),
                      np.asarray(run.final_overlaps), run.report,
                      {k: np.asarray(v) for k, v in run.recordings.items()})
    return rec, dict(net.parameters)


def abstract_recall(model, name: str, cue: np.ndarray, target: int, times: RunTimes, threshold: float) -> ModelRecall:
    """Run an abstract model from rest with the cue as an input for cue_duration (units of τ_n);
    read out sign(x) like the rate rung."""
    xi = model.patterns
    steps = max(1, int(round(times.duration / times.dt)))
    traj = model.run(cue, init="rest", dt=times.dt, steps=steps, cue_strength=times.cue_strength,
                     cue_duration=times.cue_duration, record_every=max(1, steps // ABSTRACT_POINTS))
    ov = overlaps(sign(traj.x), xi)
    final = overlaps(sign(traj.final), xi)
    cue_ov = float(cue @ xi[:, target] / xi.shape[0])
    report = recall_report(traj.t, ov, final, target, times.cue_duration, cue_ov, threshold)
    return ModelRecall(name, "tau_n", times.cue_duration, traj.t, ov, final, report, {"x": traj.x})


def _abstract_model(protocol: Protocol, patterns: np.ndarray, knockouts: Knockouts | None = None):
    params = {**NeuronAstrocyteMemory.rest_scaling_parameters(protocol.n), **protocol.abstract}
    return NeuronAstrocyteMemory(patterns, knockouts=knockouts, **params)


def steps_per_trial(protocol: Protocol) -> int:
    """Progress units of one trial: network, abstract model, controls, knockout runs (2 each)."""
    n = 2 + (protocol.dam is not None) + (protocol.hopfield is not None)
    if protocol.knockouts is not None:
        n += 2 * len(protocol.knockouts.types) * sum(f > 0 for f in protocol.knockouts.fractions)
    return n


def run_protocol(protocol: Protocol, progress: Progress | None = None) -> ProtocolRun:
    """Run every trial of `protocol` (see the module docstring); nothing is written here."""
    # Brian2 calls gc.collect() at every run(); with everything already alive frozen out of the
    # collector's view (CPython's gc.freeze), each of those costs ms instead of ~0.1 s
    gc.collect()
    gc.freeze()
    try:
        return _run_trials(protocol, progress)
    finally:
        gc.unfreeze()


def _run_trials(protocol: Protocol, progress: Progress | None) -> ProtocolRun:
    t_start = time.perf_counter()
    total = protocol.trials * steps_per_trial(protocol)
    done = 0
    parameters: dict = {"protocol": protocol.settings()}
    net_params = network_parameters(protocol)

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)

    trials = []
    if progress:
        progress(0, total, f"{protocol.name}: {protocol.rung} rung, {protocol.trials} trials")
    standalone = protocol.device == "cpp_standalone"
    with tempfile.TemporaryDirectory(prefix="astrobrian_run_") if standalone else nullcontext() as tmp:
        build_dir = (lambda label: Path(tmp) / label) if standalone else (lambda label: None)
        for trial in range(protocol.trials):
            rng = np.random.default_rng([protocol.seed, trial])
            xi = random_patterns(protocol.n, protocol.k, rng)
            target = int(rng.integers(protocol.k))
            cue = cue_batch(xi, np.array([target]), protocol.flips, rng)[0]
            brian_seed, ko_seed = (int(s) for s in rng.integers(0, 2**31 - 1, size=2))
            tr = TrialResult(trial, xi, target, cue, brian_seed, ko_seed)
            common = dict(patterns=xi, cue=cue, target=target, threshold=protocol.threshold, device=protocol.device,
                          brian_seed=brian_seed, source=protocol.source)

            rec, built = network_recall(protocol.rung, net_params, times=protocol.times,
                                        directory=build_dir("network"), **common)
            tr.recalls["network"] = rec
            parameters.setdefault("network", built)
            tick(f"trial {trial}: network")
            abstract = _abstract_model(protocol, xi)
            tr.recalls["abstract"] = abstract_recall(abstract, "abstract", cue, target, protocol.abstract_times,
                                                     protocol.threshold)
            parameters.setdefault("abstract", abstract.parameters())
            tick(f"trial {trial}: abstract model")
            if protocol.dam is not None:
                dam = QuarticDAMLimit(xi, **protocol.dam.params)
                tr.recalls["dam"] = abstract_recall(dam, "dam", cue, target, protocol.dam.times, protocol.threshold)
                parameters.setdefault("dam", dam.parameters())
                tick(f"trial {trial}: DAM control")
            if protocol.hopfield is not None:
                hop = protocol.hopfield
                rec, built = network_recall(hop.rung, hop.network, times=hop.times, directory=build_dir("hopfield"),
                                            prefix="controls.hopfield.network.", model="hopfield", **common)
                tr.recalls["hopfield"] = rec
                parameters.setdefault("hopfield", built)
                tick(f"trial {trial}: Hopfield control")
            if protocol.knockouts is not None:
                for kind in protocol.knockouts.types:
                    for f in protocol.knockouts.fractions:
                        if f == 0:  # the intact network and model: the recalls above
                            tr.knockouts[(kind, f)] = {"network": tr.recalls["network"],
                                                       "abstract": tr.recalls["abstract"]}
                            continue
                        knock = Knockouts(**{kind: f}, seed=ko_seed)
                        rec, _ = network_recall(protocol.rung, {**net_params, "knockouts": knock},
                                                times=protocol.times, directory=build_dir("network"), **common)
                        tick(f"trial {trial}: {kind} = {f:g} (network)")
                        pred = abstract_recall(_abstract_model(protocol, xi, knock), "abstract", cue, target,
                                               protocol.abstract_times, protocol.threshold)
                        tick(f"trial {trial}: {kind} = {f:g} (abstract)")
                        tr.knockouts[(kind, f)] = {"network": rec, "abstract": pred}
            trials.append(tr)
    return ProtocolRun(protocol, trials, parameters, time.perf_counter() - t_start)


# ---- output ------------------------------------------------------------------------------------
RESULTS = "results.npz"
REPORT = "results.json"
MANIFEST = "manifest.json"
#: every file a result set may hold (figures depend on the rung and the knockouts)
OUTPUTS = (RESULTS, REPORT, MANIFEST, "overlaps.png", "raster.png", "activity.png", "knockouts.png")


def device_label(protocol: Protocol) -> str:
    return "Brian2 runtime (numpy target)" if protocol.device == "runtime" else "Brian2 cpp_standalone (-O1)"


def write_results(run: ProtocolRun, out: str | Path) -> dict[str, Path]:
    """Write DIR/results.npz (every array, labelled), DIR/results.json (summary, every report,
    the array index, the manifest), DIR/manifest.json and the figures — each atomically."""
    from . import plotting
    from .protocols import plain
    from .provenance import manifest, to_json

    from .output import result_set

    out = Path(out)
    arrays = run.arrays()
    meta = manifest(run.protocol.seed, plain(run.parameters), device=device_label(run.protocol))
    report = {
        "summary": run.summary(),
        "trials": run.records(),
        "arrays": {"file": RESULTS, "shapes": {k: list(v.shape) for k, v in arrays.items()},
                   "units": {"network/t": "s", "hopfield/t": "s", "abstract/t": "tau_n", "dam/t": "tau_n"}},
        "manifest": meta,
    }
    texts = {REPORT: to_json(report) + "\n", MANIFEST: to_json(meta) + "\n"}  # fail before any file is written
    with result_set(out, OUTPUTS, field="output folder") as stage:  # the whole set appears, or none of it
        np.savez_compressed(stage / RESULTS, **arrays)
        for name in (REPORT, MANIFEST):
            (stage / name).write_text(texts[name], encoding="utf-8")
        figures = plotting.plot_protocol_run(run, stage)
    paths = {"results": out / RESULTS, "report": out / REPORT, "manifest": out / MANIFEST}
    paths.update({key: out / Path(p).name for key, p in figures.items()})
    return paths


def _fmt_time(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit != "s":
        return f"{value:.2f} τn"
    return f"{value * 1e3:.0f} ms" if value < 1 else f"{value:.2f} s"


def format_summary(summary: dict, out: str | Path | None = None) -> str:
    """The short table printed after a run: per trial and aggregated, and the knockout sweep."""
    models = list(summary["models"])
    where = f" → {out}/" if out is not None else ""
    lines = [
        f"{summary['protocol']}: {summary['rung']} rung on {summary['device']}, N = {summary['N']}, K = {summary['K']}, "
        f"{summary['flipped_bits']} of {summary['N']} cue bits flipped, {summary['trials']} trials, "
        f"seed {summary['seed']}{where}",
        f"{'trial':>5} {'pattern':>7} {'cue':>5} | {'network':>7} {'other':>6} {'retrieval':>9} {'persists':>8} |"
        + "".join(f" {SHORT[m]:>9}" for m in models if m != "network"),
    ]
    unit = summary["models"]["network"]["time_unit"]
    for row in summary["per_trial"]:
        net = row["network"]
        lines.append(
            f"{row['trial']:>5} {row['target']:>7} {row['cue_overlap']:>5.2f} | {net['target_overlap']:>7.2f} "
            f"{net['best_other_overlap']:>6.2f} {_fmt_time(net['time_to_retrieval'], unit):>9} "
            f"{'yes' if net['persists'] else 'no':>8} |"
            + "".join(f" {row[m]['target_overlap']:>9.2f}" for m in models if m != "network")
        )
    theta = summary["threshold"]
    lines.append(f"target overlap ≥ {theta:g}: " + ", ".join(
        f"{LABELS[m]} {summary['models'][m]['recalled']}/{summary['models'][m]['trials']}" for m in models))
    for kind, sweep in summary["knockouts"].items():
        lines.append(f"knockout {kind} (fraction recalled, mean target overlap; network | abstract prediction):")
        for i, f in enumerate(sweep["fractions"]):
            net, ab = sweep["network"], sweep["abstract"]
            lines.append(f"  {f:>5.2f}: {net['fraction_recalled'][i]:>5.0%} ({net['mean_target_overlap'][i]:.2f})"
                         f" | {ab['fraction_recalled'][i]:>5.0%} ({ab['mean_target_overlap'][i]:.2f})")
    lines.append(f"{summary['seconds']:.1f} s")
    return "\n".join(lines)


__all__ = ["ModelRecall", "TrialResult", "ProtocolRun", "run_protocol", "write_results", "format_summary",
           "network_recall", "abstract_recall", "MODELS"]
