"""Capacity sweeps as protocols: `kind = "capacity_scaling"` and `kind = "knockout_capacity"`.

Both run `astrobrian.analysis.scaling` lines through `astrobrian.sweep` (a local process pool by
default, resumable from OUT/checkpoint.jsonl) and write OUT/results.json, OUT/manifest.json and
figures, each atomically, after the last point. Schema (every key checked, errors name it):

    kind                       'capacity_scaling' | 'knockout_capacity'
    name, description, seed    as recall protocols
    N                          sizes (a list) for capacity_scaling; one size for knockout_capacity
    flip | flips               fraction of cue bits flipped (exactly ⌊ρN⌋ at every N) | bits
    trials                     trials per (N, K) point
    criterion, threshold       'overlap' (target overlap ≥ θ) or 'exact' — astrobrian.capacity's
    levels                     P levels at which K_max is read (default [0.5, 0.9])
    rel_tol                    bisection stops when K_hi − K_lo ≤ rel_tol·K_lo (default 0.1)
    workers                    worker processes (0 = every core; 1 = in this process)
    cue_duration, duration,    the network rungs' recall (Brian2 times, as recall protocols)
    cue_strength
    [models.NAME]              rung = a Brian2 rung, with [models.NAME.network] its builder's
                               parameters; or model = an abstract registry model with
                               [models.NAME.params]; k_start (first K, in units of N), N (sizes
                               for this model only), chunk (trials per task), enabled
    [verdict]                  capacity_scaling: network, reference, level, min_slope, tolerance
    [knockouts]                knockout_capacity: type (one or a list), fractions
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .analysis.scaling import SweepModel, Verdict, kmax_line, point_tasks, scaling_fits, success_fraction, trend
from .capacity import CRITERIA, Criterion
from .errors import InputError
from .patterns import n_flips
from .protocols import (
    ProtocolError, RunTimes, _bool, _check_readout, _coupling, _dry_build, _int, _network_params, _number, _rung,
    _table, _text, _time, _unknown, plain,
)
from .sweep import Checkpoint, InProcess, LocalPool, run_lines

KINDS = ("capacity_scaling", "knockout_capacity")
_TOP = {"kind", "name", "description", "seed", "N", "flip", "flips", "trials", "criterion", "threshold", "levels",
        "rel_tol", "workers", "cue_duration", "duration", "cue_strength", "models", "verdict", "knockouts"}
_MODEL_KEYS = {"rung", "model", "network", "params", "k_start", "N", "chunk", "enabled"}
_NOT_IN_SWEEPS = {"rate": "the rate rung equals the abstract model 'neuron-astrocyte-rest' (to 1e-9): use model = "
                          "\"neuron-astrocyte-rest\""}
CHECKPOINT = "checkpoint.jsonl"


@dataclass(frozen=True)
class SweepProtocol:
    """A validated capacity sweep."""

    kind: str
    name: str
    description: str
    source: str
    seed: int
    ns: tuple[int, ...]
    flip: float | None
    flips: int | None
    trials: int
    criterion: Criterion
    levels: tuple[float, ...]
    rel_tol: float
    workers: int
    models: tuple[SweepModel, ...]
    verdict: Verdict | None = None
    knockout_types: tuple[str, ...] = ()
    fractions: tuple[float, ...] = ()
    data: dict = field(default_factory=dict)

    def flipped(self, n: int) -> int:
        return self.flips if self.flips is not None else n_flips(n, self.flip)

    def settings(self) -> dict:
        """Everything that decides the results (the checkpoint's fingerprint; workers excluded)."""
        return plain({
            "kind": self.kind, "seed": self.seed, "N": self.ns, "flips": {n: self.flipped(n) for n in self.all_ns()},
            "trials": self.trials, "criterion": self.criterion, "levels": self.levels, "rel_tol": self.rel_tol,
            "models": [plain(m) for m in self.models], "verdict": self.verdict,
            "knockouts": {"types": self.knockout_types, "fractions": self.fractions},
        })

    def all_ns(self) -> list[int]:
        return sorted({n for m in self.models for n in m.ns})


# ---- validation ------------------------------------------------------------------------------------
def _sizes(value: object, key: str, source: object, single: bool) -> tuple[int, ...]:
    if single:
        return (_int(value, key, source, 2),)
    if not isinstance(value, list) or not value:
        raise ProtocolError(source, key, "a list of network sizes, e.g. [16, 24, 32, 40]", value)
    ns = tuple(_int(v, key, source, 2) for v in value)
    if len(set(ns)) != len(ns):
        raise ProtocolError(source, key, "distinct sizes", value)
    return tuple(sorted(ns))


def _model(name: str, table: object, defaults: dict, source: object) -> SweepModel | None:
    from .abstract.registry import MODELS, model_entry

    prefix = f"models.{name}."
    table = _table(table, prefix.rstrip("."), source)
    _unknown(table, _MODEL_KEYS, prefix, source)
    if not _bool(table.get("enabled", True), prefix + "enabled", source):
        return None
    if ("rung" in table) == ("model" in table):
        raise ProtocolError(source, prefix + "rung", "either rung = a Brian2 rung or model = an abstract model "
                            f"({', '.join(MODELS)})", table.get("rung", table.get("model")))
    single = defaults["single"]
    ns = _sizes(table["N"], prefix + "N", source, single) if "N" in table else defaults["ns"]
    k_start = _number(table.get("k_start", 0.5), prefix + "k_start", source, strict=True)
    if "rung" in table:
        rung = _rung(table["rung"], prefix + "rung", source)
        if rung in _NOT_IN_SWEEPS:
            raise ProtocolError(source, prefix + "rung", _NOT_IN_SWEEPS[rung], rung)
        if "params" in table:
            raise ProtocolError(source, prefix + "params", f"[{prefix}network] for a Brian2 rung", table["params"])
        params = _network_params(table.get("network"), rung, prefix + "network.", source)
        times = defaults["times"]
        _check_readout(params, rung, times.cue_duration, times.duration, "", source)
        _check_sweep_memory(rung, params, max(ns), max(1, int(round(k_start * max(ns)))),
                            prefix + "N" if "N" in table else "N", source)
        _dry_build(rung, params, min(ns), 2, prefix + "network.", source)
        chunk = _int(table.get("chunk", 1), prefix + "chunk", source, 1)
        return SweepModel(name, "network", rung, params, defaults["times"], k_start, ns, chunk)
    model = _text(table["model"], prefix + "model", source)
    if model not in MODELS:
        raise ProtocolError(source, prefix + "model", f"one of {', '.join(MODELS)}", model)
    if "network" in table:
        raise ProtocolError(source, prefix + "network", f"[{prefix}params] for an abstract model", table["network"])
    params = {}
    for key, value in _table(table.get("params"), prefix + "params", source).items():
        params[key] = _coupling(value, prefix + "params." + key, source) if key == "coupling" else \
            _number(value, prefix + "params." + key, source, minimum=None) if not isinstance(value, str) else value
    try:  # names, types and values, on a tiny run of the model at the smallest size
        model_entry(model).check(params, min(ns), label=lambda key: prefix + "params." + key)
    except InputError as err:
        raise ProtocolError(source, err.field, err.expected, err.got) from None
    chunk = _int(table.get("chunk", 10), prefix + "chunk", source, 1)
    return SweepModel(name, "abstract", model, params, None, k_start, ns, chunk)


def _check_sweep_memory(rung: str, params: dict, n: int, k: int, key: str, source: object) -> None:
    """Refuse a network line whose first point at its largest size cannot fit in memory."""
    from .network import memory_estimate
    from .resources import require_memory

    coupling = params.get("coupling")
    need = memory_estimate(rung, n, k, getattr(coupling, "n_astrocytes", 1), bool(getattr(coupling, "gap_junction", 0)))
    try:
        require_memory(need, key, f"the {rung} rung at N = {n}, K = {k} (its first point)")
    except InputError as err:
        raise ProtocolError(source, key, err.expected, n) from None


def validate(data: dict, source: object = "protocol") -> SweepProtocol:
    """Check every key of a sweep protocol and return the `SweepProtocol`."""
    from dataclasses import fields as dc_fields

    from .abstract.knockouts import Knockouts

    _unknown(data, _TOP, "", source)
    kind = _text(data.get("kind"), "kind", source)
    if kind not in KINDS:
        raise ProtocolError(source, "kind", f"one of {', '.join(KINDS)} (or 'recall')", kind)
    single = kind == "knockout_capacity"
    for key in ("N", "cue_duration", "duration", "models"):
        if key not in data:
            raise ProtocolError(source, key, "a value (required)", "nothing")
    name = _text(data.get("name", Path(str(source)).stem), "name", source)
    description = _text(data.get("description", ""), "description", source)
    seed = _int(data.get("seed", 0), "seed", source, 0)
    ns = _sizes(data["N"], "N", source, single)
    if "flip" in data and "flips" in data:
        raise ProtocolError(source, "flips", "either flip (a fraction) or flips (a number of bits), not both",
                            data["flips"])
    flips = _int(data["flips"], "flips", source, 0) if "flips" in data else None
    flip = None if flips is not None else _number(data.get("flip", 0.125), "flip", source, maximum=1.0)
    trials = _int(data.get("trials", 20), "trials", source, 1)
    kind_c = _text(data.get("criterion", "overlap"), "criterion", source)
    if kind_c not in CRITERIA:
        raise ProtocolError(source, "criterion", f"one of {', '.join(CRITERIA)}", kind_c)
    criterion = Criterion(kind_c, _number(data.get("threshold", 0.9), "threshold", source, strict=True, maximum=1.0))
    levels = data.get("levels", [0.5, 0.9])
    if not isinstance(levels, list) or not levels:
        raise ProtocolError(source, "levels", "a list of P levels in (0, 1), e.g. [0.5, 0.9]", levels)
    levels = tuple(_number(v, "levels", source, strict=True, maximum=0.999) for v in levels)
    rel_tol = _number(data.get("rel_tol", 0.1), "rel_tol", source, strict=True, maximum=1.0)
    workers = _int(data.get("workers", 0), "workers", source, 0)
    cue = _time(data["cue_duration"], "cue_duration", source)
    dur = _time(data["duration"], "duration", source)
    if dur <= cue:
        raise ProtocolError(source, "duration", f"a run longer than cue_duration ({data['cue_duration']})",
                            data["duration"])
    times = RunTimes(cue, dur, _number(data.get("cue_strength", 1.0), "cue_strength", source), None, "s")

    table = _table(data["models"], "models", source)
    defaults = {"ns": ns, "times": times, "single": single}
    models = tuple(m for m in (_model(k, v, defaults, source) for k, v in table.items()) if m is not None)
    if not models:
        raise ProtocolError(source, "models", "at least one enabled model", list(table))
    for m in models:
        bad = [n for n in m.ns if (flips if flips is not None else 0) > n]
        if bad:
            raise ProtocolError(source, "flips", f"at most N = {min(bad)} flipped bits", flips)

    verdict = None
    v_table = _table(data.get("verdict"), "verdict", source)
    if v_table:
        _unknown(v_table, {"network", "reference", "level", "min_slope", "tolerance"}, "verdict.", source)
        names = [m.name for m in models]
        for key in ("network", "reference"):
            if v_table.get(key) not in names:
                raise ProtocolError(source, f"verdict.{key}", f"one of the models ({', '.join(names)})", v_table.get(key))
        level = _number(v_table.get("level", levels[0]), "verdict.level", source, strict=True)
        if level not in levels:
            raise ProtocolError(source, "verdict.level", f"one of levels {list(levels)}", level)
        verdict = Verdict(v_table["network"], v_table["reference"], level,
                          _number(v_table.get("min_slope", 2.0), "verdict.min_slope", source, minimum=None),
                          _number(v_table.get("tolerance", 0.25), "verdict.tolerance", source))
    types: tuple[str, ...] = ()
    fractions: tuple[float, ...] = ()
    ko = _table(data.get("knockouts"), "knockouts", source)
    if single:
        switches = [f.name for f in dc_fields(Knockouts) if f.name != "seed"]
        _unknown(ko, {"type", "fractions"}, "knockouts.", source)
        raw = ko.get("type")
        raw = [raw] if isinstance(raw, str) else raw
        if not isinstance(raw, list) or not raw or any(t not in switches for t in raw):
            raise ProtocolError(source, "knockouts.type", f"one or a list of: {', '.join(switches)}", ko.get("type"))
        fr = ko.get("fractions")
        if not isinstance(fr, list) or not fr:
            raise ProtocolError(source, "knockouts.fractions", "a non-empty list of fractions in [0, 1]", fr)
        types = tuple(raw)
        fractions = tuple(sorted(set(_number(f, "knockouts.fractions", source, maximum=1.0) for f in fr)))
        if "ip3r2_knockout" in types and any(m.kind == "network" and m.target != "biophysical" for m in models):
            raise ProtocolError(source, "knockouts.type", "ip3r2_knockout only with biophysical network models", types)
        models = _share_coupling(models)
        if "gap_junction_block" in types and not all(getattr(m.params.get("coupling"), "gap_junction", 0)
                                                     for m in models):
            raise ProtocolError(source, "knockouts.type", "gap_junction_block only with astrocytes coupled by gap "
                                "junctions (coupling = {astrocytes = A, gap_junction = G > 0})", "gap_junction_block")
    elif ko:
        raise ProtocolError(source, "knockouts", "no knockout table in a capacity_scaling protocol "
                            "(use kind = \"knockout_capacity\")", list(ko))
    return SweepProtocol(kind, name, description, str(source), seed, ns, flip, flips, trials, criterion, levels,
                         rel_tol, workers, models, verdict, types, fractions, data)


def _share_coupling(models: tuple[SweepModel, ...]) -> tuple[SweepModel, ...]:
    """Abstract predictions take the network's territories unless they set their own."""
    nets = [m.params["coupling"] for m in models if m.kind == "network" and "coupling" in m.params]
    if not nets:
        return models
    return tuple(replace(m, params={"coupling": nets[0], **m.params}) if m.kind == "abstract"
                 and m.target.startswith("neuron-astrocyte") else m for m in models)


# ---- running -----------------------------------------------------------------------------------------
def worker_init() -> None:
    """Once per worker process: Brian2 on its numpy target, quiet, and the imported objects
    frozen out of the garbage collector's view (Brian2 collects at every run)."""
    import gc
    import logging

    from brian2 import prefs

    from . import network, runner  # noqa: F401  (imports before the freeze)

    prefs.codegen.target = "numpy"
    logging.getLogger("brian2").setLevel(logging.ERROR)
    gc.collect()
    gc.freeze()


@dataclass
class SweepRun:
    """What a sweep measured: every point's per-trial overlaps, K_max per line, fits, timing."""

    protocol: SweepProtocol
    lines: dict[str, dict]
    points: dict[str, dict[int, list[dict]]]
    seconds: float
    computed: int
    resumed: int
    workers: int

    def summary(self) -> dict:
        p = self.protocol
        out: dict[str, Any] = {
            "protocol": p.name, "kind": p.kind, "seed": p.seed, "trials": p.trials,
            "criterion": p.criterion.label(), "levels": list(p.levels), "seconds": round(self.seconds, 1),
            "workers": self.workers, "tasks_run": self.computed, "tasks_resumed": self.resumed,
            "trial_seconds": self.trial_seconds(),
        }
        if p.kind == "capacity_scaling":
            out.update(self._scaling())
        else:
            out.update(self._knockouts())
        return out

    def trial_seconds(self) -> dict:
        """Mean wall time of a trial per model and N (the cost growth with N)."""
        secs: dict[tuple[str, str], list[float]] = defaultdict(list)
        for line, pts in self.points.items():
            model, n = line.split("|")[:2]  # knockout lines count with their model and N
            secs[(model, n)].extend(r["seconds"] for trials in pts.values() for r in trials)
        out: dict[str, dict[str, float]] = {}
        for (model, n), values in secs.items():
            out.setdefault(model, {})[n] = round(float(np.mean(values)), 3)
        return out

    def _scaling(self) -> dict:
        p = self.protocol
        models, fits = {}, {}
        for m in p.models:
            rows = []
            for n in m.ns:
                res = self.lines[_line(m, n)]
                rows.append({"N": n, "flips": p.flipped(n), "kmax": res["kmax"], "bracket": res["bracket"],
                             "points": [{"K": k, "P": v} for k, v in res["points"].items()]})
            models[m.name] = {"kind": m.kind, "target": m.target, "units": m.units, "N": list(m.ns), "sizes": rows}
            fits[m.name] = {}
            for level in p.levels:
                key = f"{level:g}"
                f = scaling_fits(list(m.ns), [r["kmax"][key] for r in rows], m.units)
                f["per_unit_trend"] = trend(f["per_unit"])
                f["per_neuron_trend"] = trend(f["per_neuron"])
                fits[m.name][key] = f
        out = {"N": list(p.ns), "models": models, "fits": fits}
        if p.verdict is not None:
            out["verdict"] = p.verdict.decide(fits)
        return out

    def _knockouts(self) -> dict:
        p = self.protocol
        table = {}
        for kind in p.knockout_types:
            table[kind] = {"fractions": list(p.fractions)}
            for m in p.models:
                table[kind][m.name] = {f"{lv:g}": [self.lines[_line(m, m.ns[0], (kind, f))]["kmax"][f"{lv:g}"]
                                                   for f in p.fractions] for lv in p.levels}
        n = p.ns[0]
        return {"N": n, "flips": p.flipped(n),
                "models": {m.name: {"kind": m.kind, "target": m.target, "N": m.ns[0], "flips": p.flipped(m.ns[0])}
                           for m in p.models},
                "knockouts": table}


def _line(model: SweepModel, n: int, knockout: tuple[str, float] | None = None) -> str:
    ko = "" if knockout is None or knockout[1] == 0 else f"|{knockout[0]}={knockout[1]:g}"
    return f"{model.name}|N={n}{ko}"


@contextmanager
def _frozen_gc(on: bool):
    """In this process, as in a worker: what is alive before the sweep is frozen out of the
    garbage collector's view (Brian2 collects at every run)."""
    if not on:
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run_sweep(protocol: SweepProtocol, out: str | Path | None = None, progress: Callable | None = None,
              fresh: bool = False, backend: Any = None) -> SweepRun:
    """Run every line of `protocol` (resuming from OUT/checkpoint.jsonl unless `fresh`)."""
    p = protocol
    path = None if out is None else Path(out) / CHECKPOINT
    if fresh and path is not None:
        path.unlink(missing_ok=True)
    checkpoint = Checkpoint(path, p.settings())
    if backend is None:
        backend = InProcess() if p.workers == 1 else LocalPool(p.workers or None, initializer=worker_init)
    specs: dict[str, tuple[SweepModel, int, tuple[str, float] | None]] = {}
    for m in p.models:
        for n in m.ns:
            if p.kind == "capacity_scaling":
                specs[_line(m, n)] = (m, n, None)
            else:
                for kind in p.knockout_types:
                    for f in p.fractions:
                        specs.setdefault(_line(m, n, (kind, f)), (m, n, (kind, f) if f > 0 else None))
    lines = {name: kmax_line(p.levels, max(1, int(round(m.k_start * n))), p.rel_tol, 1 << 16)
             for name, (m, n, _) in specs.items()}

    def tasks_for(line: str, k: int):
        m, n, ko = specs[line]
        return point_tasks(m, n, k, p.trials, p.flipped(n), p.seed, p.criterion.threshold, ko)

    def reduce(line: str, k: int, results: list) -> float:
        return success_fraction(results, p.criterion)

    t0 = time.perf_counter()
    workers = getattr(backend, "workers", 1)
    try:
        with _frozen_gc(isinstance(backend, InProcess)):
            results, evaluated, stats = run_lines(lines, tasks_for, reduce, backend, checkpoint, progress)
    except KeyboardInterrupt:
        if path is None:
            raise
        done = len(checkpoint.done)
        raise KeyboardInterrupt(f"{done} finished task{'s are' if done != 1 else ' is'} in {path}, and the same "
                                "command (without --fresh) resumes from there" if done else
                                "no task had finished") from None
    points: dict[str, dict[int, list[dict]]] = {}
    for (line, k), chunks in evaluated.items():
        points.setdefault(line, {})[k] = [r for chunk in chunks for r in chunk]
    return SweepRun(p, results, points, time.perf_counter() - t0, stats.computed, stats.resumed, workers)


# ---- output ------------------------------------------------------------------------------------------
REPORT = "results.json"
MANIFEST = "manifest.json"


def write_sweep(run: SweepRun, out: str | Path) -> dict[str, Path]:
    """OUT/results.json (summary, every point's trials, manifest), OUT/manifest.json and the
    figure, published together (all or none); the checkpoint stays (a rerun reads everything back from it)."""
    from . import plotting_sweeps
    from .output import result_set
    from .provenance import manifest, to_json

    out = Path(out)
    summary = run.summary()
    meta = manifest(run.protocol.seed, {"protocol": run.protocol.settings(), "file": plain(run.protocol.data)},
                    device=f"Brian2 runtime (numpy target), {run.workers} worker process(es)")
    report = {"summary": summary,
              "points": {line: {str(k): trials for k, trials in sorted(pts.items())} for line, pts in run.points.items()},
              "manifest": meta}
    texts = {REPORT: to_json(report) + "\n", MANIFEST: to_json(meta) + "\n"}  # fail before any file is written
    figure = "capacity_scaling.png" if run.protocol.kind == "capacity_scaling" else "knockout_capacity.png"
    with result_set(out, (REPORT, MANIFEST, figure), field="output folder") as stage:  # all three, or none
        for name in (REPORT, MANIFEST):
            (stage / name).write_text(texts[name], encoding="utf-8")
        if run.protocol.kind == "capacity_scaling":
            plotting_sweeps.plot_capacity_scaling(summary, stage / figure)
        else:
            plotting_sweeps.plot_knockout_capacity(summary, stage / figure)
    return {"report": out / REPORT, "manifest": out / MANIFEST, "figure": out / figure}


def _ci(fit: dict) -> str:
    if fit.get("slope") is None:
        return "-"
    ci = fit.get("ci95") or [float("nan")] * 2
    return f"{fit['slope']:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"


def _own_sizes(summary: dict) -> list[str]:
    """The models whose sizes are their own (models.NAME.N), not the protocol's N."""
    top = summary["N"] if isinstance(summary["N"], list) else [summary["N"]]
    out = []
    for name, model in summary["models"].items():
        ns = model["N"] if isinstance(model["N"], list) else [model["N"]]
        if ns != top:
            out.append(f"{name} N = {', '.join(map(str, ns))}")
    return out


def format_sweep(summary: dict, out: str | Path | None = None) -> str:
    """The table printed after a sweep: K_max per model and N (or knockout fraction), slopes
    with their intervals, memories per compute unit and the verdict; models with sizes of
    their own are named."""
    where = f" → {out}/" if out is not None else ""
    lines = [f"{summary['protocol']} ({summary['kind']}): {summary['criterion']}, {summary['trials']} trials per point, "
             f"seed {summary['seed']}, {summary['workers']} worker(s){where}"]
    levels = [f"{lv:g}" for lv in summary["levels"]]
    if summary["kind"] == "capacity_scaling":
        sizes = sorted({n for model in summary["models"].values() for n in model["N"]})
        for lv in levels:
            lines.append(f"K_max at P = {lv}:")
            lines.append(f"  {'model':<24} " + " ".join(f"{'N=' + str(n):>8}" for n in sizes)
                         + "  slope [95 % CI]        per unit")
            for name, model in summary["models"].items():
                by_n = {s["N"]: s["kmax"][lv] for s in model["sizes"]}
                fit = summary["fits"][name][lv]
                cells = " ".join(f"{by_n[n]:>8.1f}" if n in by_n else f"{'':>8}" for n in sizes)
                lines.append(f"  {name:<24} {cells}  {_ci(fit['kmax']):<22} {fit['per_unit_trend']}"
                             f" ({_ci(fit['per_unit'])})")
        v = summary.get("verdict")
        if v:
            word = {True: "SURVIVES", False: "DOES NOT SURVIVE", None: "UNDECIDED"}[v["survives"]]
            lines.append(f"verdict: capacity scaling {word} — rule: {v['rule']}; {v['reason']}")
    else:
        for kind, table in summary["knockouts"].items():
            lines.append(f"knockout {kind}, K_max at P = {levels[0]} (N = {summary['N']}):")
            lines.append(f"  {'model':<24} " + " ".join(f"{f:>7.2f}" for f in table["fractions"]))
            for name in summary["models"]:
                lines.append(f"  {name:<24} " + " ".join(f"{v:>7.1f}" for v in table[name][levels[0]]))
    own_sizes = _own_sizes(summary)
    if own_sizes:
        lines.append(f"sizes of their own (models.NAME.N; --set N leaves them): {'; '.join(own_sizes)}")
    cost = ", ".join(f"{m} " + " ".join(f"{n}: {s:.2f} s" for n, s in d.items())
                     for m, d in summary["trial_seconds"].items())
    lines.append(f"mean time per trial: {cost}")
    lines.append(f"{summary['seconds']:.1f} s ({summary['tasks_run']} tasks run, {summary['tasks_resumed']} "
                 "read back from the checkpoint)")
    return "\n".join(lines)


__all__ = ["KINDS", "SweepProtocol", "SweepRun", "validate", "run_sweep", "worker_init", "write_sweep", "format_sweep"]
