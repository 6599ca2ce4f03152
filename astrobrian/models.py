"""The model library: declarative TOML model files → Brian2 equations, namespaces and objects.

A model file (models/*.toml, shipped in the package as `astrobrian.model_library`) holds the
Brian2 equation strings (every flux a named sub-expression), events, parameters with units,
meaning and reference, initial values, named presets and the connections (Synapses, including
synapses-on-synapses couplings with summed variables) the model offers. Parsing never executes
code from the file: TOML is data, quantities go through `astrobrian.quantities`, equations
through Brian2's own parser. Every file is unit-checked by Brian2 at load time.

`load(name_or_path, preset=None, **overrides)` returns a `ModelSpec`; its helpers return plain
Brian2 objects (`NeuronGroup`, `Synapses`) so users keep every device and monitor.
"""

from __future__ import annotations

import textwrap
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import InputError
from .quantities import UNITS, parse_quantity, require_dimensions

KINDS = ("neuron", "synapse")
_TOP_KEYS = {
    "name", "description", "kind", "references", "see_also", "method", "equations", "events",
    "pathways", "parameters", "initial", "presets", "connections", "requires", "notes",
    "run_regularly",
}
_PARAM_KEYS = {"value", "meaning", "reference"}


class ModelFileError(InputError):
    """A model file that cannot be used: names the file, the field and the expected form."""

    def __init__(self, path: object, field: str, expected: str, got: object = None):
        super().__init__(f"{path}: [{field}]", expected, got)


def library_dir() -> Path:
    """The folder of the shipped model files."""
    return Path(str(resources.files("astrobrian.model_library")))


def available() -> list[str]:
    """Names of the models in the library."""
    return sorted(p.stem for p in library_dir().glob("*.toml"))


def resolve_file(name_or_path: str | Path, folder: Path, what: str) -> Path:
    """A library name (a .toml file in `folder`) or a path to a user's .toml file; `what`
    ('model', 'protocol') names the field in the error."""
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        if not path.is_file():
            raise InputError(what, f"an existing .toml {what} file", text)
        return path
    path = folder / f"{text}.toml"
    if not path.is_file():
        names = ", ".join(sorted(p.stem for p in folder.glob("*.toml")))
        raise InputError(what, f"a {what} file path or one of: {names}", text)
    return path


@dataclass(frozen=True)
class Parameter:
    """One parameter: its value (Brian2 quantity or float), source text, meaning, reference."""

    name: str
    value: Any
    text: str
    meaning: str = ""
    reference: str = ""


@dataclass(frozen=True)
class Connection:
    """A Synapses the model offers: `model` equations, optional on_pre, and what it links."""

    name: str
    model: str
    on_pre: str | None = None
    description: str = ""
    source: str = "self"
    target: str = "self"
    method: str | None = None


@dataclass
class ModelSpec:
    """A loaded model: Brian2 `Equations`, namespace, events and object builders."""

    name: str
    path: Path
    description: str
    kind: str
    equations: Any  # brian2.Equations
    parameters: dict[str, Parameter]
    method: str = "euler"
    threshold: str | None = None
    reset: str | None = None
    refractory: Any = None
    pathways: dict[str, str] = field(default_factory=dict)
    initial: dict[str, Any] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    requires: dict[str, str] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    see_also: list[str] = field(default_factory=list)
    presets: dict[str, str] = field(default_factory=dict)
    preset: str | None = None
    notes: str = ""
    run_regularly: str | None = None  # code run after every step (e.g. a concentration clamp)
    equations_text: str = ""  # the equations as written in the file (author's order)

    @property
    def namespace(self) -> dict[str, Any]:
        """Parameter name → value, the Brian2 namespace of every object built from the spec."""
        return {name: p.value for name, p in self.parameters.items()}

    # ---- Brian2 object builders ---------------------------------------------------------
    def neuron_group(self, n: int, name: str | None = None, initial: bool = True, **kwargs):
        """A NeuronGroup of n units of this (neuron-kind) model, initial values set."""
        from brian2 import NeuronGroup

        if self.kind != "neuron":
            raise InputError("kind", f"a neuron model for neuron_group(); '{self.name}' is a {self.kind} model")
        opts = dict(method=self.method, namespace=dict(self.namespace))
        if self.threshold:
            opts.update(threshold=self.threshold)
        if self.reset:
            opts.update(reset=self.reset)
        if self.refractory is not None:
            opts.update(refractory=self.refractory)
        opts.update(kwargs)
        group = NeuronGroup(n, self.equations, name=name or self.name + "*", **opts)
        if self.run_regularly:
            group.run_regularly(self.run_regularly, when="after_groups", name=group.name + "_regularly")
        if initial:
            self.set_initial(group)
        return group

    def synapses(self, source, target, name: str | None = None, initial: bool = False, **kwargs):
        """A Synapses of this (synapse-kind) model between source and target (not connected)."""
        from brian2 import Synapses

        if self.kind != "synapse":
            raise InputError("kind", f"a synapse model for synapses(); '{self.name}' is a {self.kind} model")
        code = str(self.equations) + "\n" + "\n".join(self.pathways.values())
        opts = dict(method=self.method, namespace=_linked_namespace(self.namespace, code, source, target))
        opts.update({k: v for k, v in self.pathways.items()})
        opts.update(kwargs)
        syn = Synapses(source, target, model=self.equations, name=name or self.name + "*", **opts)
        if initial:
            self.set_initial(syn)
        return syn

    def connection(self, which: str, source, target, name: str | None = None, **kwargs):
        """The Synapses of connection `which` (e.g. a summed coupling) between source and target."""
        from brian2 import Synapses

        if which not in self.connections:
            raise InputError("connection", f"one of {', '.join(self.connections) or '(none)'} for '{self.name}'", which)
        c = self.connections[which]
        code = c.model + "\n" + (c.on_pre or "")
        opts = dict(namespace=_linked_namespace(self.namespace, code, source, target))
        if c.on_pre:
            opts["on_pre"] = c.on_pre
        if c.method:
            opts["method"] = c.method
        opts.update(kwargs)
        return Synapses(source, target, model=c.model, name=name or f"{self.name}_{which}*", **opts)

    def set_initial(self, obj) -> None:
        """Set the model's initial values on a Brian2 group (after synapses are connected)."""
        for var, value in self.initial.items():
            setattr(obj, var, value)

    def describe(self) -> str:
        """Human-readable card: description, equations, events, parameters with references."""
        lines = [f"{self.name} ({self.kind}) — {self.description}", f"file: {self.path}"]
        if self.preset:
            lines.append(f"preset: {self.preset}")
        lines += ["", "equations:", textwrap.dedent(self.equations_text or str(self.equations)).strip()]
        if self.run_regularly:
            lines += ["", f"after every step: {self.run_regularly.strip()}"]
        if self.threshold:
            lines += ["", f"threshold: {self.threshold}", f"reset: {self.reset}", f"refractory: {self.refractory}"]
        for k, v in self.pathways.items():
            lines += ["", f"{k}:", v.rstrip()]
        lines += ["", "parameters:"]
        for p in self.parameters.values():
            lines.append(f"  {p.name:<14} = {p.text:<22} {p.meaning}" + (f"  [{p.reference}]" if p.reference else ""))
        if self.initial:
            lines += ["", "initial values: " + ", ".join(f"{k} = {v}" for k, v in self.initial.items())]
        for c in self.connections.values():
            lines += ["", f"connection '{c.name}' ({c.source} → {c.target}): {c.description}", "  " + c.model.strip()]
        if self.presets:
            lines += ["", "presets:"] + [f"  {k}: {v}" for k, v in self.presets.items()]
        if self.references:
            lines += ["", "references:"] + [f"  - {r}" for r in self.references]
        if self.see_also:
            lines += ["", "see also: " + ", ".join(self.see_also)]
        return "\n".join(lines)


def _linked_namespace(own: dict, code: str, source, target) -> dict:
    """A connection's namespace: the model's values plus the parameters that the linked groups'
    subexpressions need (Brian2 inlines e.g. an astrocyte's `SIC_pre` into the Synapses code, so
    its `SIC_scale` must resolve there). A name needed with two different values is an error."""
    from brian2.core.variables import Subexpression
    from brian2.utils.stringtools import get_identifiers

    namespace = dict(own)
    for group, suffix in ((source, "_pre"), (target, "_post")):
        group_ns = getattr(group, "namespace", None) or {}
        todo = [n[: -len(suffix)] for n in get_identifiers(code) if n.endswith(suffix)]
        seen: set[str] = set()
        while todo:
            var = getattr(group, "variables", {}).get(todo.pop())
            if not isinstance(var, Subexpression) or var.name in seen:
                continue
            seen.add(var.name)
            for ident in var.identifiers:
                if ident not in group_ns:
                    todo.append(ident)  # a variable or a nested subexpression
                    continue
                if ident in namespace and namespace[ident] is not group_ns[ident]:
                    try:
                        same = bool(namespace[ident] == group_ns[ident])
                    except Exception:  # different dimensions or shapes
                        same = False
                    if not same:
                        raise InputError(f"connection namespace '{ident}'", f"one value for {var.name}{suffix} "
                                         f"and this model, not {namespace[ident]} and {group_ns[ident]}")
                namespace[ident] = group_ns[ident]
    return namespace


def _str(data: dict, key: str, path: Path, required: bool = True, default: str = "") -> str:
    value = data.get(key, None)
    if value is None:
        if required:
            raise ModelFileError(path, key, "a string", "nothing")
        return default
    if not isinstance(value, str):
        raise ModelFileError(path, key, "a string", value)
    return value


def _parse_parameters(raw: dict, path: Path) -> dict[str, Parameter]:
    params = {}
    for name, entry in raw.items():
        field_name = f"parameters.{name}"
        if isinstance(entry, dict):
            unknown = set(entry) - _PARAM_KEYS
            if unknown:
                raise ModelFileError(path, field_name, f"keys among {sorted(_PARAM_KEYS)}", sorted(unknown))
            if "value" not in entry:
                raise ModelFileError(path, field_name, "a 'value'", "no value")
            text, meaning, ref = entry["value"], entry.get("meaning", ""), entry.get("reference", "")
        else:
            text, meaning, ref = entry, "", ""
        params[name] = Parameter(name, parse_quantity(text, f"{path}: [{field_name}]"), str(text), meaning, ref)
    return params


def _apply_values(params: dict[str, Parameter], values: dict, path: Path, where: str) -> None:
    """Replace parameter values (same dimensions required) from a preset or user overrides."""
    for name, text in values.items():
        if name not in params:
            raise ModelFileError(path, f"{where}.{name}", f"a parameter of the model ({', '.join(params)})", name)
        field_name = f"{path}: [{where}.{name}]"
        value = parse_quantity(text, field_name) if isinstance(text, (str, int, float)) and not hasattr(text, "dim") else text
        require_dimensions(value, params[name].value, field_name)
        old = params[name]
        params[name] = Parameter(name, value, str(text), old.meaning, f"{where}" + (f"; default from {old.reference}" if old.reference else ""))


def load(name_or_path: str | Path, preset: str | None = None, check: bool = True, **overrides: Any) -> ModelSpec:
    """Load a model file by library name or path, apply a named preset and overrides.

    Overrides are parameter values (quantities, numbers or quantity strings) or initial
    values prefixed with `init_` (e.g. `init_h=0.9`). With `check` the equations are
    unit-checked by Brian2 at once, so a broken file fails here, not at run time.
    """
    from brian2 import Equations
    from brian2.equations.equations import EquationError

    path = resolve_file(name_or_path, library_dir(), "model")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ModelFileError(path, "file", "valid TOML", str(err)) from None
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ModelFileError(path, ", ".join(sorted(unknown)), f"known keys: {', '.join(sorted(_TOP_KEYS))}")
    kind = _str(data, "kind", path)
    if kind not in KINDS:
        raise ModelFileError(path, "kind", f"one of {', '.join(KINDS)}", kind)
    try:
        eqs = Equations(_str(data, "equations", path))
    except (EquationError, ValueError, SyntaxError) as err:
        raise ModelFileError(path, "equations", "Brian2 equations with valid units", str(err).splitlines()[0]) from None
    params = _parse_parameters(data.get("parameters", {}), path)
    presets = data.get("presets", {})
    for name, p in presets.items():  # every preset is checked, not only the one applied
        unknown_p = set(p) - {"description", "parameters", "initial"}
        if unknown_p:
            raise ModelFileError(path, f"presets.{name}", "keys description, parameters, initial", sorted(unknown_p))
        _apply_values(dict(params), p.get("parameters", {}), path, f"presets.{name}.parameters")
    if preset is not None:
        if preset not in presets:
            raise ModelFileError(path, "presets", f"a preset among {', '.join(presets) or '(none)'}", preset)
        p = presets[preset]
        _apply_values(params, p.get("parameters", {}), path, f"presets.{preset}.parameters")
    initial_raw = dict(data.get("initial", {}))
    if preset is not None:
        initial_raw.update(presets[preset].get("initial", {}))
    param_overrides = {k: v for k, v in overrides.items() if not k.startswith("init_")}
    initial_raw.update({k[5:]: v for k, v in overrides.items() if k.startswith("init_")})
    _apply_values(params, param_overrides, path, "overrides")
    initial = {}
    for var, text in initial_raw.items():
        if var not in eqs.names:
            raise ModelFileError(path, f"initial.{var}", f"a variable of the equations ({', '.join(sorted(eqs.names))})", var)
        initial[var] = parse_quantity(text, f"{path}: [initial.{var}]") if isinstance(text, (str, int, float)) else text
    events = data.get("events", {})
    unknown_events = set(events) - {"threshold", "reset", "refractory"}
    if unknown_events:
        raise ModelFileError(path, "events", "keys threshold, reset, refractory", sorted(unknown_events))
    refractory = events.get("refractory")
    if isinstance(refractory, str) and refractory.strip() and refractory.strip()[0].isdigit():
        refractory = parse_quantity(refractory, f"{path}: [events.refractory]")
    connections = {}
    for cname, c in data.get("connections", {}).items():
        if "model" not in c:
            raise ModelFileError(path, f"connections.{cname}.model", "Brian2 Synapses equations", "nothing")
        connections[cname] = Connection(
            cname, c["model"], c.get("on_pre"), c.get("description", ""), c.get("source", "self"),
            c.get("target", "self"), c.get("method"),
        )
    spec = ModelSpec(
        name=_str(data, "name", path),
        path=path,
        description=_str(data, "description", path),
        kind=kind,
        equations=eqs,
        parameters=params,
        method=_str(data, "method", path, required=False, default="euler"),
        threshold=events.get("threshold"),
        reset=events.get("reset"),
        refractory=refractory,
        pathways=dict(data.get("pathways", {})),
        initial=initial,
        connections=connections,
        requires=dict(data.get("requires", {})),
        references=list(data.get("references", [])),
        see_also=list(data.get("see_also", [])),
        presets={k: v.get("description", "") for k, v in presets.items()},
        preset=preset,
        notes=data.get("notes", ""),
        run_regularly=data.get("run_regularly"),
        equations_text=data["equations"],
    )
    linked = {n for n in eqs.identifiers if n.endswith(("_pre", "_post"))}  # the connected groups' variables
    missing = sorted(eqs.identifiers - set(params) - _BUILTINS - set(UNITS) - linked)
    if missing:
        raise ModelFileError(path, "parameters", f"a value for every identifier of the equations; missing {', '.join(missing)}")
    if check:
        check_units(spec)
    return spec


# identifiers Brian2 provides itself (functions, t, dt, i, N, …)
_BUILTINS = {"t", "dt", "i", "j", "N", "N_incoming", "N_outgoing", "xi", "lastspike", "not_refractory",
             "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs", "sign",
             "clip", "floor", "ceil", "rand", "randn", "int", "timestep", "inf", "pi", "e", "True", "False"}


def check_units(spec: ModelSpec) -> None:
    """Let Brian2 prepare the model (numpy target, one unit) so that inconsistent dimensions in
    equations, events and pathways fail now, with the file and the message named."""
    from brian2 import Network, NeuronGroup, prefs, second
    from brian2.core.base import BrianObjectException
    from brian2.devices.device import get_device, reset_device, set_device
    from brian2.units.fundamentalunits import DimensionMismatchError

    switched = type(get_device()).__name__ != "RuntimeDevice"
    if switched:
        set_device("runtime")
    target, prefs.codegen.target = prefs.codegen.target, "numpy"  # 'auto' would compile Cython at load
    try:
        if spec.kind == "neuron":
            objs = [spec.neuron_group(1, name=None, initial=False, codeobj_class=None)]
        else:
            # dummy end points (variables from `requires`); a never-true threshold gives
            # them the 'spike' event that on_pre / on_post pathways need
            pre = NeuronGroup(1, spec.requires.get("pre", ""), threshold="False", reset="", namespace={})
            post = NeuronGroup(1, spec.requires.get("post", ""), threshold="False", reset="", namespace={})
            syn = spec.synapses(pre, post)
            syn.connect()
            objs = [pre, post, syn]
        Network(*objs).run(0 * second, namespace={})  # prepares every code object: unit checks
    except BrianObjectException as err:
        cause = err.__cause__ or err
        raise ModelFileError(spec.path, "equations", "dimensionally consistent Brian2 equations and events",
                             " ".join(str(cause).split())) from None
    except DimensionMismatchError as err:  # raised directly, e.g. a summed variable's unit
        raise ModelFileError(spec.path, "equations", "dimensionally consistent Brian2 equations and events",
                             " ".join(str(err).split())) from None
    except (KeyError, ValueError, SyntaxError, TypeError) as err:
        raise ModelFileError(spec.path, "equations", "equations Brian2 can prepare", " ".join(str(err).split())) from None
    finally:
        prefs.codegen.target = target
        if switched:
            reset_device()
