"""Capacity measurement: P(recall) vs K, K_max(N) by bisection, and its log–log scaling
(docs/capacity.md).

A trial: K random ±1 patterns (fresh per trial), a random target, a cue with exactly ⌊ρN⌋ bits
flipped, the model run to its end, and a named success criterion on the ±1 read-out:
'exact' (every bit of the target) or 'overlap' (m ≥ θ); the mirror state −ξ is a failure under
both. Trials run as one batch per (N, K); each (N, K) point has its own seed derived from the
scan seed, so results do not depend on the order the bisection visits them. `check_scan`
refuses, before any trial, settings that would measure nothing (no flipped bit, a cue closer
to the mirror), repeated sizes, bad parameters and scans that cannot fit in memory.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Generator

import numpy as np
from scipy import optimize, stats

from .abstract.registry import model_entry
from .errors import InputError, require_fraction, require_positive_int
from .patterns import cue_batch, n_flips, overlaps, random_patterns
from .resources import require_memory

CRITERIA = ("exact", "overlap")
LEVELS = (0.5, 0.9)
# bound on B·N·max(N, K) for a trial chunk, to keep memory modest (the chunk size also fixes
# how the random stream is drawn, so it is part of what a seed reproduces)
_CHUNK_BUDGET = 4_000_000
K_LIMIT = 1 << 20  # the largest K a search may ask for
#: how the library names the settings in errors (the CLI passes its option names)
FIELDS = {"n": "N (number of neurons)", "flip": "flip (fraction of flipped bits)", "trials": "trials",
          "seed": "seed", "param": "param"}


@dataclass(frozen=True)
class Criterion:
    """Named recall criterion: 'exact' or 'overlap' with threshold θ (mirror = failure)."""

    kind: str = "exact"
    threshold: float = 0.95

    def __post_init__(self) -> None:
        if self.kind not in CRITERIA:
            raise InputError("criterion", f"one of {', '.join(CRITERIA)}", self.kind)
        if not 0 < self.threshold <= 1:
            raise InputError("threshold", "an overlap in (0, 1]", self.threshold)

    def success(self, recalled: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(B,) booleans for ±1 read-outs (B, N) against target patterns (B, N)."""
        if self.kind == "exact":
            return np.all(recalled == targets, axis=-1)
        m = np.mean(recalled * targets, axis=-1)
        return m >= self.threshold - 1e-12

    def success_overlap(self, overlap: np.ndarray) -> np.ndarray:
        """Booleans from final target overlaps m of ±1 read-outs ('exact' ⇔ m = 1; mirror m = −1 fails)."""
        m = np.asarray(overlap, dtype=float)
        return m >= (1.0 if self.kind == "exact" else self.threshold) - 1e-12

    def label(self) -> str:
        return "exact recall" if self.kind == "exact" else f"overlap ≥ {self.threshold:g}"


def _point_seed(seed: int, n: int, k: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(n), int(k)])


def chunk_size(n: int, k: int, trials: int) -> int:
    """Trials per batched run at (N, K).

    Parameters
    ----------
    n, k : int
        Network size N and number of patterns K.
    trials : int
        Trials wanted at the point.

    Returns
    -------
    int
        Between 1 and `trials`: B·N·max(N, K) stays within a fixed budget of floats.
    """
    return max(1, min(trials, _CHUNK_BUDGET // (n * max(n, k))))


def point_memory(model: str, n: int, k: int, trials: int) -> float:
    """Estimated peak bytes of one (N, K) point: a chunk of trials in flight, and the success
    flags of every trial (kept, then joined).

    Parameters
    ----------
    model : str
        Registry name of the model (`astrobrian.abstract.registry.MODELS`).
    n, k : int
        Network size N and number of patterns K.
    trials : int
        Trials at the point.

    Returns
    -------
    float
        Bytes.
    """
    return 8.0 * chunk_size(n, k, trials) * model_entry(model).trial_floats(n, k) + 2.0 * trials


def _require_point_memory(model: str, n: int, k: int, trials: int, field: str, trials_field: str | None = None) -> None:
    """Refuse a point whose estimated memory exceeds what the machine has available now: one
    trial too large blames `field` (the size), the trials' own flags `trials_field`."""
    require_memory(point_memory(model, n, k, 1), field, f"one trial of model '{model}' at N = {n}, K = {k}")
    b = chunk_size(n, k, trials)
    require_memory(point_memory(model, n, k, trials), trials_field or field,
                   f"model '{model}' at N = {n}, K = {k} with {trials} trials ({b} at a time)")


def flipped_bits_rule(ns: list[int], flip: float, fields: dict[str, str] = FIELDS) -> None:
    """Refuse a flip fraction that gives a size no flipped bit (the cue is the pattern: the
    recall measures nothing) or N/2 or more (the cue is no closer to the pattern than to its
    mirror, which counts as a failure).

    Parameters
    ----------
    ns : list of int
        The sizes N.
    flip : float
        Fraction ρ of flipped bits (⌊ρN⌋ per cue).
    fields : dict
        How errors name the 'flip' and 'n' settings (the CLI passes its option names).

    Raises
    ------
    InputError
        Naming the first size with no flipped bit or N/2 or more.
    """
    for n in ns:
        f = n_flips(n, flip)
        if f < 1 or 2 * f >= n:
            raise InputError(f"{fields['flip']}/{fields['n']}", "a fraction ρ giving every size 1 to fewer than "
                             "N/2 flipped bits ⌊ρN⌋ (with 0 the cue is the pattern and the recall measures nothing; "
                             "with N/2 or more the cue is as close to the pattern's mirror)",
                             f"⌊{flip:g}·{n}⌋ = {f} at N = {n}")


def check_scan(
    models: dict[str, dict],
    ns: list[int],
    flip: float,
    trials: int,
    criterion: "Criterion",
    seed: int,
    fields: dict[str, str] = FIELDS,
    param_label: Callable[[str, str], str] | None = None,
) -> list[str]:
    """Check every setting of a scan before any trial: sizes (≥ 2, distinct, each with at least
    one flipped bit and fewer than N/2), trials, seed, every parameter value (each model built
    and run once on a tiny problem at every N), and memory (at K = 1 and at the published
    capacity where one is known).

    Parameters
    ----------
    models : dict
        {registry name: parameters} of the models to scan.
    ns : list of int
        The sizes N.
    flip : float
        Fraction of flipped bits.
    trials : int
        Trials per (N, K) point.
    criterion : Criterion
        The success criterion.
    seed : int
        The scan's seed (≥ 0).
    fields : dict
        How errors name the settings (the CLI passes its option names).
    param_label : callable, optional
        `param_label(model, key)` names a parameter in errors.

    Returns
    -------
    list of str
        Notes on measurements that are legitimate but limited (no slope from one size, a cue
        that already meets the criterion, …).

    Raises
    ------
    InputError
        Naming the first setting that is refused.
    """
    if not isinstance(ns, (list, tuple)) or not ns:
        raise InputError(fields["n"], "at least one network size", ns)
    ns = [require_positive_int(fields["n"], n, minimum=2) for n in ns]
    if len(set(ns)) != len(ns):
        raise InputError(fields["n"], "distinct sizes (a size given twice measures it twice and breaks the fit)", ns)
    require_fraction(fields["flip"], flip)
    flipped_bits_rule(ns, flip, fields)
    trials = require_positive_int(fields["trials"], trials)
    require_positive_int(fields["seed"], seed, minimum=0)
    for name in models:
        entry = model_entry(name)
        for n in sorted(ns):
            predicted = entry.predicted_capacity(n, criterion.kind)
            if predicted is not None and predicted > K_LIMIT:
                raise InputError(fields["n"], f"sizes whose capacity stays below the search limit K = {K_LIMIT}: "
                                 f"model '{name}' at N = {n} is predicted to store about {predicted:.3g} patterns", n)
            for k in sorted({1, max(1, int(predicted or 1))}):
                _require_point_memory(name, n, k, trials, fields["n"], fields["trials"])
    for name, params in models.items():  # the tiny runs last: every cheap check first
        label = (lambda key, m=name: param_label(m, key)) if param_label else None
        for n in sorted(ns):
            model_entry(name).check(params, n, label)
    notes = []
    if len(ns) == 1:
        notes.append(f"one size (N = {ns[0]}): K_max only, no scaling slope")
    elif len(ns) == 2:
        notes.append("two sizes: a slope without a confidence interval (three or more give one)")
    if criterion.kind == "overlap":
        easy = [n for n in ns if 1 - 2 * n_flips(n, flip) / n >= criterion.threshold - 1e-12]
        if easy:
            m = 1 - 2 * n_flips(easy[0], flip) / easy[0]
            notes.append(f"at N = {', '.join(map(str, easy))} the cue itself has overlap {m:.3g} ≥ θ = "
                         f"{criterion.threshold:g}: a model that leaves the cue unchanged counts as a recall")
    return notes


def recall_trials(
    model: str,
    n: int,
    k: int,
    trials: int,
    flip: float,
    criterion: Criterion,
    seed: int,
    params: dict | None = None,
) -> np.ndarray:
    """Success of every trial at one (N, K) point, batched in memory-bounded chunks.

    Parameters
    ----------
    model : str
        Registry name of the model.
    n, k : int
        Network size N (≥ 2) and number of patterns K (≥ 1).
    trials : int
        Number of trials, each with fresh patterns, target and cue.
    flip : float
        Fraction of flipped bits (⌊flip·N⌋ per cue).
    criterion : Criterion
        Success criterion applied to the ±1 read-out.
    seed : int
        Scan seed; the point draws from (seed, N, K).
    params : dict, optional
        Model parameters (constructor and run arguments by name).

    Returns
    -------
    numpy.ndarray
        (trials,) booleans.
    """
    entry = model_entry(model)
    n = require_positive_int("N (number of neurons)", n, minimum=2)
    k = require_positive_int("K (number of patterns)", k, minimum=1)
    trials = require_positive_int("trials", trials)
    flips = n_flips(n, flip)
    _require_point_memory(model, n, k, trials, "K (number of patterns)")
    rng = _point_seed(seed, n, k)
    chunk = chunk_size(n, k, trials)
    out = []
    for start in range(0, trials, chunk):  # chunks of trials, each a batched run
        b = min(chunk, trials - start)
        xi = random_patterns(n, k, rng, batch=b)
        targets = rng.integers(0, k, size=b)
        cues = cue_batch(xi, targets, flips, rng)
        traj = entry.recall(xi, cues, rng, dict(params or {}))
        out.append(criterion.success(traj.recalled, xi[np.arange(b), :, targets]))
    return np.concatenate(out)


@dataclass
class SizeResult:
    """Everything measured at one N: P(success) at every visited K and K_max per level."""

    n: int
    points: dict[int, float] = field(default_factory=dict)
    kmax: dict[str, float] = field(default_factory=dict)
    bracket: dict[str, list[int]] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "N": self.n,
            "points": [{"K": k, "P": p} for k, p in sorted(self.points.items())],
            "kmax": self.kmax,
            "bracket": self.bracket,
            "seconds": self.seconds,
        }


def kmax_search(
    level: float,
    cache: dict[int, float],
    k_start: int = 1,
    k_limit: int = K_LIMIT,
    rel_tol: float = 0.03,
) -> Generator[int, float, tuple[float, list[int]]]:
    """K_max at P = level as a search that asks for points: yields each K whose P is not in
    `cache` yet and receives P(K); returns (K_max, [K_lo, K_hi]).

    Parameters
    ----------
    level : float
        The P level whose crossing is K_max.
    cache : dict
        {K: P(K)} of points already evaluated; the search adds the ones it asks for.
    k_start : int
        First K when `cache` is empty.
    k_limit : int
        Largest K the search may ask for (beyond it: InputError).
    rel_tol : float
        The bracket is narrowed until K_hi − K_lo ≤ max(1, rel_tol·K_lo).

    Returns
    -------
    generator
        Yields K values, is sent P(K); its return value is (K_max, [K_lo, K_hi]).

    Notes
    -----
    Starts at `k_start`, doubles K while P ≥ level (halves while P < level), then bisects
    geometrically until K_hi − K_lo ≤ max(1, rel_tol·K_lo); P(K_lo) ≥ level > P(K_hi). K_max is
    the crossing of the isotonic fit through every evaluated point (`monotone_crossing`); P(1) <
    level gives K_max = 0. A search that yields lets a sweep run many of them side by side
    (`astrobrian.sweep`); `find_kmax` drives one with a function.
    """

    def p(k: int):
        if k not in cache:
            cache[k] = float((yield k))
        return cache[k]

    if not cache:
        yield from p(max(1, min(int(k_start), k_limit)))
    while True:
        ok = [k for k, v in cache.items() if v >= level]
        bad = [k for k, v in cache.items() if v < level]
        if not ok:
            if 1 in bad:
                return 0.0, [0, 1]
            yield from p(max(1, min(bad) // 2))
            continue
        lo = max(ok)
        hi = min([k for k in bad if k > lo], default=None)
        if hi is None:
            k = min(2 * lo, k_limit)
            if k == lo:
                raise InputError("K", f"a capacity below the scan limit {k_limit}", f"P({k}) = {cache[k]}")
            yield from p(k)
            continue
        if hi - lo <= max(1, rel_tol * lo):
            return monotone_crossing(cache, level), [lo, hi]
        mid = int(round(np.sqrt(lo * hi)))
        yield from p(min(max(mid, lo + 1), hi - 1))


def drive(search: Generator, evaluate: Callable) -> Any:
    """Run a point-asking search (see `kmax_search`) to its end, evaluating each point it
    yields with `evaluate`; returns the search's result."""
    try:
        point = next(search)
        while True:
            point = search.send(evaluate(point))
    except StopIteration as done:
        return done.value


def find_kmax(
    p_of_k: Callable[[int], float],
    level: float,
    cache: dict[int, float],
    k_limit: int = K_LIMIT,
    rel_tol: float = 0.03,
    k_start: int = 1,
) -> tuple[float, list[int]]:
    """K_max at P = level with P(K) from `p_of_k` (memoised in `cache`): `kmax_search` driven
    point by point.

    Parameters
    ----------
    p_of_k : callable
        P(recall) at K.
    level : float
        The P level whose crossing is K_max.
    cache : dict
        {K: P(K)} of evaluated points, extended by the search.
    k_limit, rel_tol, k_start
        As in `kmax_search`.

    Returns
    -------
    tuple
        (K_max, [K_lo, K_hi]).
    """
    return drive(kmax_search(level, cache, k_start=k_start, k_limit=k_limit, rel_tol=rel_tol), p_of_k)


def monotone_crossing(points: dict[int, float], level: float) -> float:
    """K where a non-increasing (isotonic, SciPy) fit of P(K) through every evaluated point
    crosses `level`, interpolated linearly in log K: robust to the noise of single points."""
    ks = np.array(sorted(points), dtype=float)
    fit = optimize.isotonic_regression([points[int(k)] for k in ks], increasing=False).x
    above = np.flatnonzero(fit >= level)
    if above.size == 0:
        return 0.0
    i = above[-1]
    if i == ks.size - 1:
        return float(ks[i])
    p_lo, p_hi = fit[i], fit[i + 1]
    frac = (p_lo - level) / (p_lo - p_hi)
    return float(np.exp(np.log(ks[i]) + frac * (np.log(ks[i + 1]) - np.log(ks[i]))))


def fit_power_law(ns: np.ndarray, kmax: np.ndarray, log_correction: bool = False) -> dict:
    """Least-squares slope of log K_max vs log N with a 95 % t-interval.

    Parameters
    ----------
    ns : array of float
        Sizes N.
    kmax : array of float
        K_max at each size; sizes with K_max = 0 are left out.
    log_correction : bool
        Fit log(K_max · ln N) instead (K_max ∝ N^a / ln N, the exact criterion's form).

    Returns
    -------
    dict
        'slope', 'ci95' ([low, high]; NaN bounds from two sizes), 'intercept' and
        'points_used'; slope, ci95 and intercept are None with fewer than two distinct sizes.
    """
    ns = np.asarray(ns, dtype=float)
    y = np.asarray(kmax, dtype=float)
    keep = y > 0
    if np.unique(ns[keep]).size < 2:  # a slope needs two distinct sizes with K_max > 0
        return {"slope": None, "ci95": None, "intercept": None, "points_used": int(keep.sum())}
    x = np.log(ns[keep])
    y = y[keep] * (np.log(ns[keep]) if log_correction else 1.0)
    res = stats.linregress(x, np.log(y))
    dof = int(keep.sum()) - 2
    half = float(stats.t.ppf(0.975, dof) * res.stderr) if dof > 0 else float("nan")
    return {
        "slope": float(res.slope),
        "ci95": [float(res.slope - half), float(res.slope + half)],
        "intercept": float(res.intercept),
        "points_used": int(keep.sum()),
    }


@dataclass
class CapacityScan:
    """A capacity scan: settings, per-N results and the fitted scaling."""

    model: str
    ns: list[int]
    flip: float
    trials: int
    criterion: Criterion
    seed: int
    params: dict
    sizes: list[SizeResult] = field(default_factory=list)
    fits: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "N": self.ns,
            "flip": self.flip,
            "flipped_bits": {str(n): n_flips(n, self.flip) for n in self.ns},
            "trials": self.trials,
            "criterion": asdict(self.criterion),
            "criterion_label": self.criterion.label(),
            "seed": self.seed,
            "params": self.params,
            "sizes": [s.to_dict() for s in self.sizes],
            "fits": self.fits,
            "seconds": self.seconds,
        }


def capacity_scan(
    model: str,
    ns: list[int],
    flip: float = 0.1,
    trials: int = 50,
    criterion: Criterion | None = None,
    seed: int = 0,
    params: dict | None = None,
    levels: tuple[float, ...] = LEVELS,
    progress: Callable[[str], None] | None = None,
    rel_tol: float = 0.03,
) -> CapacityScan:
    """P(success) vs K and K_max(N) at each level for every N, then the log–log slopes
    (every setting checked first by `check_scan`).

    Parameters
    ----------
    model : str
        Registry name of the model.
    ns : list of int
        The sizes N.
    flip : float
        Fraction of flipped bits (⌊flip·N⌋ per cue).
    trials : int
        Trials per (N, K) point.
    criterion : Criterion, optional
        Success criterion (default: exact recall).
    seed : int
        Scan seed.
    params : dict, optional
        Model parameters by name.
    levels : tuple of float
        P levels at which K_max is read.
    progress : callable, optional
        Called with one line per evaluated point.
    rel_tol : float
        Relative width at which a bracket counts as found.

    Returns
    -------
    CapacityScan
        Settings, per-N points and K_max, and the raw and ln N-corrected fits per level.
    """
    model_entry(model)
    criterion = criterion or Criterion()
    params = dict(params or {})
    check_scan({model: params}, ns, flip, trials, criterion, seed)
    ns = [int(n) for n in ns]
    scan = CapacityScan(model, ns, float(flip), int(trials), criterion, int(seed), params)
    t_start = time.perf_counter()
    for n in ns:
        t0 = time.perf_counter()
        size = SizeResult(n)

        def p_of_k(k: int, n: int = n) -> float:
            ok = recall_trials(model, n, k, trials, flip, criterion, seed, params)
            if progress:
                progress(f"{model} N={n} K={k}: P={ok.mean():.2f}")
            return float(ok.mean())

        for level in levels:
            kmax, bracket = find_kmax(p_of_k, level, size.points, rel_tol=rel_tol)
            size.kmax[f"{level:g}"] = kmax
            size.bracket[f"{level:g}"] = bracket
        size.seconds = time.perf_counter() - t0
        scan.sizes.append(size)
    arr_n = np.array(ns)
    for level in levels:
        key = f"{level:g}"
        km = np.array([s.kmax[key] for s in scan.sizes])
        scan.fits[key] = {
            "raw": fit_power_law(arr_n, km),
            "ln_corrected": fit_power_law(arr_n, km, log_correction=True),
        }
    scan.seconds = time.perf_counter() - t_start
    return scan


def mean_hamming_error(
    model: str, n: int, k: int, trials: int, flips: int, seed: int, params: dict | None = None
) -> float:
    """Mean Hamming distance of the ±1 read-out to the target (the Vivet–Arenas metric).

    Parameters
    ----------
    model : str
        Registry name of the model.
    n, k : int
        Network size N and number of patterns K.
    trials : int
        Trials, run as one batch with their own patterns.
    flips : int
        Flipped bits per cue.
    seed : int
        Seed of the point (drawn from (seed, N, K)).
    params : dict, optional
        Model parameters by name.

    Returns
    -------
    float
        Mean number of wrong bits (a mirror state counts N).
    """
    entry = model_entry(model)
    rng = _point_seed(seed, n, k)
    xi = random_patterns(n, k, rng, batch=trials)
    targets = rng.integers(0, k, size=trials)
    cues = cue_batch(xi, targets, flips, rng)
    traj = entry.recall(xi, cues, rng, dict(params or {}))
    return float(np.mean(np.sum(traj.recalled != xi[np.arange(trials), :, targets], axis=-1)))


__all__ = [
    "Criterion",
    "capacity_scan",
    "check_scan",
    "point_memory",
    "recall_trials",
    "find_kmax",
    "drive",
    "kmax_search",
    "monotone_crossing",
    "fit_power_law",
    "mean_hamming_error",
    "overlaps",
]
