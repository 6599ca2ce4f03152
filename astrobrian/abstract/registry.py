"""The abstract models by name, as the capacity scan and the CLI call them.

Each entry builds a model from patterns and runs a batch of cues with documented defaults;
user parameters are split between constructor and `run` by name, and an unknown one is an
error that lists the valid names.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..errors import InputError
from .astro_gated import AstrocyteGatedMemory
from .dam import DenseAssociativeMemory
from .hopfield import HopfieldNetwork
from .modern import ModernHopfield
from .neuron_astrocyte import NeuronAstrocyteMemory
from .trajectory import Trajectory


@dataclass(frozen=True)
class ModelEntry:
    """How to build and run one named model: fixed constructor arguments and run defaults."""

    cls: type
    description: str
    fixed: dict[str, Any] = field(default_factory=dict)
    preset: dict[str, Any] = field(default_factory=dict)  # constructor defaults users may override
    run_defaults: dict[str, Any] = field(default_factory=dict)
    factory: str | None = None  # name of a classmethod building the model (a scaling preset)

    def _names(self, fn: Callable) -> set[str]:
        return {p for p in inspect.signature(fn).parameters if p not in ("self", "patterns", "cues", "rng")}

    def split(self, params: dict[str, Any]) -> tuple[dict, dict]:
        """(constructor kwargs, run kwargs) from user params; unknown names are an error."""
        ctor_names = self._names(self.cls.__init__) - set(self.fixed)
        run_names = self._names(self.cls.run)
        ctor, run = {**self.preset, **self.fixed}, dict(self.run_defaults)
        for key, value in params.items():
            if key in ctor_names:
                ctor[key] = value
            elif key in run_names:
                run[key] = value
            else:
                allowed = ", ".join(sorted(ctor_names | run_names))
                raise InputError(f"param '{key}'", f"one of: {allowed}", key)
        return ctor, run

    def recall(self, patterns: np.ndarray, cues: np.ndarray, rng: np.random.Generator, params: dict) -> Trajectory:
        """Build on `patterns` and run `cues`; `rng` feeds models with random update order."""
        ctor, run = self.split(params)
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


MODELS: dict[str, ModelEntry] = {
    "hopfield": ModelEntry(HopfieldNetwork, "classical binary Hopfield, W_ii = 0, asynchronous"),
    "dam2": ModelEntry(DenseAssociativeMemory, "Krotov–Hopfield DAM, F(z) = z²", {"interaction": "power", "n": 2}),
    "dam3": ModelEntry(DenseAssociativeMemory, "Krotov–Hopfield DAM, F(z) = z³", {"interaction": "power", "n": 3}),
    "dam4": ModelEntry(DenseAssociativeMemory, "Krotov–Hopfield DAM, F(z) = z⁴", {"interaction": "power", "n": 4}),
    "dam-exp": ModelEntry(DenseAssociativeMemory, "DAM with F(z) = exp(z)", {"interaction": "exp"}),
    "modern": ModelEntry(ModernHopfield, "modern Hopfield / attention update"),
    "neuron-astrocyte": ModelEntry(
        NeuronAstrocyteMemory,
        "neuron–synapse–process model (science.md §1), reference init, early stop at |dz/dt| < 1e-6",
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
        "neuron–astrocyte model with the science.md §6 scaling, started from rest, cue as input",
        run_defaults={"init": "rest", "dt": 0.01, "steps": 3000, "record_every": 100_000, "stop_tol": 1e-6},
        factory="rest_scaling",
    ),
    "astro-gated": ModelEntry(
        AstrocyteGatedMemory, "astrocytic gains on the simplex (science.md §2)", run_defaults={"record_every": 100_000}
    ),
}


def model_entry(name: str) -> ModelEntry:
    """The registry entry for `name`, or an error listing the known models."""
    if name not in MODELS:
        raise InputError("model", f"one of {', '.join(MODELS)}", name)
    return MODELS[name]
