"""Compile once, run many: on a standalone device (cpp_standalone, cuda_standalone) one project is
built per network structure, in a kept folder, and every trial re-runs it with Brian2's `run_args`
(docs/devices.md#compile-once-run-many).

A trial's network is first built on the runtime device (no run: a fraction of a second) — that gives
its initial state (patterns in the mode weights, the cue current, knockout masks, the neurons' start)
and its *structure*: every object, clock, equation, code string, namespace value and connectivity,
hashed. Trials of the same structure share one compiled project; each re-run sets every state
variable of the project to the trial's values through `run_args` and reseeds Brian2's generator
with the trial's seed. A deterministic network's re-run gives the runtime device's spikes (and so
a fresh build's: `tests/test_network_spiking.py`); a noisy one (e.g. neuron_preset 'noisy') gets
noise of its own per trial seed, the same for the same seed, though not the stream a fresh build
of that trial would draw.
A new structure is built in a folder of its own (ccache, when installed, and make's own
dependency tracking keep a rebuild of a known structure short); all folders are removed by `close`.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError

#: names of the compiled project's objects and of the runtime network that gives each trial's state
COMPILED_NAME = "compiled"
REFERENCE_NAME = "reference"


class _QuietReferenceObjects(logging.Filter):
    """Drops Brian2's 'deleted, but never included in a network' warning for the reference networks
    (built for their state and structure, never run); others still warn."""

    def filter(self, record: logging.LogRecord) -> bool:
        return f"'{REFERENCE_NAME}_" not in record.getMessage()


logging.getLogger("brian2.core.base.unused_brian_object").addFilter(_QuietReferenceObjects())


def _objects(network: Any) -> list:
    """Every object of a Brian2 network, contained objects included (as the network runs them)."""
    out, todo = [], list(network.objects)
    while todo:
        obj = todo.pop()
        out.append(obj)
        todo.extend(getattr(obj, "contained_objects", []))
    return out


def _role(name: str, prefix: str) -> str:
    """An object's name without the network's prefix: the same in every build of a structure."""
    return name[len(prefix):] if name.startswith(prefix) else name


def state_variables(obj: Any) -> list[str]:
    """The variables of `obj` a trial sets: its own writable arrays (no monitor recordings, no
    references to other groups' variables, no internal '_' arrays)."""
    from brian2 import EventMonitor, PopulationRateMonitor, SpikeMonitor, StateMonitor
    from brian2.core.variables import ArrayVariable

    if isinstance(obj, (StateMonitor, SpikeMonitor, EventMonitor, PopulationRateMonitor)):
        return []
    out = []
    for name, var in getattr(obj, "variables", {}).items():
        if (isinstance(var, ArrayVariable) and not name.startswith("_") and not var.read_only
                and getattr(var.owner, "name", None) == obj.name):
            out.append(name)
    return sorted(out)


def structure_signature(network: Any, prefix: str) -> str:
    """A hash of everything a standalone build compiles into its project (objects, schedule, clocks,
    equations, code, namespace values, connectivity and the other read-only arrays, the set and size
    of the state variables): two networks with the same signature differ only in their states."""
    from brian2 import NetworkOperation
    from brian2.core.variables import ArrayVariable

    h = hashlib.sha1()
    for obj in sorted(_objects(network), key=lambda o: _role(o.name, prefix)):
        if isinstance(obj, NetworkOperation):  # runtime only (e.g. the state check): not in a project
            continue
        parts = [type(obj).__name__, _role(obj.name, prefix), obj.when, obj.order, repr(float(obj.clock.dt))]
        for attr in ("equations", "abstract_code", "event_codes", "threshold", "reset"):
            value = getattr(obj, attr, None)
            if value is not None:
                parts.append(f"{attr}={value}")
        for pathway in getattr(obj, "_pathways", []):
            parts.append(f"pathway {pathway.prepost}: {pathway.code}")
        parts.append(repr(sorted((k, repr(v)) for k, v in (getattr(obj, "namespace", None) or {}).items())))
        for name, var in sorted(getattr(obj, "variables", {}).items()):
            if not isinstance(var, ArrayVariable) or getattr(var.owner, "name", None) != obj.name:
                continue
            values = np.asarray(var.get_value())
            parts.append(f"{name}:{values.dtype}:{values.shape}")
            if var.read_only:  # connectivity, indices: compiled into the project
                h.update(np.ascontiguousarray(values).tobytes())
        h.update("\x1f".join(map(str, parts)).encode())
    return h.hexdigest()


@dataclass
class _Project:
    """A built project and what a re-run sets."""

    signature: str
    net: Any  # the MemoryNetwork on the standalone device
    seed_variable: Any  # the 1-unit group holding the trial's seed
    variables: list[tuple[str, str]]  # (role, variable) set from the trial's runtime network
    directory: Path


@dataclass
class CompiledRecalls:
    """Recalls on a standalone device, one build per network structure and a `run_args` re-run per
    trial; a context manager (`close` removes the project folders and restores the runtime device).

    Parameters
    ----------
    device : str
        A standalone device ('cpp_standalone', 'cuda_standalone').
    root : Path, optional
        Where the project folders go (default: a temporary folder).
    """

    device: str = "cpp_standalone"
    root: Path | None = None
    builds: int = 0
    reruns: int = 0
    build_seconds: float = 0.0
    run_seconds: float = 0.0
    _project: _Project | None = None
    _stack: ExitStack = field(default_factory=ExitStack)
    _own_root: bool = False

    def __post_init__(self) -> None:
        from .devices import check_device, is_standalone_device

        check_device(self.device)
        if not is_standalone_device(self.device):
            raise InputError("device", "a standalone device for compiled re-runs", self.device)
        self._own_root = self.root is None
        self.root = Path(self.root) if self.root else Path(tempfile.mkdtemp(prefix="astrobrian_compiled_"))

    def __enter__(self) -> "CompiledRecalls":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def suspend(self) -> None:
        """Leave the current project's device (its folder stays; the next recall of that structure
        rebuilds it, mostly from make's and ccache's caches): before anything else uses a standalone device."""
        self._stack.close()
        self._stack = ExitStack()
        self._project = None

    def close(self) -> None:
        """Leave the standalone device and remove the project folders (a given root is kept, emptied)."""
        self._stack.close()
        self._project = None
        if self.root is not None and self.root.exists():
            if self._own_root:
                shutil.rmtree(self.root, ignore_errors=True)
            else:
                for child in self.root.glob("project_*"):
                    shutil.rmtree(child, ignore_errors=True)

    @staticmethod
    def can_rerun(rung: str) -> bool:
        """Whether `rung` can be re-run: its recall is one run() (the rungs on Brian2 times; the rate
        rung, in units of τ_n, switches its input between two runs)."""
        from .network import get_rung

        return get_rung(rung).time_unit != "tau_n"

    def recall(self, rung: str, kwargs: dict, patterns: np.ndarray, cue: np.ndarray, target: int,
               cue_duration: Any, duration: Any, cue_strength: float, threshold: float,
               brian_seed: int) -> tuple[Any, dict]:
        """One trial of `rung` (built with `kwargs`): the structure's project, built if new, re-run
        with this trial's state and seed.

        Parameters
        ----------
        rung : str
            A registered rung whose network has `cue_input` (the spiking rungs).
        kwargs : dict
            The builder's keywords (seed included).
        patterns, cue, target
            The trial's patterns (N, K), cue (N,) and target index.
        cue_duration, duration : Quantity
            Cue window and run length.
        cue_strength, threshold : float
            Factor on the cue current; recall criterion.
        brian_seed : int
            Seed of Brian2's generator for this trial.

        Returns
        -------
        (RecallRun, dict)
            The recall and the network's parameters (those of this trial's build).
        """
        from brian2 import seed as brian2_seed

        from .devices import use_device
        from .network import build_network, get_rung

        record = get_rung(rung)
        keywords = dict(kwargs, name=REFERENCE_NAME)
        if record.accepts("memory_modes"):
            keywords["memory_modes"] = "connections"  # what a standalone project runs
        with use_device("runtime"):  # for a moment: the project's device and its state stay as they are
            brian2_seed(brian_seed)
            reference = build_network(rung, patterns, **keywords)
            if not hasattr(reference, "cue_input"):
                raise InputError("rung", "a rung whose recall is one run (spiking, biophysical, hopfield-spiking) "
                                 "for compiled re-runs", rung)
            _, release = reference.cue_input(cue, cue_duration, duration, cue_strength)
            signature = structure_signature(reference.network, REFERENCE_NAME + "_")
            values = self._state(reference.network, REFERENCE_NAME + "_")
            presented = dict(reference.presented)
            parameters = dict(reference.parameters)
            if release is not None:
                reference.neurons.contained_objects.remove(release)
        if self._project is None or self._project.signature != signature:
            self._build(rung, dict(keywords, name=COMPILED_NAME), patterns, cue, cue_duration, duration,
                        cue_strength, brian_seed, signature)
        run = self._rerun(values, brian_seed, patterns, presented, cue, target, cue_duration, threshold)
        return run, parameters

    # ---- internals -----------------------------------------------------------------------------
    @staticmethod
    def _roles(network: Any, prefix: str) -> list[tuple[str, str]]:
        return [(_role(obj.name, prefix), name) for obj in _objects(network) for name in state_variables(obj)]

    @staticmethod
    def _state(network: Any, prefix: str) -> dict[tuple[str, str], Any]:
        """{(role, variable): value with units} of every state variable of `network`."""
        from brian2 import Quantity

        return {(_role(obj.name, prefix), name): Quantity(np.array(obj.variables[name].get_value(), copy=True),
                                                          dim=obj.variables[name].dim)
                for obj in _objects(network) for name in state_variables(obj)}

    def _build(self, rung, keywords, patterns, cue, cue_duration, duration, cue_strength, brian_seed,
               signature) -> None:
        from brian2 import NeuronGroup, prefs
        from brian2 import seed as brian2_seed
        from brian2.devices.device import get_device

        from .devices import build_project, use_device
        from .network import build_network
        from .network.spiking import run_spiking

        t0 = time.perf_counter()
        self.suspend()  # the previous project's device (its folder stays, for a later rebuild)
        directory = self.root / f"project_{signature[:16]}"
        self._stack.enter_context(use_device(self.device, directory=directory))
        brian2_seed(brian_seed)
        net = build_network(rung, patterns, **keywords)
        seed_group = NeuronGroup(1, "trial_seed : integer (constant)", name=f"{COMPILED_NAME}_trial_seed")
        net.network.add(seed_group)
        t_end, _ = net.cue_input(cue, cue_duration, duration, cue_strength)
        dev = get_device()
        dev.apply_run_args()  # the trial's values replace the initial ones here, then the generator is reseeded
        threads = max(1, int(prefs.devices.cpp_standalone.openmp_threads))
        array = dev.get_array_name(seed_group.variables["trial_seed"])
        dev.insert_code("main", f"for (int _i = 0; _i < {threads}; _i++) "
                                f"brian::_random_generators[_i].seed((unsigned long) brian::{array}[0] + _i);")
        run_spiking(net.network, t_end)
        build_project(directory, run=False)
        roles = [rv for rv in self._roles(net.network, COMPILED_NAME + "_") if rv[0] != "trial_seed"]
        self._project = _Project(signature, net, seed_group.trial_seed, roles, directory)
        self.builds += 1
        self.build_seconds += time.perf_counter() - t0

    def _rerun(self, values, brian_seed, patterns, presented, cue, target, cue_duration, threshold) -> Any:
        from brian2.devices.device import get_device

        from .network.base import check_states

        t0 = time.perf_counter()
        project = self._project
        objects = {_role(o.name, COMPILED_NAME + "_"): o for o in _objects(project.net.network)}
        run_args = {project.seed_variable: int(brian_seed)}
        for role, name in project.variables:
            if (role, name) not in values:
                raise InputError("network", f"the same state variables in every trial ({role}.{name} missing)", role)
            run_args[getattr(objects[role], name)] = values[(role, name)]
        get_device().run(run_args=run_args, with_output=False)
        check_states(project.net.network, "by the end of the run")
        net = project.net
        net.patterns = np.asarray(patterns, dtype=float)
        net.presented = presented
        run = net.read_out(np.asarray(cue, dtype=float), target, cue_duration, threshold)
        self.reruns += 1
        self.run_seconds += time.perf_counter() - t0
        return run


__all__ = ["CompiledRecalls", "structure_signature", "state_variables", "COMPILED_NAME", "REFERENCE_NAME"]
