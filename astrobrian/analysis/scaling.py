"""Capacity of the network rungs next to the abstract models (docs/capacity.md, docs/knockouts.md).

K_max(N) is measured with the criterion and search of `astrobrian.capacity` — P(recall) over
fresh trials at each K, K_max where the isotonic fit of P(K) crosses a level — on any mix of
models: Brian2 network rungs (any registered rung a sweep can run: 'spiking', 'biophysical',
'hopfield-spiking'), each trial a network built from rest and cued by an input current, and abstract registry models
('neuron-astrocyte-rest', 'dam4', 'hopfield'), batched. Trial t at (N, K) draws its patterns,
target, cue and Brian2 seed from (seed, N, K, t), so every model sees the same trials, and its
knockout seed from (seed, N, t) only, so a knockout removes the same processes at every K.

Compute units (docs/capacity.md): a neuron–astrocyte network has N neurons, N² synapses and N²
processes (N(N − 1) of each without autapses); the pairwise control N neurons and N(N − 1)
synapses. Memories per compute unit grow with N only where K_max grows faster than N².
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Generator

import numpy as np

from ..abstract.knockouts import Knockouts
from ..capacity import Criterion, fit_power_law, kmax_search
from ..errors import InputError
from ..patterns import cue_batch, random_patterns
from ..sweep import Task

#: how each model's compute units are counted: 'astrocyte' N + 2N², 'astrocyte-no-autapses'
#: N + 2N(N − 1) (no i = i synapse–process pairs), 'pairwise' N + N(N − 1)
ASTROCYTE, ASTROCYTE_NO_AUTAPSES, PAIRWISE = "astrocyte", "astrocyte-no-autapses", "pairwise"


def compute_units(n: np.ndarray | int, units: str) -> np.ndarray:
    """Neurons + synapses + processes of a network of N neurons (`units`: one of the three counts)."""
    n = np.asarray(n, dtype=float)
    if units == ASTROCYTE:
        return n + 2 * n**2
    if units == ASTROCYTE_NO_AUTAPSES:
        return n + 2 * n * (n - 1)
    if units == PAIRWISE:
        return n + n * (n - 1)
    raise InputError("units", f"'{ASTROCYTE}', '{ASTROCYTE_NO_AUTAPSES}' or '{PAIRWISE}'", units)


def unit_count(level: str, target: str, params: dict | None = None) -> str:
    """How the compute units of a sweep's model are counted: its rung's record ('network') or its
    abstract registry entry ('abstract') says, and an astrocyte model without autapses (`params`, or
    the model's default) has N(N − 1) synapse–process pairs."""
    params = params or {}
    if level == "network":
        from ..network import get_rung

        rung = get_rung(target)
        units, defaults = rung.units, rung.parameter_defaults()
    else:
        from ..abstract.registry import model_entry

        entry = model_entry(target)
        units, defaults = entry.units, entry.defaults()
    wired = params.get("autapses", defaults.get("autapses", True))
    return ASTROCYTE_NO_AUTAPSES if units == ASTROCYTE and wired is False else units


@dataclass(frozen=True)
class Trial:
    """One trial's draw: patterns (N, K), target, cue (N,), Brian2 seed, knockout seed."""

    patterns: np.ndarray
    target: int
    cue: np.ndarray
    brian_seed: int
    knockout_seed: int


def draw_trial(seed: int, n: int, k: int, flips: int, trial: int) -> Trial:
    """Trial `trial` at (N, K): the same draw for every model of a sweep.

    Parameters
    ----------
    seed : int
        The sweep's seed.
    n, k : int
        Network size N and number of patterns K.
    flips : int
        Cue bits flipped away from the target pattern.
    trial : int
        The trial's index at this point.

    Returns
    -------
    Trial
        Patterns (N, K), target index, cue (N,), Brian2 seed and knockout seed, all drawn from
        (seed, N, K, trial) (the knockout seed from (seed, N, trial): the same at every K).
    """
    rng = np.random.default_rng([seed, n, k, trial])
    xi = random_patterns(n, k, rng)
    target = int(rng.integers(k))
    cue = cue_batch(xi, np.array([target]), flips, rng)[0]
    brian_seed = int(rng.integers(0, 2**31 - 1))
    ko_seed = int(np.random.default_rng([seed, n, trial, 7]).integers(0, 2**31 - 1))
    return Trial(xi, target, cue, brian_seed, ko_seed)


def _knockouts(spec: dict, trial: Trial) -> Knockouts | None:
    ko = spec.get("knockout")
    if not ko or ko[1] == 0:
        return None
    return Knockouts(**{ko[0]: ko[1]}, seed=trial.knockout_seed)


# ---- task functions (module level: a process pool or a cluster pickles them by name) -------------
def network_task(spec: dict) -> list[dict]:
    """Recall trials [t0, t1) of one (N, K) point on a Brian2 rung (runtime device): the final
    target overlap of each, and its wall time."""
    from ..runner import network_recall

    out = []
    for t in range(*spec["trials"]):
        t0 = time.perf_counter()
        trial = draw_trial(spec["seed"], spec["N"], spec["K"], spec["flips"], t)
        params = dict(spec["params"])
        knock = _knockouts(spec, trial)
        if knock is not None:
            params["knockouts"] = knock
        rec, _ = network_recall(spec["rung"], params, trial.patterns, trial.cue, trial.target, spec["times"],
                                spec["threshold"], "runtime", trial.brian_seed)
        out.append({"trial": t, "overlap": float(rec.report.target_overlap),
                    "seconds": round(time.perf_counter() - t0, 3)})
    return out


def abstract_task(spec: dict) -> list[dict]:
    """The same trials on an abstract registry model: one batch, or one run per trial when a
    knockout (whose processes depend on the trial's seed) is applied."""
    from ..abstract.registry import model_entry

    entry = model_entry(spec["model"])
    t0 = time.perf_counter()
    trials = [draw_trial(spec["seed"], spec["N"], spec["K"], spec["flips"], t) for t in range(*spec["trials"])]
    rng = np.random.default_rng([spec["seed"], spec["N"], spec["K"], spec["trials"][0], 11])
    knocks = [_knockouts(spec, tr) for tr in trials]
    groups = [list(range(len(trials)))] if all(k is None for k in knocks) else [[i] for i in range(len(trials))]
    overlap = np.zeros(len(trials))
    for idx in groups:
        xi = np.stack([trials[i].patterns for i in idx])
        cues = np.stack([trials[i].cue for i in idx])
        params = dict(spec["params"])
        if knocks[idx[0]] is not None:
            params["knockouts"] = knocks[idx[0]]
        traj = entry.recall(xi, cues, rng, params)
        targets = xi[np.arange(len(idx)), :, [trials[i].target for i in idx]]
        overlap[idx] = np.mean(traj.recalled * targets, axis=-1)
    each = round((time.perf_counter() - t0) / len(trials), 4)
    return [{"trial": t, "overlap": float(m), "seconds": each} for t, m in zip(range(*spec["trials"]), overlap)]


# ---- a model in a sweep ------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepModel:
    """A model of a capacity sweep: a Brian2 rung (level 'network') or an abstract registry model
    (level 'abstract'), its parameters, where its search starts (K = k_start·N) and the sizes it runs."""

    name: str
    level: str
    target: str  # the rung or the registry model
    params: dict = field(default_factory=dict)
    times: Any = None  # RunTimes for network rungs
    k_start: float = 0.5
    ns: tuple[int, ...] = ()
    chunk: int = 1  # trials per task

    @property
    def units(self) -> str:
        return unit_count(self.level, self.target, self.params)


def point_tasks(model: SweepModel, n: int, k: int, trials: int, flips: int, seed: int, threshold: float,
                knockout: tuple[str, float] | None = None) -> list[Task]:
    """The tasks evaluating one point (model, N, K[, knockout]): trials in chunks of model.chunk.

    Parameters
    ----------
    model : SweepModel
        The line's model (a network rung or an abstract model).
    n, k : int
        Network size N and number of patterns K.
    trials : int
        Trials at the point.
    flips : int
        Cue bits flipped.
    seed : int
        The sweep's seed (`draw_trial`).
    threshold : float
        Recall criterion (target overlap ≥ threshold), used by network tasks.
    knockout : (str, float), optional
        (type, fraction) of a knockout applied in every trial; None for none.

    Returns
    -------
    list of Task
        One task per chunk of `model.chunk` trials, keyed by model, N, knockout, K and trial span.
    """
    fn = network_task if model.level == "network" else abstract_task
    base = {"seed": seed, "N": n, "K": k, "flips": flips, "params": model.params, "knockout": knockout}
    if model.level == "network":
        base.update(rung=model.target, times=model.times, threshold=threshold)
    else:
        base.update(model=model.target)
    ko = "" if knockout is None else f"|{knockout[0]}={knockout[1]:g}"
    tasks = []
    for t0 in range(0, trials, model.chunk):
        span = (t0, min(trials, t0 + model.chunk))
        tasks.append(Task(f"{model.name}|N={n}{ko}|K={k}|t={span[0]}-{span[1]}", fn, {**base, "trials": span}))
    return tasks


def kmax_line(levels: tuple[float, ...], k_start: int, rel_tol: float, k_limit: int,
              criteria: tuple[Criterion, ...] | None = None) -> Generator[int, Any, dict]:
    """One line of a sweep: K_max at every level (and under every criterion), the searches
    sharing their evaluated points.

    Parameters
    ----------
    levels : tuple of float
        The P levels whose K_max is searched, in order.
    k_start : int
        First K of the search.
    rel_tol : float
        Relative bracket width at which a search stops (`kmax_search`).
    k_limit : int
        Largest K a search may ask for.
    criteria : tuple of Criterion, optional
        None: the line is sent P(K). Otherwise it is sent the per-trial final target overlaps at
        K, and searches K_max under each criterion in turn from the same trials (the first is the
        line's own; the others reuse every point and ask only for the ones their search needs).

    Returns
    -------
    generator
        Yields K values and is sent P(K) (or overlaps); returns {'kmax': {level: K_max}, 'bracket':
        {level: [K_lo, K_hi]}, 'points': {K: P(K)}} with levels formatted as %g, under the first
        criterion; with criteria, also 'criteria': {kind: the same three} for each of them.
    """
    sent: dict[int, Any] = {}  # what each evaluated K was sent: P(K), or the trials' overlaps
    by_kind = {}
    for criterion in criteria or (None,):
        def p_of(value: Any, c: Criterion | None = criterion) -> float:
            return float(value) if c is None else float(np.mean(c.success_overlap(value)))

        cache = {k: p_of(v) for k, v in sent.items()}  # a later criterion starts from every point
        kmax, bracket = {}, {}
        for level in levels:
            search = kmax_search(level, cache, k_start=k_start, k_limit=k_limit, rel_tol=rel_tol)
            try:
                k = next(search)
                while True:
                    if k not in sent:
                        value = yield k
                        sent[k] = value if criterion is None else np.asarray(value, dtype=float)
                    k = search.send(p_of(sent[k]))
            except StopIteration as stop:
                kmax[f"{level:g}"], bracket[f"{level:g}"] = stop.value
        by_kind[None if criterion is None else criterion.kind] = {
            "kmax": kmax, "bracket": bracket, "points": dict(sorted(cache.items()))}
    first = next(iter(by_kind.values()))
    return first if criteria is None else {**first, "criteria": by_kind}


def point_overlaps(results: list[list[dict]]) -> np.ndarray:
    """The per-trial final target overlaps of a point from its tasks' results (in task order)."""
    return np.array([r["overlap"] for chunk in results for r in chunk], dtype=float)


def success_fraction(results: list[list[dict]], criterion: Criterion) -> float:
    """P(recall) of a point from its tasks' per-trial overlaps under `criterion` (mirror fails)."""
    return float(np.mean(criterion.success_overlap(point_overlaps(results))))


# ---- scaling fits --------------------------------------------------------------------------------
def scaling_fits(ns: list[int], kmax: list[float], units: str) -> dict:
    """Log–log slopes (95 % CI) of K_max, of memories per compute unit and per neuron vs N.

    Parameters
    ----------
    ns : list of int
        Sizes N.
    kmax : list of float
        K_max at each size.
    units : str
        How compute units are counted: 'astrocyte' (N + 2N²), 'astrocyte-no-autapses' (N + 2N(N − 1))
        or 'pairwise' (N + N(N − 1)).

    Returns
    -------
    dict
        'N', the 'kmax', 'per_unit' and 'per_neuron' fits (`fit_power_law`), 'memories_per_unit',
        'kmax_per_n2' (K_max/N²) and 'units' per size, and 'unit_count' (`units`).
    """
    ns_a = np.asarray(ns, dtype=float)
    km = np.asarray(kmax, dtype=float)
    per_unit = km / compute_units(ns_a, units)
    return {
        "N": [int(n) for n in ns],
        "kmax": fit_power_law(ns_a, km),
        "per_unit": fit_power_law(ns_a, per_unit),
        "per_neuron": fit_power_law(ns_a, km / ns_a),
        "memories_per_unit": per_unit.tolist(),
        "kmax_per_n2": (km / ns_a**2).tolist(),
        "units": compute_units(ns_a, units).tolist(),
        "unit_count": units,
    }


def upper_half(ns: list[int]) -> list[int]:
    """The larger half of the sizes (at least 3 when there are 3, for an interval): where a slope
    measures the asymptote rather than a crossover at small N."""
    ns = sorted(ns)
    return ns[min(len(ns) // 2, max(0, len(ns) - 3)):]


def trend(fit: dict) -> str:
    """'grows', 'falls' or 'flat' from a slope's 95 % interval (flat: the interval holds 0)."""
    if fit.get("slope") is None or fit.get("ci95") is None or not np.all(np.isfinite(fit["ci95"])):
        return "undetermined"
    lo, hi = fit["ci95"]
    return "grows" if lo > 0 else "falls" if hi < 0 else "flat"


@dataclass(frozen=True)
class Verdict:
    """The README's rule: scaling survives when the network's K_max slope is ≥ `min_slope`
    and within `tolerance` (relative) of the reference (abstract) model's slope."""

    network: str
    reference: str
    level: float = 0.5
    min_slope: float = 2.0
    tolerance: float = 0.25

    def decide(self, fits: dict[str, dict]) -> dict:
        key = f"{self.level:g}"
        s_net = fits.get(self.network, {}).get(key, {}).get("kmax", {}).get("slope")
        s_ref = fits.get(self.reference, {}).get(key, {}).get("kmax", {}).get("slope")
        rule = (f"{self.network} K_max slope ≥ {self.min_slope:g} and within {self.tolerance:.0%} of the "
                f"{self.reference} slope (P = {self.level:g})")
        if s_net is None or s_ref is None:
            return {"survives": None, "rule": rule, "reason": "a slope could not be fitted (K_max = 0 at most sizes)",
                    "network_slope": s_net, "reference_slope": s_ref}
        steep = s_net >= self.min_slope
        close = abs(s_net - s_ref) <= self.tolerance * abs(s_ref)
        reasons = []
        if not steep:
            reasons.append(f"slope {s_net:.2f} < {self.min_slope:g}")
        if not close:
            reasons.append(f"|{s_net:.2f} − {s_ref:.2f}| > {self.tolerance:.0%} of {s_ref:.2f}")
        return {"survives": bool(steep and close), "rule": rule, "network_slope": s_net, "reference_slope": s_ref,
                "reason": "; ".join(reasons) if reasons else "both conditions hold"}


__all__ = ["compute_units", "unit_count", "draw_trial", "network_task", "abstract_task", "SweepModel",
           "point_tasks", "kmax_line", "point_overlaps", "success_fraction", "scaling_fits", "upper_half", "trend",
           "Verdict"]
