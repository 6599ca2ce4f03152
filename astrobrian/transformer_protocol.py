"""The 'transformer' protocol kind (docs/transformer.md#the-protocol): how close the neuron–astrocyte
transformer's attention comes to exact softmax attention, against the number of random features M,
the sequence length L, the key norm and the key dimension D, beside the two other attention-like models of the
package on the same queries; and a check of the Brian2 rung against the abstract model.

Every point writes L tokens (random keys and queries of a given norm, Gaussian values) into an
`AstrocyteTransformer` and reads every query through its read-phase dynamics; the error is
‖x − softmax attention‖ / ‖softmax attention‖ per query, averaged over queries, for each of
`feature_draws` independent draws of the random features (seeded from the protocol's seed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .schema import ProtocolError, as_bool, as_int, as_number, as_table, as_text, check_keys

#: top-level keys of a transformer protocol file
KEYS = {"name", "kind", "description", "seed", "D", "N", "L", "M", "key_norm", "queries", "feature_draws",
        "features", "sweep", "network", "compare", "brian2", "continuum"}
SWEEP_KEYS = {"M", "L", "key_norm", "D"}
NETWORK_KEYS = {"tau_n", "tau_s", "tau_p", "dt", "read_time"}
COMPARE_KEYS = {"enabled"}
BRIAN2_KEYS = {"enabled", "N", "M", "L", "queries", "write_time", "read_time"}
CONTINUUM_KEYS = {"enabled", "uniform", "N", "trials", "flip", "M", "key_norm"}
REPORT, MANIFEST, FIGURE = "results.json", "manifest.json", "transformer.png"
#: every file a result set of this kind holds
OUTPUTS = (REPORT, MANIFEST, FIGURE)
#: bytes per float the read phase holds per (query, synapse) (s, p, c/p, temporaries)
READ_BYTES = 8 * 8


@dataclass(frozen=True)
class TransformerProtocol:
    """A validated transformer protocol (module docstring); sweeps vary one of M, L, key_norm, D
    from the defaults (M, L, key_norm, D)."""

    data: dict
    seed: int = 0
    d: int = 8
    n: int = 8
    length: int = 16
    m: int = 1024
    key_norm: float = 0.5
    queries: int = 32
    feature_draws: int = 8
    features: str = "positive"
    sweep_m: tuple[int, ...] = (16, 64, 256, 1024, 4096)
    sweep_length: tuple[int, ...] = (4, 16, 64, 256)
    sweep_norm: tuple[float, ...] = (0.25, 0.5, 1.0, 1.5, 2.0)
    sweep_d: tuple[int, ...] = (2, 4, 8, 16, 32)
    network: dict = field(default_factory=lambda: {"tau_n": 1.0, "tau_s": 1.0, "tau_p": 1.0, "dt": 0.1,
                                                   "read_time": 30.0})
    compare: dict = field(default_factory=lambda: {"enabled": True})
    brian2: dict = field(default_factory=lambda: {"enabled": True, "N": 4, "M": 16, "L": 4, "queries": 2,
                                                  "write_time": 5.0, "read_time": 10.0})
    continuum: dict = field(default_factory=lambda: {"enabled": True, "uniform": [0.0, 0.03, 0.1, 0.3, 0.5, 0.7, 0.9,
                                                                                   1.0],
                                                     "N": 16, "trials": 24, "flip": 0.125, "M": 1024,
                                                     "key_norm": 2.0})

    @property
    def name(self) -> str:
        """The file's name key."""
        return str(self.data.get("name", "transformer"))

    @property
    def description(self) -> str:
        """The file's description."""
        return str(self.data.get("description", ""))

    def settings(self) -> dict:
        """Every setting a run uses (for manifests and the card)."""
        return {"seed": self.seed, "D": self.d, "N": self.n, "L": self.length, "M": self.m, "key_norm": self.key_norm,
                "queries": self.queries, "feature_draws": self.feature_draws, "features": self.features,
                "sweep": {"M": list(self.sweep_m), "L": list(self.sweep_length), "key_norm": list(self.sweep_norm),
                          "D": list(self.sweep_d)},
                "network": dict(self.network), "compare": dict(self.compare), "brian2": dict(self.brian2),
                "continuum": dict(self.continuum)}


def _int_list(value: object, key: str, source: object, minimum: int) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise ProtocolError(source, key, f"a list of distinct integers ≥ {minimum}", value)
    out = tuple(as_int(v, key, source, minimum) for v in value)
    if len(set(out)) != len(out):
        raise ProtocolError(source, key, f"a list of distinct integers ≥ {minimum}", value)
    return tuple(sorted(out))


def _number_list(value: object, key: str, source: object) -> tuple[float, ...]:
    if not isinstance(value, list) or not value:
        raise ProtocolError(source, key, "a list of distinct numbers > 0", value)
    out = tuple(as_number(v, key, source, 0.0, strict=True) for v in value)
    if len(set(out)) != len(out):
        raise ProtocolError(source, key, "a list of distinct numbers > 0", value)
    return tuple(sorted(out))


def validate(data: dict, source: object) -> TransformerProtocol:
    """A TransformerProtocol from a file's data; a ProtocolError names the first bad key.

    Parameters
    ----------
    data : dict
        The protocol file's data.
    source : object
        The file, named in errors.

    Returns
    -------
    TransformerProtocol
    """
    from .abstract.transformer import FEATURE_KINDS
    from .resources import require_memory

    check_keys(data, KEYS, "", source)
    base = TransformerProtocol(data)
    kw: dict[str, Any] = {"data": data}
    ints = {"seed": ("seed", 0), "D": ("d", 1), "N": ("n", 1), "L": ("length", 1), "M": ("m", 1),
            "queries": ("queries", 1), "feature_draws": ("feature_draws", 2)}
    for key, (attr, minimum) in ints.items():
        if key in data:
            kw[attr] = as_int(data[key], key, source, minimum)
    if "key_norm" in data:
        kw["key_norm"] = as_number(data["key_norm"], "key_norm", source, 0.0, strict=True)
    if "features" in data:
        kw["features"] = as_text(data["features"], "features", source)
        if kw["features"] not in FEATURE_KINDS:
            raise ProtocolError(source, "features", f"one of {', '.join(FEATURE_KINDS)}", kw["features"])
    sweep = as_table(data.get("sweep"), "sweep", source)
    check_keys(sweep, SWEEP_KEYS, "sweep.", source)
    if "M" in sweep:
        kw["sweep_m"] = _int_list(sweep["M"], "sweep.M", source, 1)
    if "L" in sweep:
        kw["sweep_length"] = _int_list(sweep["L"], "sweep.L", source, 1)
    if "key_norm" in sweep:
        kw["sweep_norm"] = _number_list(sweep["key_norm"], "sweep.key_norm", source)
    if "D" in sweep:
        kw["sweep_d"] = _int_list(sweep["D"], "sweep.D", source, 1)
    for table, allowed, attr in (("network", NETWORK_KEYS, "network"), ("compare", COMPARE_KEYS, "compare"),
                                 ("brian2", BRIAN2_KEYS, "brian2")):
        given = as_table(data.get(table), table, source)
        check_keys(given, allowed, f"{table}.", source)
        values = dict(getattr(base, attr))
        for key, value in given.items():
            dotted = f"{table}.{key}"
            if key == "enabled":
                values[key] = as_bool(value, dotted, source)
            elif isinstance(values[key], int) and not isinstance(values[key], bool):
                values[key] = as_int(value, dotted, source, 1)
            else:
                values[key] = as_number(value, dotted, source, 0.0, strict=True)
        kw[attr] = values
    given = as_table(data.get("continuum"), "continuum", source)
    check_keys(given, CONTINUUM_KEYS, "continuum.", source)
    values = dict(base.continuum)
    for key, value in given.items():
        dotted = f"continuum.{key}"
        if key == "enabled":
            values[key] = as_bool(value, dotted, source)
        elif key == "uniform":
            if not isinstance(value, list) or not value:
                raise ProtocolError(source, dotted, "a list of distinct weights in [0, 1]", value)
            weights = tuple(as_number(v, dotted, source, 0.0, maximum=1.0) for v in value)
            if len(set(weights)) != len(weights):
                raise ProtocolError(source, dotted, "a list of distinct weights in [0, 1]", value)
            values[key] = sorted(weights)
        elif key in ("N", "trials", "M"):
            values[key] = as_int(value, dotted, source, 8 if key == "N" else 1)
        elif key == "flip":
            values[key] = as_number(value, dotted, source, 0.0, strict=True, maximum=0.5)
        else:
            values[key] = as_number(value, dotted, source, 0.0, strict=True)
    if values["enabled"] and int(values["flip"] * values["N"] + 1e-9) < 1:
        raise ProtocolError(source, "continuum.flip", f"a fraction that flips at least one of N = {values['N']} bits",
                            values["flip"])
    kw["continuum"] = values
    protocol = TransformerProtocol(**kw)
    if len(protocol.sweep_m) < 4:
        raise ProtocolError(source, "sweep.M", "at least 4 feature counts (the 1/√M fit needs them)",
                            list(protocol.sweep_m))
    net = protocol.network
    if net["dt"] > net["read_time"]:
        raise ProtocolError(source, "network.dt", f"a step ≤ network.read_time ({net['read_time']:g} τ_n)", net["dt"])
    biggest = max(max(protocol.sweep_m), protocol.m)
    require_memory(protocol.queries * protocol.n * biggest * READ_BYTES, "sweep.M",
                   f"a read of {protocol.queries} queries with N = {protocol.n}, M = {biggest}")
    return protocol


def prepare(data: dict, options: Any, source: object) -> dict:
    """The file's data with the command line's options: only the runtime device, one process."""
    from .errors import InputError

    if options.device not in (None, "runtime"):
        raise InputError("--device", "runtime for the transformer protocol (NumPy; its Brian2 check runs on the "
                         "runtime device)", options.device)
    if options.workers is not None:
        raise InputError("--workers", "no value: the transformer protocol runs in one process", options.workers)
    if options.scheduler is not None:
        raise InputError("--scheduler", "no value: the transformer protocol runs in one process", options.scheduler)
    return data


@dataclass
class TransformerRun:
    """What a transformer protocol measured (see `summary`)."""

    protocol: TransformerProtocol
    sweeps: dict
    comparison: dict
    brian2: dict
    dynamics: dict
    continuum: dict
    seconds: float

    def summary(self) -> dict:
        """JSON-able results: the three sweeps, the 1/√M fit, the comparison, the Brian2 check
        and one read's dynamics."""
        return {"kind": "transformer", "settings": self.protocol.settings(), "sweeps": self.sweeps,
                "comparison": self.comparison, "brian2": self.brian2, "dynamics": self.dynamics,
                "continuum": self.continuum, "seconds": round(self.seconds, 2)}


def _tokens(rng: np.random.Generator, d: int, n: int, length: int, queries: int, norm: float):
    """Keys and queries uniform on the sphere of radius `norm`, values standard Gaussian."""
    def sphere(count: int) -> np.ndarray:
        v = rng.standard_normal((count, d))
        return norm * v / np.linalg.norm(v, axis=1, keepdims=True)

    return sphere(queries), sphere(length), rng.standard_normal((length, n))


def _point(protocol: TransformerProtocol, m: int, length: int, norm: float, d: int, index: int) -> dict:
    """Error of the network against softmax attention at one (M, L, key norm, D), every feature draw."""
    from .abstract.transformer import (
        AstrocyteTransformer,
        RandomFeatures,
        attention_error,
        linear_attention,
        softmax_attention,
    )

    rng = np.random.default_rng([protocol.seed, index])
    q, keys, values = _tokens(rng, d, protocol.n, length, protocol.queries, norm)
    exact = softmax_attention(q, keys, values)
    net = protocol.network
    model = AstrocyteTransformer(protocol.n, m, net["tau_n"], net["tau_s"], net["tau_p"])
    errors, gaps, seconds = [], [], 0.0
    for draw in range(protocol.feature_draws):
        features = RandomFeatures(d, m, seed=int(rng.integers(2**31)), kind=protocol.features)
        t0 = time.perf_counter()
        traj = model.attend(q, keys, values, features, dt=net["dt"], read_time=net["read_time"],
                            record_every=10**9)
        seconds += time.perf_counter() - t0
        errors.append(float(attention_error(traj.final, exact).mean()))
        gaps.append(float(np.max(np.abs(traj.final - linear_attention(features(q), features(keys), values)))))
    return {"M": m, "L": length, "key_norm": norm, "D": d, "error": float(np.mean(errors)),
            "error_sd": float(np.std(errors)), "errors": errors, "max_gap_to_linear_attention": max(gaps),
            "seconds_per_draw": seconds / protocol.feature_draws}


def _fit_root_m(points: list[dict]) -> dict:
    """Log–log slope of error against M with its 95 % interval (per-draw errors), and err·√M."""
    from scipy import stats

    ms = np.repeat([p["M"] for p in points], [len(p["errors"]) for p in points]).astype(float)
    errs = np.concatenate([p["errors"] for p in points])
    fit = stats.linregress(np.log(ms), np.log(errs))
    half = stats.t.ppf(0.975, len(ms) - 2) * fit.stderr
    scaled = [p["error"] * np.sqrt(p["M"]) for p in points]
    return {"slope": float(fit.slope), "ci95": [float(fit.slope - half), float(fit.slope + half)],
            "error_root_m": scaled, "root_m_spread": float(max(scaled) / min(scaled))}


def _comparison(protocol: TransformerProtocol, index: int) -> dict:
    """The three attention-like models on the same autoassociative tokens: L random ±1 patterns ξ_β
    (D bits) as keys (scaled to the key norm) and as values, queries = stored patterns with D/8 bits
    flipped (scaled likewise), so that softmax attention is Ξ softmax(β Ξᵀ ξ̃), β = |k|²/D."""
    from .abstract.astro_gated import AstrocyteGatedMemory
    from .abstract.modern import ModernHopfield
    from .abstract.transformer import AstrocyteTransformer, RandomFeatures, attention_error, softmax_attention
    from .patterns import corrupt, random_patterns

    p = protocol
    rng = np.random.default_rng([p.seed, index])
    xi = random_patterns(p.d, p.length, rng)  # (D, L)
    cues = corrupt(xi[:, rng.integers(p.length, size=p.queries)].T, max(1, p.d // 8), rng)  # (B, D)
    scale = p.key_norm / np.sqrt(p.d)
    beta = scale**2
    exact = softmax_attention(scale * cues, scale * xi.T, xi.T)
    rows = {}
    t0 = time.perf_counter()
    out = ModernHopfield(xi, beta=beta).update(cues)
    rows["modern-hopfield"] = {"error": float(attention_error(out, exact).mean()), "seconds": time.perf_counter() - t0,
                               "units": p.d + p.length,  # D feature neurons, one hidden unit per token
                               "what": f"one update Ξ softmax(βΞᵀξ̃), β = {beta:g}"}
    amplitude, sigma = 0.5, 1.0  # rates tanh(σx) = 0.5 ξ̃ carry the cue; T sets β = 0.5/T
    gated = AstrocyteGatedMemory(xi, sigma=sigma, temperature=amplitude / beta, score="linear")
    t0 = time.perf_counter()
    out = gated.fast_gain_update(np.arctanh(amplitude * cues) / sigma)
    rows["astro-gated, fast gains"] = {
        "error": float(attention_error(out, exact).mean()), "seconds": time.perf_counter() - t0,
        "units": p.d + p.length, "what": "Ξ softmax(Ξᵀφ(x)/T), linear score, gains at their fixed point"}
    net = p.network
    model = AstrocyteTransformer(p.d, p.m, net["tau_n"], net["tau_s"], net["tau_p"])
    errors, t0 = [], time.perf_counter()
    for _ in range(p.feature_draws):
        features = RandomFeatures(p.d, p.m, seed=int(rng.integers(2**31)), kind=p.features)
        traj = model.attend(scale * cues, scale * xi.T, xi.T, features, dt=net["dt"], read_time=net["read_time"],
                            record_every=10**9)
        errors.append(float(attention_error(traj.final, exact).mean()))
    rows["neuron-astrocyte transformer"] = {
        "error": float(np.mean(errors)), "error_sd": float(np.std(errors)),
        "seconds": (time.perf_counter() - t0) / p.feature_draws, "units": p.m + p.d + 2 * p.d * p.m,
        "what": f"read-phase dynamics, M = {p.m} random features (mean of {p.feature_draws} draws)"}
    best = min(row["error"] for row in rows.values())
    closest = [name for name, row in rows.items() if row["error"] <= max(best, 1e-12)]  # exact to round-off: all
    return {"models": rows, "closest": closest, "L": p.length, "D": p.d, "key_norm": p.key_norm, "beta": beta,
            "queries": p.queries}


def _brian2_check(protocol: TransformerProtocol, index: int) -> dict:
    """The Brian2 rung against the abstract model on a small network: the largest difference of x(t)."""
    from .abstract.transformer import AstrocyteTransformer, RandomFeatures
    from .devices import use_device
    from .network.transformer import build_transformer_network

    b = protocol.brian2
    rng = np.random.default_rng([protocol.seed, index])
    q, keys, values = _tokens(rng, protocol.d, b["N"], b["L"], b["queries"], protocol.key_norm)
    features = RandomFeatures(protocol.d, b["M"], seed=int(rng.integers(2**31)), kind=protocol.features)
    net = protocol.network
    t0 = time.perf_counter()
    with use_device("runtime"):
        rung = build_transformer_network(b["N"], b["M"], net["tau_n"], net["tau_s"], net["tau_p"], dt=net["dt"])
        rung.write(values, features(keys), write_time=b["write_time"])
        brian = rung.read(features(q), read_time=b["read_time"])
    seconds = time.perf_counter() - t0
    model = AstrocyteTransformer(b["N"], b["M"], net["tau_n"], net["tau_s"], net["tau_p"])
    stored = model.write(values, features(keys), write_time=b["write_time"], dt=net["dt"])
    abstract = model.read(features(q), stored, read_time=b["read_time"], dt=net["dt"])
    return {"max_abs_difference_x": float(np.max(np.abs(brian.x - abstract.x))),
            "max_relative_drift_p_total": float(np.max(np.abs(brian.p_total - brian.p_total[0]) / brian.p_total[0])),
            "seconds": seconds, "N": b["N"], "M": b["M"], "L": b["L"], "queries": b["queries"]}


def _dynamics(protocol: TransformerProtocol, index: int) -> dict:
    """One query's read phase at the default point: x(t) against x* and the drift of Σp; and the
    processes' synchronisation rate measured on a short read with a step of 0.1/(2NM/τ_p)."""
    from .abstract.transformer import AstrocyteTransformer, RandomFeatures

    rng = np.random.default_rng([protocol.seed, index])
    q, keys, values = _tokens(rng, protocol.d, protocol.n, protocol.length, 1, protocol.key_norm)
    features = RandomFeatures(protocol.d, protocol.m, seed=int(rng.integers(2**31)), kind=protocol.features)
    net = protocol.network
    model = AstrocyteTransformer(protocol.n, protocol.m, net["tau_n"], net["tau_s"], net["tau_p"])
    traj = model.attend(q, keys, values, features, dt=net["dt"], read_time=net["read_time"])
    distance = np.linalg.norm(traj.x[:, 0] - traj.fixed_point[0], axis=-1)
    fine = 0.1 / model.synchronisation_rate
    sync = model.read(features(q), model.write(values, features(keys)), read_time=10 * fine, dt=fine)
    measured = -np.polyfit(sync.t, np.log(sync.dispersion[:, 0]), 1)[0]
    return {"t": traj.t.tolist(), "distance_to_fixed_point": distance.tolist(),
            "p_total_drift": (np.abs(traj.p_total[:, 0] - traj.p_total[0, 0]) / traj.p_total[0, 0]).tolist(),
            "synchronisation_rate": model.synchronisation_rate, "measured_synchronisation_rate": float(measured)}


def _continuum(protocol: TransformerProtocol, index: int, progress: Any = None, done: int = 0,
               total: int = 0) -> dict:
    """Along the weight w of the uniform coupling (`MixedCoupling`, `AstrocyteTransformer(uniform=w)`):
    K_max of the DAM architecture (the neuron–astrocyte model from rest) and of the transformer as
    an autoassociative memory (`TransformerMemory`), both as astrobrian.capacity measures them
    (P = 0.5, overlap ≥ 0.9, the same trials for every w), and the transformer's attention error
    at the protocol's default point with the fraction of queries whose read has a stable fixed point."""
    from .abstract.process_coupling import MixedCoupling
    from .abstract.transformer import AstrocyteTransformer, RandomFeatures, attention_error, softmax_attention
    from .capacity import Criterion, find_kmax, recall_trials

    c = protocol.continuum
    criterion = Criterion("overlap", 0.9)

    def kmax(model: str, params: dict) -> tuple[float, dict]:
        cache: dict[int, float] = {}
        value, _bracket = find_kmax(lambda k: float(recall_trials(model, c["N"], k, c["trials"], c["flip"], criterion,
                                                                  protocol.seed, params).mean()),
                                    0.5, cache, rel_tol=0.1, k_start=2)
        return value, {str(k): v for k, v in sorted(cache.items())}

    rng = np.random.default_rng([protocol.seed, index])
    q, keys, values = _tokens(rng, protocol.d, protocol.n, protocol.length, protocol.queries, protocol.key_norm)
    exact = softmax_attention(q, keys, values)
    draws = [RandomFeatures(protocol.d, protocol.m, seed=int(rng.integers(2**31)), kind=protocol.features)
             for _ in range(protocol.feature_draws)]
    writer = AstrocyteTransformer(protocol.n, protocol.m)  # the write phase does not depend on w
    written = [(features(q), writer.write(values, features(keys))) for features in draws]
    rows = []
    for step, w in enumerate(c["uniform"]):
        t0 = time.perf_counter()
        dam, dam_points = kmax("neuron-astrocyte-rest", {"coupling": MixedCoupling(w)})
        memory, memory_points = kmax("astrocyte-transformer", {"n_features": c["M"], "key_norm": c["key_norm"],
                                                               "uniform": w})
        model = AstrocyteTransformer(protocol.n, protocol.m, uniform=w)
        errors, stable = [], []
        for query_features, stored in written:
            x = model.fixed_point(query_features, stored)
            ok = np.all(np.isfinite(x), axis=1)
            stable.append(float(ok.mean()))
            if ok.any():
                errors.append(float(attention_error(x[ok], exact[ok]).mean()))
        rows.append({"uniform": w, "dam_kmax": dam, "dam_points": dam_points, "transformer_kmax": memory,
                     "transformer_points": memory_points, "attention_error": float(np.mean(errors)) if errors else None,
                     "stable_fraction": float(np.mean(stable)), "seconds": time.perf_counter() - t0})
        if progress:
            progress(done + step + 1, total, f"continuum w = {w:g}")
    return {"rows": rows, "N": c["N"], "trials": c["trials"], "flip": c["flip"], "M": c["M"],
            "key_norm": c["key_norm"], "attention_point": {"M": protocol.m, "L": protocol.length, "D": protocol.d,
                                                           "key_norm": protocol.key_norm}}


def run(protocol: TransformerProtocol, out: Path, options: Any, progress: Any = None) -> TransformerRun:
    """Measure the three sweeps, the comparison, the Brian2 check and one read's dynamics.

    Parameters
    ----------
    protocol : TransformerProtocol
        The validated protocol.
    out : Path
        The output folder (written by `write`).
    options : RunOptions
        Unused beyond `prepare`.
    progress : callable, optional
        ``progress(done, total, label)``.

    Returns
    -------
    TransformerRun
    """
    t_start = time.perf_counter()
    p = protocol
    plan = ([("M", m, p.length, p.key_norm, p.d) for m in p.sweep_m]
            + [("L", p.m, length, p.key_norm, p.d) for length in p.sweep_length]
            + [("key_norm", p.m, p.length, norm, p.d) for norm in p.sweep_norm]
            + [("D", p.m, p.length, p.key_norm, d) for d in p.sweep_d])
    weights = p.continuum["uniform"] if p.continuum["enabled"] else []
    total = len(plan) + 3 + len(weights)
    sweeps: dict[str, list] = {"M": [], "L": [], "key_norm": [], "D": []}
    for k, (which, m, length, norm, d) in enumerate(plan):
        sweeps[which].append(_point(p, m, length, norm, d, k))
        if progress:
            progress(k + 1, total, f"{which} = {sweeps[which][-1][which]:g}")
    sweeps["root_m_fit"] = _fit_root_m(sweeps["M"])
    comparison = _comparison(p, len(plan)) if p.compare["enabled"] else {}
    if progress:
        progress(len(plan) + 1, total, "comparison")
    brian2 = _brian2_check(p, len(plan) + 1) if p.brian2["enabled"] else {}
    if progress:
        progress(len(plan) + 2, total, "Brian2 rung")
    dynamics = _dynamics(p, len(plan) + 2)
    if progress:
        progress(len(plan) + 3, total, "read dynamics")
    continuum = _continuum(p, len(plan) + 3, progress, len(plan) + 3, total) if weights else {}
    return TransformerRun(p, sweeps, comparison, brian2, dynamics, continuum, time.perf_counter() - t_start)


def write(result: TransformerRun, out: str | Path) -> dict[str, Path]:
    """OUT/results.json (summary and manifest), OUT/manifest.json and OUT/transformer.png, all or none."""
    from .output import result_set
    from .plotting_transformer import plot_transformer
    from .provenance import manifest, to_json

    out = Path(out)
    summary = result.summary()
    meta = manifest(result.protocol.seed, {"protocol": result.protocol.settings(), "file": result.protocol.data},
                    device="cpu (numpy); Brian2 runtime (numpy target) for the rung check")
    texts = {REPORT: to_json({"summary": summary, "manifest": meta}) + "\n", MANIFEST: to_json(meta) + "\n"}
    with result_set(out, OUTPUTS, field="output folder") as stage:
        for name, text in texts.items():
            (stage / name).write_text(text, encoding="utf-8")
        plot_transformer(summary, stage / FIGURE)
    return {"report": out / REPORT, "manifest": out / MANIFEST, "figure": out / FIGURE}


def format_summary(summary: dict, out: Any = None) -> str:
    """The table printed after a run."""
    s = summary["settings"]
    lines = [f"transformer: D = {s['D']}, N = {s['N']}, {s['queries']} queries, {s['feature_draws']} feature draws "
             f"({s['features']}); error = ‖x − softmax attention‖/‖softmax attention‖"]
    labels = {"M": f"M (L = {s['L']}, |k| = {s['key_norm']:g})", "L": f"L (M = {s['M']}, |k| = {s['key_norm']:g})",
              "key_norm": f"|k| (M = {s['M']}, L = {s['L']})", "D": f"D (M = {s['M']}, L = {s['L']})"}
    for which, label in labels.items():
        row = "  ".join(f"{p[which]:g}: {p['error']:.4f}" for p in summary["sweeps"][which])
        lines.append(f"  error vs {label}: {row}")
    fit = summary["sweeps"]["root_m_fit"]
    lines.append(f"  slope of error vs M: {fit['slope']:.3f} [{fit['ci95'][0]:.3f}, {fit['ci95'][1]:.3f}] "
                 f"(1/√M: −0.5); error·√M spread {fit['root_m_spread']:.2f}×")
    if summary["comparison"]:
        c = summary["comparison"]
        lines.append(f"  on autoassociative tokens (values = keys, L = {c['L']}):")
        for name, row in c["models"].items():
            lines.append(f"    {name:<40} error {row['error']:.2e}  {row['seconds'] * 1e3:8.2f} ms  "
                         f"{row['units']} units")
        lines.append(f"    closest to softmax attention: {', '.join(c['closest'])}")
    if summary["brian2"]:
        b = summary["brian2"]
        lines.append(f"  Brian2 rung vs abstract model (N = {b['N']}, M = {b['M']}): max |Δx| = "
                     f"{b['max_abs_difference_x']:.1e}, Σp drift {b['max_relative_drift_p_total']:.1e}")
    if summary.get("continuum"):
        c = summary["continuum"]
        lines.append(f"  continuum, weight w of the uniform coupling (K_max at P = 0.5, overlap ≥ 0.9, N = {c['N']}, "
                     f"{c['trials']} trials; transformer memory M = {c['M']}, |k| = {c['key_norm']:g}):")
        lines.append("    w        DAM K_max   transformer K_max   attention error   stable reads")
        for r in c["rows"]:
            err = "-" if r["attention_error"] is None else f"{r['attention_error']:.4f}"
            lines.append(f"    {r['uniform']:<8g} {r['dam_kmax']:<11.1f} {r['transformer_kmax']:<19.1f} {err:<17} "
                         f"{r['stable_fraction']:.0%}")
    lines.append(f"  {summary['seconds']:.1f} s" + (f"; results in {out}" if out is not None else ""))
    return "\n".join(lines)


def card(protocol: TransformerProtocol) -> str:
    """Every key with the value a run uses."""
    from .cards import Card

    rows = Card()
    d = lambda key: "" if key in protocol.data else "(default)"  # noqa: E731
    rows.row("kind", "transformer")
    for key, value in (("seed", protocol.seed), ("D", protocol.d), ("N", protocol.n), ("L", protocol.length),
                       ("M", protocol.m), ("key_norm", protocol.key_norm), ("queries", protocol.queries),
                       ("feature_draws", protocol.feature_draws), ("features", protocol.features)):
        rows.row(key, value, d(key))
    rows.table("sweep", "each varies one of M, L, key_norm, D from the values above")
    for key, value in (("M", list(protocol.sweep_m)), ("L", list(protocol.sweep_length)),
                       ("key_norm", list(protocol.sweep_norm)), ("D", list(protocol.sweep_d))):
        rows.row(key, value)
    for table in ("network", "compare", "brian2", "continuum"):
        rows.table(table)
        for key, value in getattr(protocol, table).items():
            rows.row(key, value)
    return "\n".join(rows.lines)


def rungs_of(data: dict) -> str:
    """What a transformer file runs, for listings."""
    return "abstract transformer; Brian2 rate rung check"


def register() -> None:
    """Register the transformer kind with `astrobrian.protocols`."""
    from .protocols import ProtocolKind, register_kind

    register_kind(ProtocolKind("transformer", "astrocyte-normalised attention against softmax attention",
                               frozenset(KEYS), validate, prepare, run, write, format_summary, OUTPUTS, card,
                               rungs_of))


__all__ = ["TransformerProtocol", "TransformerRun", "validate", "prepare", "run", "write", "format_summary", "card",
           "register"]
