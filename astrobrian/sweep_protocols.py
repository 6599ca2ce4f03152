"""Capacity sweeps as protocol kinds: `kind = "capacity_scaling"` and `kind = "knockout_capacity"`
(docs/capacity.md, docs/protocols.md).

Both run `astrobrian.analysis.scaling` lines through `astrobrian.sweep` (a local process pool by
default, resumable from OUT/checkpoint.jsonl) and write OUT/results.json, OUT/manifest.json and
figures, each atomically, after the last point. Schema (every key checked, errors name it):

    kind                       'capacity_scaling' | 'knockout_capacity'
    name, description, seed    as recall protocols
    N                          sizes (a list) for capacity_scaling; one size for knockout_capacity
    flip | flips               fraction of cue bits flipped (exactly ⌊ρN⌋ at every N) | bits
    trials                     trials per (N, K) point
    criterion, threshold       'overlap' (target overlap ≥ θ) or 'exact' — astrobrian.capacity's
    also_exact                 with 'overlap': also K_max under exact recall, from the same trials
                               (its search adds only the points it needs; default false)
    levels                     P levels at which K_max is read (default [0.5, 0.9])
    rel_tol                    bisection stops when K_hi − K_lo ≤ rel_tol·K_lo (default 0.1)
    workers                    worker processes (0 = every core; 1 = in this process)
    cue_duration, duration,    the network rungs' recall (Brian2 times, as recall protocols)
    cue_strength
    [models.NAME]              rung = a registered Brian2 rung, with [models.NAME.network] its builder's
                               parameters; or model = an abstract registry model with
                               [models.NAME.params]; k_start (first K, in units of N), N (sizes
                               for this model only), chunk (trials per task), enabled
    [verdict]                  capacity_scaling: network, reference, level, min_slope, tolerance
    [knockouts]                knockout_capacity: type (one or a list), fractions (distinct; run in
                               increasing order)
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

from .analysis.scaling import (
    SweepModel,
    Verdict,
    kmax_line,
    point_overlaps,
    point_tasks,
    scaling_fits,
    trend,
    upper_half,
)
from .capacity import CRITERIA, Criterion
from .errors import InputError
from .patterns import n_flips
from .protocols import plain
from .schema import (
    ProtocolError,
    as_bool,
    as_coupling,
    as_int,
    as_number,
    as_table,
    as_text,
    check_keys,
    check_memory,
    check_readout,
    dry_build,
    flip_or_flips,
    knockout_sweep,
    network_params,
    run_times,
    rung_name,
    sizes,
)
from .sweep import Checkpoint, InProcess, LocalPool, check_scheduler, dask_executor, run_lines

#: the protocol kinds of this module
SWEEP_KINDS = ("capacity_scaling", "knockout_capacity")
_TOP = {"kind", "name", "description", "seed", "N", "flip", "flips", "trials", "criterion", "threshold", "levels",
        "also_exact", "rel_tol", "workers", "cue_duration", "duration", "cue_strength", "models", "verdict",
        "knockouts"}
_MODEL_KEYS = {"rung", "model", "network", "params", "k_start", "N", "chunk", "enabled"}
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
    also_exact: bool
    rel_tol: float
    workers: int
    models: tuple[SweepModel, ...]
    verdict: Verdict | None = None
    knockout_types: tuple[str, ...] = ()
    fractions: tuple[float, ...] = ()
    data: dict = field(default_factory=dict)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        """The sweep's criterion, then exact recall when `also_exact`."""
        return (self.criterion,) + ((Criterion("exact"),) if self.also_exact else ())

    def flipped(self, n: int) -> int:
        return self.flips if self.flips is not None else n_flips(n, self.flip)

    def settings(self) -> dict:
        """Everything that decides the results (the checkpoint's fingerprint; workers excluded)."""
        return plain({
            "kind": self.kind, "seed": self.seed, "N": self.ns, "flips": {n: self.flipped(n) for n in self.all_ns()},
            "trials": self.trials, "criterion": self.criterion, "levels": self.levels, "rel_tol": self.rel_tol,
            **({"also_exact": True} if self.also_exact else {}),  # an earlier checkpoint stays readable
            "models": [plain(m) for m in self.models], "verdict": self.verdict,
            "knockouts": {"types": self.knockout_types, "fractions": self.fractions},
        })

    def all_ns(self) -> list[int]:
        return sorted({n for m in self.models for n in m.ns})


# ---- validation ------------------------------------------------------------------------------------
def _sizes(value: object, key: str, source: object, single: bool) -> tuple[int, ...]:
    return (as_int(value, key, source, 2),) if single else sizes(value, key, source)


def _model(name: str, table: object, defaults: dict, source: object) -> SweepModel | None:
    from .abstract.registry import MODELS, model_entry
    from .network import get_rung

    prefix = f"models.{name}."
    table = as_table(table, prefix.rstrip("."), source)
    check_keys(table, _MODEL_KEYS, prefix, source)
    if not as_bool(table.get("enabled", True), prefix + "enabled", source):
        return None
    if ("rung" in table) == ("model" in table):
        raise ProtocolError(source, prefix + "rung", "either rung = a Brian2 rung or model = an abstract model "
                            f"({', '.join(MODELS)})", table.get("rung", table.get("model")))
    single = defaults["single"]
    ns = _sizes(table["N"], prefix + "N", source, single) if "N" in table else defaults["ns"]
    k_start = as_number(table.get("k_start", 0.5), prefix + "k_start", source, strict=True)
    if "rung" in table:
        rung = rung_name(table["rung"], prefix + "rung", source)
        reason = get_rung(rung).not_in_sweeps
        if reason:
            raise ProtocolError(source, prefix + "rung", reason, rung)
        if "params" in table:
            raise ProtocolError(source, prefix + "params", f"[{prefix}network] for a Brian2 rung", table["params"])
        params = network_params(table.get("network"), rung, prefix + "network.", source)
        times = defaults["times"]
        check_readout(params, rung, times.cue_duration, times.duration, "", source)
        n_most = max(ns)
        k_first = max(1, int(round(k_start * n_most)))
        check_memory(rung, params, n_most, k_first, prefix + "N" if "N" in table else "N", source,
                     f"the {rung} rung at N = {n_most}, K = {k_first} (its first point)")
        dry_build(rung, params, min(ns), 2, prefix + "network.", source)
        chunk = as_int(table.get("chunk", 1), prefix + "chunk", source, 1)
        return SweepModel(name, "network", rung, params, defaults["times"], k_start, ns, chunk)
    model = as_text(table["model"], prefix + "model", source)
    if model not in MODELS:
        raise ProtocolError(source, prefix + "model", f"one of {', '.join(MODELS)}", model)
    if "network" in table:
        raise ProtocolError(source, prefix + "network", f"[{prefix}params] for an abstract model", table["network"])
    params = {}
    for key, value in as_table(table.get("params"), prefix + "params", source).items():
        params[key] = as_coupling(value, prefix + "params." + key, source) if key == "coupling" else \
            value if isinstance(value, (str, bool)) else as_number(value, prefix + "params." + key, source,
                                                                  minimum=None)
    try:  # names, types and values, on a tiny run of the model at the smallest size
        model_entry(model).check(params, min(ns), label=lambda key: prefix + "params." + key)
    except InputError as err:
        raise ProtocolError(source, err.field, err.expected, err.got) from None
    chunk = as_int(table.get("chunk", 10), prefix + "chunk", source, 1)
    return SweepModel(name, "abstract", model, params, None, k_start, ns, chunk)


def validate(data: dict, source: object = "protocol") -> SweepProtocol:
    """Check every key of a sweep protocol and return the `SweepProtocol`."""
    check_keys(data, _TOP, "", source)
    kind = as_text(data.get("kind"), "kind", source)
    if kind not in SWEEP_KINDS:
        raise ProtocolError(source, "kind", f"one of {', '.join(SWEEP_KINDS)} (or 'recall')", kind)
    single = kind == "knockout_capacity"
    for key in ("N", "cue_duration", "duration", "models"):
        if key not in data:
            raise ProtocolError(source, key, "a value (required)", "nothing")
    name = as_text(data.get("name", Path(str(source)).stem), "name", source)
    description = as_text(data.get("description", ""), "description", source)
    seed = as_int(data.get("seed", 0), "seed", source, 0)
    ns = _sizes(data["N"], "N", source, single)
    flip, flips = flip_or_flips(data, source, 0.125)
    trials = as_int(data.get("trials", 20), "trials", source, 1)
    rule = as_text(data.get("criterion", "overlap"), "criterion", source)
    if rule not in CRITERIA:
        raise ProtocolError(source, "criterion", f"one of {', '.join(CRITERIA)}", rule)
    criterion = Criterion(rule, as_number(data.get("threshold", 0.9), "threshold", source, strict=True, maximum=1.0))
    levels = data.get("levels", [0.5, 0.9])
    if not isinstance(levels, list) or not levels:
        raise ProtocolError(source, "levels", "a list of P levels in (0, 1), e.g. [0.5, 0.9]", levels)
    levels = tuple(as_number(v, "levels", source, strict=True, maximum=0.999) for v in levels)
    also_exact = as_bool(data.get("also_exact", False), "also_exact", source)
    if also_exact and rule == "exact":
        raise ProtocolError(source, "also_exact", "false when criterion = 'exact' (it is the sweep's own)", True)
    rel_tol = as_number(data.get("rel_tol", 0.1), "rel_tol", source, strict=True, maximum=1.0)
    workers = as_int(data.get("workers", 0), "workers", source, 0)
    times = run_times(data, source)

    table = as_table(data["models"], "models", source)
    defaults = {"ns": ns, "times": times, "single": single}
    models = tuple(m for m in (_model(k, v, defaults, source) for k, v in table.items()) if m is not None)
    if not models:
        raise ProtocolError(source, "models", "at least one enabled model", list(table))
    for m in models:
        bad = [n for n in m.ns if (flips if flips is not None else 0) > n]
        if bad:
            raise ProtocolError(source, "flips", f"at most N = {min(bad)} flipped bits", flips)

    verdict = None
    v_table = as_table(data.get("verdict"), "verdict", source)
    if v_table:
        check_keys(v_table, {"network", "reference", "level", "min_slope", "tolerance"}, "verdict.", source)
        names = [m.name for m in models]
        for key in ("network", "reference"):
            if v_table.get(key) not in names:
                raise ProtocolError(
                    source, f"verdict.{key}", f"one of the models ({', '.join(names)})", v_table.get(key)
                )
        level = as_number(v_table.get("level", levels[0]), "verdict.level", source, strict=True)
        if level not in levels:
            raise ProtocolError(source, "verdict.level", f"one of levels {list(levels)}", level)
        verdict = Verdict(v_table["network"], v_table["reference"], level,
                          as_number(v_table.get("min_slope", 2.0), "verdict.min_slope", source, minimum=None),
                          as_number(v_table.get("tolerance", 0.25), "verdict.tolerance", source))
    types: tuple[str, ...] = ()
    fractions: tuple[float, ...] = ()
    ko = as_table(data.get("knockouts"), "knockouts", source)
    if single:
        check_keys(ko, {"type", "fractions"}, "knockouts.", source)
        models = _share_coupling(models)
        types, fractions = knockout_sweep(
            ko, source, [(m.target, m.params) for m in models if m.level == "network"],
            [m.params.get("coupling") for m in models if m.level == "abstract"])
        fractions = tuple(sorted(fractions))
    elif ko:
        raise ProtocolError(source, "knockouts", "no knockout table in a capacity_scaling protocol "
                            "(use kind = \"knockout_capacity\")", list(ko))
    return SweepProtocol(kind, name, description, str(source), seed, ns, flip, flips, trials, criterion, levels,
                         also_exact, rel_tol, workers, models, verdict, types, fractions, data)


def _share_coupling(models: tuple[SweepModel, ...]) -> tuple[SweepModel, ...]:
    """Abstract predictions take the network's territories unless they set their own."""
    nets = [m.params["coupling"] for m in models if m.level == "network" and "coupling" in m.params]
    if not nets:
        return models
    return tuple(replace(m, params={"coupling": nets[0], **m.params}) if m.level == "abstract"
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
        models, fits, by_criterion = {}, {}, {c.kind: {} for c in p.criteria[1:]}
        for m in p.models:
            rows = []
            for n in m.ns:
                res = self.lines[_line(m, n)]
                row = {"N": n, "flips": p.flipped(n), "kmax": res["kmax"], "bracket": res["bracket"],
                       "points": [{"K": k, "P": v} for k, v in res["points"].items()]}
                for c in p.criteria[1:]:
                    other = res["criteria"][c.kind]
                    row[c.kind] = {"kmax": other["kmax"], "bracket": other["bracket"],
                                   "points": [{"K": k, "P": v} for k, v in other["points"].items()]}
                rows.append(row)
            models[m.name] = {"level": m.level, "target": m.target, "units": m.units, "N": list(m.ns), "sizes": rows}
            fits[m.name] = {key: _fits(m, [r["kmax"][key] for r in rows]) for key in map("{:g}".format, p.levels)}
            for c in p.criteria[1:]:
                by_criterion[c.kind][m.name] = {key: _fits(m, [r[c.kind]["kmax"][key] for r in rows])
                                                for key in map("{:g}".format, p.levels)}
        out = {"N": list(p.ns), "models": models, "fits": fits}
        if by_criterion:
            out["criteria"] = {kind: {"label": Criterion(kind).label(), "fits": f} for kind, f in by_criterion.items()}
        if p.verdict is not None:
            out["verdict"] = self._verdict(models)
        return out

    def _verdict(self, models: dict) -> dict:
        """The verdict from the slopes of network and reference over the sizes both have."""
        v = self.protocol.verdict
        key = f"{v.level:g}"
        net, ref = models[v.network], models[v.reference]
        shared = sorted(set(net["N"]) & set(ref["N"]))

        def fit(model: dict) -> dict:
            by_n = {r["N"]: r["kmax"][key] for r in model["sizes"]}
            return {key: scaling_fits(shared, [by_n[n] for n in shared], model["units"])}

        fits = {v.network: fit(net), v.reference: fit(ref)}
        out = v.decide(fits)
        out["N"] = shared
        for role, name in (("network", v.network), ("reference", v.reference)):
            out[role] = name
            out[f"{role}_ci95"] = fits[name][key]["kmax"]["ci95"]
            out[f"{role}_per_unit"] = trend(fits[name][key]["per_unit"])
        return out

    def _knockouts(self) -> dict:
        p = self.protocol
        table = {}
        for knockout in p.knockout_types:
            table[knockout] = {"fractions": list(p.fractions)}
            for m in p.models:
                table[knockout][m.name] = {f"{lv:g}": [self.lines[_line(m, m.ns[0], (knockout, f))]["kmax"][f"{lv:g}"]
                                                   for f in p.fractions] for lv in p.levels}
                for c in p.criteria[1:]:
                    table[knockout].setdefault("criteria", {}).setdefault(c.kind, {})[m.name] = {
                        f"{lv:g}": [self.lines[_line(m, m.ns[0], (knockout, f))]["criteria"][c.kind]["kmax"][f"{lv:g}"]
                                    for f in p.fractions] for lv in p.levels}
        n = p.ns[0]
        return {"N": n, "flips": p.flipped(n),
                "models": {m.name: {"level": m.level, "target": m.target, "N": m.ns[0], "flips": p.flipped(m.ns[0])}
                           for m in p.models},
                "knockouts": table}


def _fits(model: SweepModel, kmax: list[float]) -> dict:
    """`scaling_fits` of one model at one level over all its sizes, with the trends, and the same
    over the upper half of its sizes ('upper': the asymptote, not a crossover at small N)."""
    def fitted(ns: list[int], values: list[float]) -> dict:
        f = scaling_fits(ns, values, model.units)
        f["per_unit_trend"] = trend(f["per_unit"])
        f["per_neuron_trend"] = trend(f["per_neuron"])
        return f

    ns = list(model.ns)
    out = fitted(ns, kmax)
    upper = upper_half(ns)
    out["upper"] = fitted(upper, [kmax[ns.index(n)] for n in upper])
    return out


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
              fresh: bool = False, executor: Any = None) -> SweepRun:
    """Run every line of `protocol` (resuming from OUT/checkpoint.jsonl unless `fresh`).

    Parameters
    ----------
    protocol : SweepProtocol
        The validated protocol.
    out : str or Path, optional
        The output folder holding the checkpoint; None runs without one (nothing to resume).
    progress : callable, optional
        ``progress(done, known, label, final)`` (`run_lines`).
    fresh : bool
        Delete the checkpoint first.
    executor : concurrent.futures.Executor, optional
        Runs the tasks (a thread pool, a Dask client's executor, …; the caller shuts it down);
        by default, in this process for one worker, else a pool of `protocol.workers`
        processes (every core when 0 or None), shut down here.

    Returns
    -------
    SweepRun
    """
    p = protocol
    path = None if out is None else Path(out) / CHECKPOINT
    if fresh and path is not None:
        path.unlink(missing_ok=True)
    checkpoint = Checkpoint(path, p.settings())
    own = executor is None  # an executor of our own is shut down here; a given one is the caller's
    if own:
        executor = InProcess() if p.workers == 1 else LocalPool(p.workers or None, initializer=worker_init)
    specs: dict[str, tuple[SweepModel, int, tuple[str, float] | None]] = {}
    for m in p.models:
        for n in m.ns:
            if p.kind == "capacity_scaling":
                specs[_line(m, n)] = (m, n, None)
            else:
                for knockout in p.knockout_types:
                    for f in p.fractions:
                        specs.setdefault(_line(m, n, (knockout, f)), (m, n, (knockout, f) if f > 0 else None))
    lines = {name: kmax_line(p.levels, max(1, int(round(m.k_start * n))), p.rel_tol, 1 << 16, p.criteria)
             for name, (m, n, _) in specs.items()}

    def tasks_for(line: str, k: int):
        m, n, ko = specs[line]
        return point_tasks(m, n, k, p.trials, p.flipped(n), p.seed, p.criterion.threshold, ko)

    def reduce(line: str, k: int, results: list) -> np.ndarray:
        return point_overlaps(results)  # each criterion's search reads its P from them

    t0 = time.perf_counter()
    workers = getattr(executor, "workers", getattr(executor, "_max_workers", 1))
    failed = True
    try:
        with _frozen_gc(isinstance(executor, InProcess)):
            results, evaluated, stats = run_lines(lines, tasks_for, reduce, executor, checkpoint, progress)
        failed = False
    except KeyboardInterrupt:
        if path is None:
            raise
        done = len(checkpoint.done)
        raise KeyboardInterrupt(f"{done} finished task{'s are' if done != 1 else ' is'} in {path}, and the same "
                                "command (without --fresh) resumes from there" if done else
                                "no task had finished") from None
    finally:
        if own:  # an interrupted or failed sweep kills its workers at once
            executor.shutdown(wait=not failed, cancel_futures=failed)
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
    report = {
        "summary": summary,
        "points": {line: {str(k): trials for k, trials in sorted(pts.items())} for line, pts in run.points.items()},
        "manifest": meta,
    }
    texts = {REPORT: to_json(report) + "\n", MANIFEST: to_json(meta) + "\n"}  # fail before any file is written
    figure = "capacity_scaling.png" if run.protocol.kind == "capacity_scaling" else "knockout_capacity.png"
    names = (REPORT, MANIFEST, "capacity_scaling.png", "knockout_capacity.png")  # the other kind's figure goes
    with result_set(out, names, field="output folder") as stage:  # all three, or none
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
    lines = [
        f"{summary['protocol']} ({summary['kind']}): {summary['criterion']}, {summary['trials']} trials per point, "
        f"seed {summary['seed']}, {summary['workers']} worker(s){where}"
    ]
    levels = [f"{lv:g}" for lv in summary["levels"]]
    if summary["kind"] == "capacity_scaling":
        sizes = sorted({n for model in summary["models"].values() for n in model["N"]})
        tables = [(summary["criterion"], summary["fits"], lambda s, lv: s["kmax"][lv])]
        for kind, other in summary.get("criteria", {}).items():
            tables.append((other["label"], other["fits"], lambda s, lv, kind=kind: s[kind]["kmax"][lv]))
        for label, fits, kmax_of in tables:
            for lv in levels:
                lines.append(f"K_max at P = {lv} ({label}):")
                lines.append(f"  {'model':<24} " + " ".join(f"{'N=' + str(n):>8}" for n in sizes)
                             + "  slope [95 % CI]        upper half             per unit")
                for name, model in summary["models"].items():
                    by_n = {s["N"]: kmax_of(s, lv) for s in model["sizes"]}
                    fit = fits[name][lv]
                    cells = " ".join(f"{by_n[n]:>8.1f}" if n in by_n else f"{'':>8}" for n in sizes)
                    lines.append(f"  {name:<24} {cells}  {_ci(fit['kmax']):<22} {_ci(fit['upper']['kmax']):<22} "
                                 f"{fit['per_unit_trend']} ({_ci(fit['per_unit'])}); upper half "
                                 f"{fit['upper']['per_unit_trend']}")
                    ratio = dict(zip(fit["N"], fit["kmax_per_n2"]))
                    lines.append(f"  {'  K_max/N²':<24} " + " ".join(
                        f"{ratio[n]:>8.3f}" if n in ratio else f"{'':>8}" for n in sizes))
        v = summary.get("verdict")
        if v:
            word = {True: "SURVIVES", False: "DOES NOT SURVIVE", None: "UNDECIDED"}[v["survives"]]
            over = f" over N = {', '.join(map(str, v['N']))}" if v.get("N") else ""
            lines.append(f"verdict: capacity scaling {word} — rule: {v['rule']}{over}; {v['reason']}")
            if v.get("network_slope") is not None and v.get("reference_slope") is not None and "network" in v:
                parts = []  # the two slopes the rule compared, with their intervals and per-unit trends
                for role in ("network", "reference"):
                    fit = {"slope": v[f"{role}_slope"], "ci95": v.get(f"{role}_ci95")}
                    parts.append(f"{v[role]} {_ci(fit)}, memories per compute unit {v[f'{role}_per_unit']}")
                lines.append("  slopes compared: " + "; ".join(parts))
    else:
        for knockout, table in summary["knockouts"].items():
            lines.append(f"knockout {knockout}, K_max at P = {levels[0]} (N = {summary['N']}):")
            lines.append(f"  {'model':<24} " + " ".join(f"{f:>7.2f}" for f in table["fractions"]))
            for name in summary["models"]:
                lines.append(f"  {name:<24} " + " ".join(f"{v:>7.1f}" for v in table[name][levels[0]]))
            for kind, by_model in table.get("criteria", {}).items():
                for name, values in by_model.items():
                    lines.append(f"  {name + ' (' + kind + ')':<24} "
                                 + " ".join(f"{v:>7.1f}" for v in values[levels[0]]))
    own_sizes = _own_sizes(summary)
    if own_sizes:
        lines.append(f"sizes of their own (models.NAME.N; --set N leaves them): {'; '.join(own_sizes)}")
    cost = ", ".join(f"{m} " + " ".join(f"{n}: {s:.2f} s" for n, s in d.items())
                     for m, d in summary["trial_seconds"].items())
    lines.append(f"mean time per trial: {cost}")
    lines.append(f"{summary['seconds']:.1f} s ({summary['tasks_run']} tasks run, {summary['tasks_resumed']} "
                 "read back from the checkpoint)")
    return "\n".join(lines)


def card(protocol: SweepProtocol) -> str:
    """The card of a validated capacity sweep."""
    from .cards import Card, flip_note, seconds_text

    data = protocol.data
    rows = Card()
    d = lambda key: "" if key in data else "(default)"  # noqa: E731
    rows.row("kind", protocol.kind)
    rows.row("seed", protocol.seed, d("seed"))
    rows.row("N", list(protocol.ns))
    flips_of = {n: protocol.flipped(n) for n in protocol.all_ns()}
    if protocol.flips is not None:
        rows.row("flips", protocol.flips, "bits flipped at every N")
    else:
        rows.row("flip", protocol.flip, f"{d('flip')} {flip_note(flips_of, None)}".strip())
    rows.row("trials", protocol.trials, d("trials") + " per (N, K) point")
    rows.row("criterion", protocol.criterion.kind, d("criterion"))
    rows.row("threshold", protocol.criterion.threshold, d("threshold") + f" ({protocol.criterion.label()})")
    rows.row("levels", list(protocol.levels), d("levels"))
    rows.row("also_exact", protocol.also_exact, d("also_exact") + (" (K_max under exact recall too, same trials)"
                                                                  if protocol.also_exact else ""))
    rows.row("rel_tol", protocol.rel_tol, d("rel_tol"))
    rows.row("workers", protocol.workers, (d("workers") + (" (every core)" if protocol.workers == 0 else "")).strip())
    times = next((m.times for m in protocol.models if m.times is not None), None)
    if times is not None:
        rows.row("cue_duration", seconds_text(times.cue_duration))
        rows.row("duration", seconds_text(times.duration))
        rows.row("cue_strength", times.cue_strength, d("cue_strength"))
    models_file = data.get("models") or {}
    for m in protocol.models:
        mf = models_file.get(m.name) or {}
        what = f"Brian2 rung '{m.target}'" if m.level == "network" else f"abstract model '{m.target}'"
        rows.table(f"models.{m.name}", what)
        rows.row("N", list(m.ns), "" if "N" in mf else "(the protocol's)")
        rows.row("k_start", m.k_start, ("" if "k_start" in mf else "(default)") + f" first K = {m.k_start:g}·N")
        rows.row("chunk", m.chunk, ("" if "chunk" in mf else "(default)") + " trials per task")
        if m.level == "network":
            rows.row("network", m.params or "(builder defaults)")
        else:
            rows.row("params", m.params or "(the model's defaults)")
    disabled = [k for k, v in models_file.items() if isinstance(v, dict) and v.get("enabled", True) is False]
    if disabled:
        rows.lines.append(f"(disabled: {', '.join(disabled)})")
    if protocol.verdict is not None:
        v = protocol.verdict
        vf = data.get("verdict") or {}
        rows.table("verdict", "capacity scaling survives when the network's slope is ≥ min_slope and within "
                              "tolerance of the reference's")
        for key in ("network", "reference", "level", "min_slope", "tolerance"):
            rows.row(key, getattr(v, key), "" if key in vf else "(default)")
    if protocol.knockout_types:
        rows.table("knockouts")
        rows.row("type", list(protocol.knockout_types))
        rows.row("fractions", list(protocol.fractions))
    return "\n".join(rows.lines)


def rungs_of(data: dict) -> str:
    """The Brian2 rungs and abstract models a sweep file runs, as text (for listings)."""
    models = data.get("models") or {}
    rungs = list(dict.fromkeys(str(m["rung"]) for m in models.values() if isinstance(m, dict) and "rung" in m))
    abstract = list(dict.fromkeys(str(m["model"]) for m in models.values() if isinstance(m, dict) and "model" in m))
    return ", ".join(rungs) + (f"; abstract: {', '.join(abstract)}" if abstract else "")


def prepare(data: dict, options: Any, source: object) -> dict:
    """The file's data with the command line's options: --workers sets `workers`; a standalone
    --device is refused (every trial is a new network).

    Parameters
    ----------
    data : dict
        The protocol file's data.
    options : RunOptions
        device, workers and fresh from the command line.
    source : object
        The file (unused: the errors name the option).

    Returns
    -------
    dict
    """
    from .errors import InputError

    if options.device not in (None, "runtime"):
        raise InputError("--device", "runtime for capacity sweeps (every trial is a new network: a standalone "
                         "build per trial would cost more than the trial)", options.device)
    if options.scheduler is not None:
        check_scheduler(options.scheduler)  # before any work: the extra installed, an address's form
    if options.workers is not None:
        data = {**data, "workers": options.workers}
    return data


def run(protocol: SweepProtocol, out: Path, options: Any, progress: Any = None) -> SweepRun:
    """Run the sweep, resuming from OUT/checkpoint.jsonl unless the options say fresh; on a Dask
    cluster when they name a scheduler (`astrobrian.sweep.dask_executor`).

    Parameters
    ----------
    protocol : SweepProtocol
        The validated protocol.
    out : Path
        The output folder, which holds the checkpoint.
    options : RunOptions
        `fresh` starts the sweep afresh; `scheduler` ('local' or tcp://HOST:PORT) runs it on Dask,
        a local cluster of `protocol.workers` processes or a running scheduler.
    progress : callable, optional
        ``progress(done, known, label, final)`` (`run_lines`).

    Returns
    -------
    SweepRun
    """
    fresh = bool(getattr(options, "fresh", False))
    scheduler = getattr(options, "scheduler", None)
    if scheduler is None:
        return run_sweep(protocol, out, progress=progress, fresh=fresh)
    with dask_executor(scheduler, protocol.workers, initializer=worker_init) as executor:
        return run_sweep(protocol, out, progress=progress, fresh=fresh, executor=executor)


#: every file a sweep's result set may hold
OUTPUTS = (CHECKPOINT, REPORT, MANIFEST, "capacity_scaling.png", "knockout_capacity.png")


def register() -> None:
    """Register both sweep kinds with `astrobrian.protocols`."""
    from .protocols import ProtocolKind, register_kind

    for name, description in (("capacity_scaling", "K_max(N) of network rungs and abstract models, slopes, verdict"),
                              ("knockout_capacity", "K_max against knockout fraction at one N")):
        register_kind(ProtocolKind(name, description, frozenset(_TOP), validate, prepare, run, write_sweep,
                                   format_sweep, OUTPUTS, card, rungs_of))


__all__ = ["SWEEP_KINDS", "SweepProtocol", "SweepRun", "validate", "run_sweep", "worker_init", "write_sweep",
           "format_sweep", "card", "register"]
