"""The abstract models by name, as the capacity scan and the CLI call them.

Each entry builds a model from patterns and runs a batch of cues with documented defaults;
user parameters are split between constructor and `run` by name, and an unknown one is an
error that names the model and lists its parameters. `check` builds and runs the model once
on a tiny problem so that every bad value fails before a scan starts; `trial_floats` and
`predicted_capacity` let a scan estimate its memory before it runs.
"""

from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from ..errors import InputError
from .astro_gated import AstrocyteGatedMemory
from .dam import DenseAssociativeMemory, dam_capacity_theory, hopfield_capacity_theory
from .hopfield import HopfieldNetwork
from .modern import ModernHopfield
from .neuron_astrocyte import NO_SELF_TERMS, NeuronAstrocyteMemory, QuarticDAMLimit
from .trajectory import Trajectory
from .transformer import TransformerMemory


@dataclass(frozen=True)
class ModelEntry:
    """How to build and run one named model: fixed constructor arguments and run defaults."""

    cls: type
    description: str
    fixed: dict[str, Any] = field(default_factory=dict)
    preset: dict[str, Any] = field(default_factory=dict)  # constructor defaults users may override
    run_defaults: dict[str, Any] = field(default_factory=dict)
    factory: str | None = None  # name of a classmethod building the model (a scaling preset)
    name: str = ""  # the registry name (set by MODELS)
    infinite_ok: frozenset[str] = frozenset()  # parameters for which inf is a meaningful value
    capacity_order: int | None = None  # DAM order n of a known error-free capacity N^(n−1)/ln N
    units: str = "astrocyte"  # compute units: N + 2N² ('astrocyte') or N + N(N − 1) ('pairwise')

    def _names(self, fn: Callable) -> set[str]:
        return {p for p in inspect.signature(fn).parameters if p not in ("self", "patterns", "cues", "rng")}

    def parameter_names(self) -> list[str]:
        """The names a user may set (constructor and run), sorted."""
        return sorted((self._names(self.cls.__init__) - set(self.fixed)) | self._names(self.cls.run))

    def split(self, params: dict[str, Any], label: Callable[[str], str] | None = None) -> tuple[dict, dict]:
        """(constructor kwargs, run kwargs) from user params; an unknown name is an error naming
        the model (`label(key)` names the parameter in errors; default "param 'key'")."""
        label = label or _label
        ctor_names = self._names(self.cls.__init__) - set(self.fixed)
        run_names = self._names(self.cls.run)
        ctor, run = {**self.preset, **self.fixed}, dict(self.run_defaults)
        for key, value in params.items():
            if key in ctor_names:
                ctor[key] = value
            elif key in run_names:
                run[key] = value
            else:
                raise InputError(label(key), f"a parameter of model '{self.name}' "
                                 f"(its parameters: {', '.join(self.parameter_names())})", key)
        return ctor, run

    def parameter_defaults(self) -> dict[str, Any]:
        """Every settable parameter with the value a run uses when it is not given."""
        values = self.defaults()
        return {name: values.get(name) for name in self.parameter_names()}

    def check(self, params: dict[str, Any], n: int, label: Callable[[str], str] | None = None) -> None:
        """Check every value by the type of its default, then build the model on one random
        pattern of N bits and run one cue for a step or two, so that every bad value fails now,
        as an InputError naming the parameter and the model.

        Parameters
        ----------
        params : dict
            User parameters by name (constructor and run arguments).
        n : int
            Network size N of the check.
        label : callable, optional
            `label(key)` names a parameter in errors (default "param 'key'").

        Raises
        ------
        InputError
            Naming the parameter and the model.
        """
        label = label or _label
        self.split(params, label)  # unknown names first
        defaults = self.parameter_defaults()
        for key, value in params.items():
            _check_value(label(key), value, defaults[key], key in self.infinite_ok, self.name)
        values = {**defaults, **params}
        for key in ("stop_tol", "t_end", "cue_strength", "cue_duration"):
            if key in params and params[key] is not None and not _is_number(params[key]):
                raise InputError(label(key), f"a number (model '{self.name}')", params[key])
        if params.get("stop_tol") is not None and params["stop_tol"] < 0:
            raise InputError(label("stop_tol"), f"a tolerance ≥ 0, or null for no early stop (model '{self.name}')",
                             params["stop_tol"])
        if "t_end" in params and params["t_end"] <= 0:
            raise InputError(label("t_end"), f"a run length > 0 (model '{self.name}')", params["t_end"])
        if "init" in defaults:
            for key in ("cue_strength", "cue_duration"):
                if key in params and values["init"] != "rest":
                    raise InputError(label(key), f"no value unless init = 'rest' (model '{self.name}' starts "
                                     f"from the cue with init = {values['init']!r}, so {key} would change nothing)",
                                     params[key])
                if values["init"] == "rest" and values[key] is not None and values[key] <= 0:
                    raise InputError(label(key), f"a number > 0 (model '{self.name}' starts from rest: "
                                     "without a cue there is nothing to recall)", values[key])
        ctor, run = self.split(params)
        rng = np.random.default_rng(0)
        xi = np.where(rng.random((int(n), 1)) < 0.5, -1.0, 1.0)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                self.recall(xi, xi[:, 0][None, :], rng, params, run_overrides=_short_run({**defaults, **run}))
        except InputError as err:
            key = err.field.split(" ", 1)[0].strip("'")
            key = key if key in params else next((k for k in params if k in err.field), None)
            field = label(key) if key else f"model '{self.name}' at N = {n}"
            raise InputError(field, f"{err.expected} (model '{self.name}')", err.got) from None
        except (FloatingPointError, ValueError, TypeError) as err:
            given = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "its defaults"
            what = "stays finite" if isinstance(err, FloatingPointError) else "accepts"
            field = ", ".join(map(label, params)) or f"model '{self.name}' at N = {n}"
            raise InputError(field, f"values for which model '{self.name}' {what} ({err})", given) from None

    def trial_floats(self, n: int, k: int) -> int:
        """Estimated peak float64 values one trial of a batch holds at (N, K): patterns and
        overlaps (≈ 3 N·K), plus ≈ 12 N² for models with an N×N synapse and process state
        (measured with tracemalloc at N = 40, 80)."""
        pairwise = "S" in getattr(self.cls, "state_names", ())
        return 3 * n * k + 16 * n + (12 * n * n if pairwise else 0)

    def predicted_capacity(self, n: int, criterion: str = "exact") -> float | None:
        """The published capacity at N where one is known (Hopfield, power-n DAMs), else None;
        the scan's search reaches at least about this K (measured K_max at P = 0.5 is at or
        above it at N = 16, 32)."""
        if self.capacity_order is None:
            return None
        if self.capacity_order == 2:
            return float(hopfield_capacity_theory(n, "exact" if criterion == "exact" else "tolerant"))
        return float(dam_capacity_theory(n, self.capacity_order))

    def recall(self, patterns: np.ndarray, cues: np.ndarray, rng: np.random.Generator, params: dict,
               run_overrides: dict | None = None) -> Trajectory:
        """Build the model on `patterns` and run `cues`.

        Parameters
        ----------
        patterns : numpy.ndarray
            (N, K) or (B, N, K) ±1 patterns.
        cues : numpy.ndarray
            (B, N) cues.
        rng : numpy.random.Generator
            Feeds the models with a random update order (Hopfield, DAM).
        params : dict
            User parameters by name.
        run_overrides : dict, optional
            Run arguments that replace the user's (e.g. a shortened run).

        Returns
        -------
        Trajectory
        """
        ctor, run = self.split(params)
        run.update(run_overrides or {})
        build = getattr(self.cls, self.factory) if self.factory else self.cls
        model = build(patterns, **ctor)
        if "rng" in inspect.signature(self.cls.run).parameters:
            run["rng"] = rng
        return model.run(cues, **run)

    def defaults(self) -> dict[str, Any]:
        """Every effective parameter value (constructor and run), for manifests."""
        out = {}
        for fn in (self.cls.__init__, self.cls.run):
            for name, p in inspect.signature(fn).parameters.items():
                if name not in ("self", "patterns", "cues", "rng") and p.default is not inspect.Parameter.empty:
                    out[name] = p.default
        out.update(self.preset)
        out.update(self.fixed)
        out.update(self.run_defaults)
        return out


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _finite_numbers(value: object) -> bool:
    """A finite number, or a (nested) list of them."""
    if isinstance(value, list):
        return bool(value) and all(_finite_numbers(v) for v in value)
    return _is_number(value) and math.isfinite(value)


def _label(key: str) -> str:
    return f"param '{key}'"


def _check_value(field: str, value: object, default: object, infinite_ok: bool, model: str) -> None:
    """Refuse a value of the wrong kind for its default: a flag for a flag, an integer ≥ 1 for a
    count, a finite number (or a list of them, for input arrays) for a number, text for a name."""
    def bad(expected: str):
        return InputError(field, f"{expected} (model '{model}')", value)

    if infinite_ok and _is_number(value) and value == math.inf:
        return
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
    elif isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise bad("an integer ≥ 1")
    elif isinstance(default, float):
        if not _finite_numbers(value):
            raise bad("a finite number" + (" (or inf)" if infinite_ok else ""))
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise bad(f"a name such as {default!r}")
    elif value is not None and not isinstance(value, (str, dict)) and not _finite_numbers(value):
        raise bad("a finite number, a name or null")


def _short_run(run: dict[str, Any]) -> dict[str, Any]:
    """Run arguments cut to a step or two (a valid length only: a bad one stays, to be refused)."""
    out = {}
    for key, cap in (("steps", 2), ("max_sweeps", 1)):
        v = run.get(key)
        if isinstance(v, int) and not isinstance(v, bool) and v > cap:
            out[key] = cap
    t_end, dt = run.get("t_end"), run.get("dt")
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < math.inf for v in (t_end, dt)) \
            and t_end > 2 * dt:
        out["t_end"] = 2 * dt
    return out


MODELS: dict[str, ModelEntry] = {
    "hopfield": ModelEntry(HopfieldNetwork, "classical binary Hopfield, W_ii = 0, asynchronous", capacity_order=2,
                          units="pairwise"),
    "dam2": ModelEntry(DenseAssociativeMemory, "Krotov–Hopfield DAM, F(z) = z²", {"interaction": "power", "n": 2},
                       capacity_order=2),
    "dam3": ModelEntry(DenseAssociativeMemory, "Krotov–Hopfield DAM, F(z) = z³", {"interaction": "power", "n": 3},
                       capacity_order=3),
    "dam4": ModelEntry(DenseAssociativeMemory, "Krotov–Hopfield DAM, F(z) = z⁴", {"interaction": "power", "n": 4},
                       capacity_order=4),
    "dam-exp": ModelEntry(DenseAssociativeMemory, "DAM with F(z) = exp(z)", {"interaction": "exp"}),
    "modern": ModelEntry(ModernHopfield, "modern Hopfield / attention update"),
    "neuron-astrocyte": ModelEntry(
        NeuronAstrocyteMemory,
        "neuron–synapse–process model, reference init, early stop at |dz/dt| < 1e-6",
        run_defaults={"record_every": 100_000, "stop_tol": 1e-6},
    ),
    "neuron-astrocyte-fast": ModelEntry(
        NeuronAstrocyteMemory,
        "neuron–astrocyte model in its quartic-DAM regime: fast synapses/processes (τ_s = τ_p = 0.2 τ_n), α = γ = 0",
        preset={"tau_s": 0.2, "tau_p": 0.2, "alpha": 0.0, "gamma": 0.0},
        run_defaults={"dt": 0.02, "steps": 1000, "record_every": 100_000, "stop_tol": 1e-5},
    ),
    "neuron-astrocyte-rest": ModelEntry(
        NeuronAstrocyteMemory,
        "neuron–astrocyte model with the rest scaling (a = 1/N, s = 1/N²), started from rest, cue as input; "
        "no autapses, no process self-coupling (docs/models.md#self-terms)",
        preset=NO_SELF_TERMS,
        run_defaults={"init": "rest", "dt": 0.01, "steps": 3000, "record_every": 100_000, "stop_tol": 1e-6},
        factory="rest_scaling",
    ),
    "quartic-dam-rest": ModelEntry(
        QuarticDAMLimit,
        "the model's fast limit (quartic DAM with continuous neurons), started from rest, cue as input; "
        "no autapses, no process self-coupling (docs/models.md#quartic-dam-limit)",
        preset=NO_SELF_TERMS,
        run_defaults={"init": "rest", "dt": 0.05, "steps": 600, "record_every": 100_000, "stop_tol": 1e-5},
    ),
    "astrocyte-transformer": ModelEntry(
        TransformerMemory,
        "the neuron–astrocyte transformer as an autoassociative memory: patterns written as tokens (keys and "
        "values), the cue read as the query, the read phase's fixed point recalled (docs/transformer.md)",
    ),
    "astro-gated": ModelEntry(
        AstrocyteGatedMemory, "astrocytic gains on the simplex", run_defaults={"record_every": 100_000},
        infinite_ok=frozenset({"tau_p"}),  # frozen gains
    ),
}
MODELS = {name: replace(entry, name=name) for name, entry in MODELS.items()}


def model_entry(name: str) -> ModelEntry:
    """The registry entry for `name`, or an error listing the known models."""
    if name not in MODELS:
        raise InputError("model", f"one of {', '.join(MODELS)}", name)
    return MODELS[name]
