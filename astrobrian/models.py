"""The model library: declarative TOML model files → Brian2 equations, namespaces and objects.

A model file (models/*.toml, shipped in the package as `astrobrian.model_library`; the library
is listed in docs/models.md#model-files) names the Brian2 class it builds (`brian2_class =
"NeuronGroup"` or `"Synapses"`) and holds the Brian2 equation strings (every flux a named
sub-expression), events, parameters with units, meaning and reference, initial values, named
presets and the connections (Synapses, including synapses-on-synapses couplings with summed
variables) the model offers. Parsing never executes code from the file: TOML is data, quantities
go through `astrobrian.quantities`, equations through Brian2's own parser. Every field's type is
checked, every value must be finite, and the whole file is unit-checked by Brian2 at load time:
equations, events, pathways and each connection, built between stand-ins of the models its
`source` and `target` name ('self', a library model, a .toml file beside this one). A connection
end that names no model (such as 'any spiking group', or an omitted one) is a bare spiking
group; a connection that uses such an end's variables is unit-checked when it is built, since
their units are unknown at load.

`load(name_or_path, preset=None, **overrides)` returns a `ModelSpec`; its helpers return plain
Brian2 objects (`NeuronGroup`, `Synapses`) so users keep every device and monitor.
"""

from __future__ import annotations

import ast
import logging
import re
import textwrap
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from brian2.core.namespace import DEFAULT_CONSTANTS, DEFAULT_UNITS
from brian2.units.fundamentalunits import DIMENSIONLESS, get_dimensions

from .errors import InputError
from .quantities import describe_dimensions, is_finite, parse_quantity

#: the Brian2 class a model file builds (its `brian2_class` key) → the short word used in messages
BRIAN2_CLASSES = {"NeuronGroup": "neuron", "Synapses": "synapse"}
_TOP_KEYS = {
    "name", "description", "brian2_class", "references", "see_also", "method", "equations", "events",
    "pathways", "parameters", "initial", "presets", "connections", "requires", "notes",
    "run_regularly", "ranges",
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
    """The file of a library name (a .toml file in `folder`) or of a path to a user's .toml file.

    Parameters
    ----------
    name_or_path : str or Path
        A library name, or a path (it ends in .toml or contains a slash).
    folder : Path
        The library folder.
    what : str
        'model' or 'protocol': names the field in errors.

    Returns
    -------
    Path
        An existing file.
    """
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
    range: str = ""  # the values it may take, e.g. "> 0", ">= 0", "[0, 1]" (the file's [ranges])


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
    brian2_class: str  # "NeuronGroup" or "Synapses": what `neuron_group` / `synapses` build
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
        """A NeuronGroup of n units of this model (brian2_class = "NeuronGroup").

        Parameters
        ----------
        n : int
            Number of units.
        name : str, optional
            Brian2 name (default: the model's name with a unique suffix).
        initial : bool
            Set the model's initial values.
        **kwargs
            Passed to `brian2.NeuronGroup` (e.g. ``dt``, ``method``, ``namespace``).

        Returns
        -------
        brian2.NeuronGroup
        """
        from brian2 import NeuronGroup

        if self.brian2_class != "NeuronGroup":
            raise InputError("brian2_class", f'a NeuronGroup model for neuron_group(); \'{self.name}\' is a '
                             f'{self.brian2_class} model (use synapses())')
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

    def synapses(self, source, target, name: str | None = None, initial: bool = False, extra_equations: str = "",
                 **kwargs):
        """A Synapses of this model (brian2_class = "Synapses") between source and target, not
        connected yet.

        Parameters
        ----------
        source, target : brian2 groups
            The connected groups; they must have the variables the model `requires`.
        name : str, optional
            Brian2 name (default: the model's name with a unique suffix).
        initial : bool
            Set the model's initial values (only possible once connected: usually
            `set_initial` after `connect`).
        extra_equations : str
            Equations added to the model's (e.g. a builder's stored copy of a subexpression).
        **kwargs
            Passed to `brian2.Synapses` (e.g. ``dt``).

        Returns
        -------
        brian2.Synapses
        """
        from brian2 import Synapses

        if self.brian2_class != "Synapses":
            raise InputError("brian2_class", f"a Synapses model for synapses(); '{self.name}' is a "
                             f"{self.brian2_class} model (use neuron_group())")
        code = str(self.equations) + "\n" + "\n".join(self.pathways.values())
        opts = dict(method=self.method, namespace=_linked_namespace(self.namespace, code, source, target))
        opts.update({k: v for k, v in self.pathways.items()})
        opts.update(kwargs)
        from brian2 import Equations

        model = self.equations + Equations(extra_equations) if extra_equations.strip() else self.equations
        syn = Synapses(source, target, model=model, name=name or self.name + "*", **opts)
        if initial:
            self.set_initial(syn)
        return syn

    def connection(self, which: str, source, target, name: str | None = None, **kwargs):
        """The Synapses of connection `which` (e.g. a summed coupling) between source and target.

        Parameters
        ----------
        which : str
            A connection of the model file (`[connections.NAME]`).
        source, target : brian2 groups
            The connected groups.
        name : str, optional
            Brian2 name.
        **kwargs
            Passed to `brian2.Synapses`.

        Returns
        -------
        brian2.Synapses
            Not connected yet.
        """
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
        lines = [f"{self.name} ({self.brian2_class}) — {self.description}", f"file: {self.path}"]
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
            lines.append(f"  {p.name:<14} = {p.text:<22} {p.meaning}" + (f" (range {p.range})" if p.range else "")
                         + (f"  [{p.reference}]" if p.reference else ""))
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


# ---- reading a model file (every field's type is checked, each error names the field) -------
_CONNECTION_KEYS = {"model", "on_pre", "description", "source", "target", "method"}
_PRESET_KEYS = {"description", "parameters", "initial"}
_EVENT_KEYS = {"threshold", "reset", "refractory"}
_PATHWAY_KEYS = {"on_pre", "on_post"}
_REQUIRE_KEYS = {"pre", "post"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _WrongDimensions(ModelFileError):
    """A preset or override whose dimensions differ from the file's value of the parameter."""


def _brief(value: object) -> object:
    """A value as a message shows it: long values cut so that the message stays one short line."""
    text = repr(value)
    return value if len(text) <= 80 else f"{text[:60]}… ({len(text)} characters)"


def _read(path: Path) -> dict:
    """The TOML data of a model file; unreadable, non-UTF-8 or invalid files are one-line errors."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ModelFileError(path, "file", "a readable file", err.strerror or str(err)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ModelFileError(path, "file", "UTF-8 text", f"byte 0x{raw[err.start]:02x} at offset {err.start}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ModelFileError(path, "file", "valid TOML", str(err)) from None
    except RecursionError:
        raise ModelFileError(
            path, "file", "valid TOML nested less deeply", "arrays or tables nested too deep"
        ) from None


def _table(value: object, path: Path, field_name: str, keys: set[str] | None = None) -> dict:
    """A TOML table (missing = empty), optionally restricted to `keys`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ModelFileError(
            path, field_name, "a table" + (f" with keys among {', '.join(sorted(keys))}" if keys else ""), _brief(value)
        )
    if keys is not None and set(value) - keys:
        raise ModelFileError(path, field_name, f"keys among {', '.join(sorted(keys))}", sorted(set(value) - keys))
    return value


def _text(value: object, path: Path, field_name: str, required: bool = False, default: str | None = None) -> str | None:
    """A string field (missing: an error if `required`, else `default`)."""
    if value is None:
        if required:
            raise ModelFileError(path, field_name, "a string", "nothing")
        return default
    if not isinstance(value, str):
        raise ModelFileError(path, field_name, "a string", _brief(value))
    return value


def _texts(value: object, path: Path, field_name: str) -> list[str]:
    """A list of strings (missing = empty)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ModelFileError(path, field_name, "a list of strings", _brief(value))
    return list(value)


def _value(text: object, field_name: str):
    """A parameter value: a number or quantity string (files, overrides) or a scalar Brian2
    quantity (overrides); always finite."""
    from brian2.units.fundamentalunits import Quantity

    if isinstance(text, (str, int, float)):
        return parse_quantity(text, field_name)
    if isinstance(text, (Quantity, np.number)) and not isinstance(text, np.bool_) and np.ndim(text) == 0:
        if not is_finite(text):
            raise InputError(field_name, "a finite quantity", text)
        return text if isinstance(text, Quantity) else float(text)
    raise InputError(field_name, "a number, a quantity string such as '10 ms' or a Brian2 quantity", _brief(text))


def _parse_parameters(raw: object, path: Path) -> dict[str, Parameter]:
    params = {}
    for name, entry in _table(raw, path, "parameters").items():
        field_name = f"parameters.{name}"
        if not _NAME.match(name):
            raise ModelFileError(path, field_name, "a parameter name made of letters, digits and _", name)
        if isinstance(entry, dict):
            _table(entry, path, field_name, _PARAM_KEYS)
            if "value" not in entry:
                raise ModelFileError(path, field_name, "a 'value'", "no value")
            text = entry["value"]
            meaning = _text(entry.get("meaning"), path, f"{field_name}.meaning", default="")
            ref = _text(entry.get("reference"), path, f"{field_name}.reference", default="")
        else:
            text, meaning, ref = entry, "", ""
        params[name] = Parameter(name, _value(text, f"{path}: [{field_name}]"), str(text), meaning, ref)
    return params


def _apply_values(params: dict[str, Parameter], values: dict, path: Path, where: str) -> None:
    """Replace parameter values (same dimensions required) from a preset or user overrides."""
    for name, text in values.items():
        if name not in params:
            raise ModelFileError(path, f"{where}.{name}", f"a parameter of the model ({', '.join(params)})", name)
        value = _value(text, f"{path}: [{where}.{name}]")
        old = params[name]
        if get_dimensions(value) != get_dimensions(old.value):
            raise _WrongDimensions(
                path,
                f"{where}.{name}",
                f"{describe_dimensions(old.value)}, like parameters.{name} = {old.text}",
                _brief(text),
            )
        _check_range(old, value, path, f"{where}.{name}", text)
        params[name] = Parameter(name, value, str(text), old.meaning,
                                 f"{where}" + (f"; default from {old.reference}" if old.reference else ""), old.range)


_RANGE = re.compile(r"^\s*(?:(>=|>|<=|<)\s*(\S.*?)|([\[(])\s*(.+?)\s*,\s*(.+?)\s*([\])]))\s*$")


def _ranges(raw: object, params: dict[str, Parameter], path: Path) -> dict[str, Parameter]:
    """The file's [ranges] table ({"> 0" = [names], "[0, 1]" = [names], …}) attached to its
    parameters, each file value checked against its range."""
    out = dict(params)
    for text, names in _table(raw, path, "ranges").items():
        where = f"ranges.{text}"
        if not _RANGE.match(text):
            raise ModelFileError(path, where, "a range such as '> 0', '>= 0', '< 1' or '[0, 1]', '(0, 1]'", text)
        for name in _texts(names, path, where):
            if name not in out:
                raise ModelFileError(path, where, f"parameters of the model ({', '.join(params)})", name)
            out[name] = replace(out[name], range=text)
            _range_bounds(text, out[name].value, path, where)
            _check_range(out[name], out[name].value, path, f"parameters.{name}", out[name].text)
    return out


def _range_bounds(text: str, like: Any, path: Path, where: str) -> list[tuple[str, float]]:
    """[(comparison, bound in SI units)] of a range; a bound is 0 or has the parameter's units."""
    m = _RANGE.match(text)
    if m.group(1):
        pairs = [(m.group(1), m.group(2))]
    else:
        pairs = [(">=" if m.group(3) == "[" else ">", m.group(4)), ("<=" if m.group(6) == "]" else "<", m.group(5))]
    out = []
    for op, bound_text in pairs:
        bound = parse_quantity(bound_text, f"{path}: [{where}]")
        if get_dimensions(bound) != get_dimensions(like) and float(np.asarray(bound)) != 0:
            raise ModelFileError(path, where, f"bounds in {describe_dimensions(like)} (or 0)", bound_text)
        out.append((op, float(np.asarray(bound))))
    return out


def _check_range(param: Parameter, value: Any, path: Path, field_name: str, text: object) -> None:
    """Refuse a value outside the parameter's declared range, naming the field and the range."""
    if not param.range:
        return
    ops = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}
    values = np.asarray(value, dtype=float)
    for op, bound in _range_bounds(param.range, param.value, path, f"ranges.{param.range}"):
        if not np.all(ops[op](values, bound)):
            what = f" ({param.meaning.split(';')[0].split('(')[0].strip()})" if param.meaning else ""
            raise ModelFileError(path, field_name, f"a value {param.range}{what}", _brief(text))


def _initial_values(values: dict, eqs, path: Path, where: str, prefix: str = "") -> dict[str, Any]:
    """Initial values of state variables: finite, of the variable's dimensions (a plain 0 is
    accepted for any variable, as Brian2 accepts it)."""
    from brian2.units.fundamentalunits import Quantity

    settable = sorted(eqs.diff_eq_names | eqs.parameter_names)
    out = {}
    for var, text in values.items():
        field_name = f"{where}.{prefix}{var}"
        if var not in settable:
            raise ModelFileError(path, field_name, f"a variable of the equations ({', '.join(settable)})", var)
        if isinstance(text, (str, int, float)):
            value = parse_quantity(text, f"{path}: [{field_name}]")
        elif isinstance(text, (Quantity, np.ndarray, np.number)) and not isinstance(text, np.bool_):
            if not is_finite(text):
                raise ModelFileError(path, field_name, "finite values", _brief(text))
            value = text
        else:
            raise ModelFileError(path, field_name, "a number, a quantity string such as '-70 mV' or a Brian2 quantity",
                                 _brief(text))
        if get_dimensions(value) != eqs.dimensions[var] and not np.all(np.asarray(value) == 0):
            raise ModelFileError(path, field_name, describe_dimensions(eqs.dimensions[var]), _brief(text))
        out[var] = value
    return out


def _refractory(value: object, path: Path):
    """events.refractory: a duration ('2 ms'), a parameter or expression ('t_ref + dt') or a condition."""
    from brian2 import second

    field_name = "events.refractory"
    if value is None:
        return None
    text = _text(value, path, field_name)
    if not re.match(r"\s*[-+]?\s*[0-9.]", text):
        return text  # Brian2 code, unit-checked with the model
    duration = parse_quantity(text, f"{path}: [{field_name}]")
    if get_dimensions(duration) != get_dimensions(second):
        raise ModelFileError(path, field_name, "a time (second), a parameter or an expression", text)
    if float(duration) < 0:
        raise ModelFileError(path, field_name, "a duration ≥ 0", text)
    return duration


def _parse(path: Path, data: dict) -> tuple[ModelSpec, dict[str, dict]]:
    """The model as the file states it (file values, no preset) and its checked presets' tables."""
    from brian2 import Equations

    if "kind" in data:  # the key's former name
        raise ModelFileError(path, "kind", 'brian2_class in its place (kind: renamed to brian2_class = '
                             '"NeuronGroup" or "Synapses")', _brief(data["kind"]))
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ModelFileError(path, ", ".join(sorted(unknown)), f"known keys: {', '.join(sorted(_TOP_KEYS))}")
    brian2_class = _text(data.get("brian2_class"), path, "brian2_class", required=True)
    if brian2_class not in BRIAN2_CLASSES:
        raise ModelFileError(path, "brian2_class", " or ".join(f'"{c}"' for c in BRIAN2_CLASSES), brian2_class)
    name = _text(data.get("name"), path, "name", required=True)
    if not _NAME.match(name):
        raise ModelFileError(path, "name", "a name made of letters, digits and _ (it names Brian2 objects)", name)
    equations_text = _text(data.get("equations"), path, "equations", required=True)
    try:
        eqs = Equations(equations_text)
    except RecursionError:
        raise ModelFileError(path, "equations", "expressions nested less deeply (Brian2 parses them recursively)",
                             f"{len(equations_text)} characters") from None
    except Exception as err:  # Brian2's parser: EquationError, SyntaxError, TypeError…
        raise ModelFileError(path, "equations", "Brian2 equations with valid units",
                             (str(err).splitlines() or [type(err).__name__])[0]) from None
    params = _ranges(data.get("ranges"), _parse_parameters(data.get("parameters"), path), path)
    presets = {}
    for pname, p in _table(data.get("presets"), path, "presets").items():
        p = _table(p, path, f"presets.{pname}", _PRESET_KEYS)
        presets[pname] = {
            "description": _text(p.get("description"), path, f"presets.{pname}.description", default=""),
            "parameters": _table(p.get("parameters"), path, f"presets.{pname}.parameters"),
            "initial": _table(p.get("initial"), path, f"presets.{pname}.initial"),
        }
    initial = _initial_values(_table(data.get("initial"), path, "initial"), eqs, path, "initial")
    events = _table(data.get("events"), path, "events", _EVENT_KEYS)
    pathways = _table(data.get("pathways"), path, "pathways", _PATHWAY_KEYS)
    requires = _table(data.get("requires"), path, "requires", _REQUIRE_KEYS)
    run_regularly = _text(data.get("run_regularly"), path, "run_regularly")
    for key, present, needs in (("events", events, "NeuronGroup"), ("run_regularly", run_regularly, "NeuronGroup"),
                                ("pathways", pathways, "Synapses"), ("requires", requires, "Synapses")):
        if present and brian2_class != needs:
            raise ModelFileError(path, key, f"no {key} in a {brian2_class} model (a {needs} model has them)",
                                 _brief(present))
    connections = {}
    for cname, c in _table(data.get("connections"), path, "connections").items():
        where = f"connections.{cname}"
        if not _NAME.match(cname):
            raise ModelFileError(path, where, "a connection name made of letters, digits and _", cname)
        c = _table(c, path, where, _CONNECTION_KEYS)
        connections[cname] = Connection(
            cname,
            _text(c.get("model"), path, f"{where}.model", required=True),
            _text(c.get("on_pre"), path, f"{where}.on_pre"),
            _text(c.get("description"), path, f"{where}.description", default=""),
            _text(c.get("source"), path, f"{where}.source", default="any group"),
            _text(c.get("target"), path, f"{where}.target", default="any group"),
            _text(c.get("method"), path, f"{where}.method"),
        )
    spec = ModelSpec(
        name=name,
        path=path,
        description=_text(data.get("description"), path, "description", required=True),
        brian2_class=brian2_class,
        equations=eqs,
        parameters=params,
        method=_text(data.get("method"), path, "method", default="euler"),
        threshold=_text(events.get("threshold"), path, "events.threshold"),
        reset=_text(events.get("reset"), path, "events.reset"),
        refractory=_refractory(events.get("refractory"), path),
        pathways={k: _text(v, path, f"pathways.{k}") for k, v in pathways.items()},
        initial=initial,
        connections=connections,
        requires={k: _text(v, path, f"requires.{k}") for k, v in requires.items()},
        references=_texts(data.get("references"), path, "references"),
        see_also=_texts(data.get("see_also"), path, "see_also"),
        presets={k: v["description"] for k, v in presets.items()},
        notes=_text(data.get("notes"), path, "notes", default=""),
        run_regularly=run_regularly,
        equations_text=equations_text,
    )
    linked = {n for n in eqs.identifiers if n.endswith(("_pre", "_post"))}  # the connected groups' variables
    missing = sorted(eqs.identifiers - set(params) - _BUILTINS - set(DEFAULT_UNITS) - linked)
    if missing:
        raise ModelFileError(
            path, "parameters", f"a value for every identifier of the equations; missing {', '.join(missing)}"
        )
    return spec, presets


def load(name_or_path: str | Path, preset: str | None = None, check: bool = True, **overrides: Any) -> ModelSpec:
    """Load a model file by library name or path, apply a named preset and overrides.

    Parameters
    ----------
    name_or_path : str or Path
        A library model (`available()`) or a path to a .toml model file.
    preset : str, optional
        A preset of the file (`[presets.NAME]`).
    check : bool
        Unit-check the equations, events, pathways and connections with Brian2 now, so a
        broken file fails here, not at run time.
    **overrides
        Parameter values (quantities, numbers or quantity strings) or initial values prefixed
        with `init_` (e.g. ``init_h=0.9``); each is checked against the parameter's units and
        range.

    Returns
    -------
    ModelSpec
        The model, with `neuron_group`, `synapses` and `connection` to build Brian2 objects.

    Raises
    ------
    ModelFileError
        Naming the file and the field (an InputError).
    """
    path = resolve_file(name_or_path, library_dir(), "model")
    spec, presets = _parse(path, _read(path))
    try:
        for pname, p in presets.items():  # every preset is checked, not only the one applied
            _apply_values(dict(spec.parameters), p["parameters"], path, f"presets.{pname}.parameters")
            _initial_values(p["initial"], spec.equations, path, f"presets.{pname}.initial")
        params, initial = dict(spec.parameters), dict(spec.initial)
        if preset is not None:
            if preset not in presets:
                raise ModelFileError(
                    path, "presets", f"a preset among {', '.join(presets) or '(none)'}", _brief(preset)
                )
            _apply_values(params, presets[preset]["parameters"], path, f"presets.{preset}.parameters")
            initial.update(
                _initial_values(presets[preset]["initial"], spec.equations, path, f"presets.{preset}.initial")
            )
        _apply_values(params, {k: v for k, v in overrides.items() if not k.startswith("init_")}, path, "overrides")
        initial.update(_initial_values({k[5:]: v for k, v in overrides.items() if k.startswith("init_")},
                                       spec.equations, path, "overrides", prefix="init_"))
    except _WrongDimensions:
        if check:  # a file whose own values break its equations is the cause: report that first
            check_units(spec)
        raise
    final = replace(spec, parameters=params, initial=initial, preset=preset)
    if check:
        key = _check_key(path, preset, overrides)
        if key is None or key not in _CHECKED:  # the same file, preset and values pass again: checked once
            check_units(final, file_parameters=spec.parameters)
            if key is not None:
                _CHECKED.add(key)
    return final


#: (file, its text, preset, overrides) whose unit check passed in this process (a check costs ≈ 80 ms)
_CHECKED: set = set()


def _check_key(path: Path, preset: str | None, overrides: dict) -> tuple | None:
    """What a unit check's outcome depends on, hashable; None where a value has no stable text."""
    import hashlib

    def stable(v: Any) -> Any:  # arrays by their bytes (repr abbreviates long ones), the rest by repr
        if isinstance(v, np.ndarray):
            return v.dtype.str, v.shape, hashlib.sha1(np.ascontiguousarray(v).tobytes()).hexdigest(), \
                repr(getattr(v, "dim", None))
        return repr(v)

    try:
        values = tuple(sorted((k, stable(v)) for k, v in overrides.items()))
        return (str(path), hashlib.sha1(path.read_bytes()).hexdigest(), preset, values)
    except Exception:  # noqa: BLE001 - a value without stable text: check every time
        return None


# identifiers Brian2 provides itself (functions, t, dt, i, N, …)
_BUILTINS = {"t", "dt", "i", "j", "N", "N_incoming", "N_outgoing", "xi", "lastspike", "not_refractory",
             "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs", "sign",
             "clip", "floor", "ceil", "rand", "randn", "int", "timestep", "inf", "pi", "e", "True", "False"}


# ---- the unit check at load time ---------------------------------------------------------------
_CHECK = "astrobrian_check_"  # the names of the check's throw-away Brian2 objects start so


class _QuietCheckObjects(logging.Filter):
    """Drops Brian2's 'deleted, but never included in a network' warning for the unit check's
    throw-away objects (a check that fails stops before their network runs); others still warn."""

    def filter(self, record: logging.LogRecord) -> bool:
        return f"'{_CHECK}" not in record.getMessage()


logging.getLogger("brian2.core.base.unused_brian_object").addFilter(_QuietCheckObjects())


def _object_name(*parts: str) -> str:
    return _CHECK + "_".join(re.sub(r"\W", "_", p) for p in parts) + "*"


@contextmanager
def _checking():
    """Brian2's runtime device and numpy target for the duration of a check ('auto' would
    compile Cython at load; a standalone device would not run at all)."""
    from brian2 import prefs
    from brian2.devices.device import get_device, reset_device, set_device

    switched = type(get_device()).__name__ != "RuntimeDevice"
    if switched:
        set_device("runtime")
    target, prefs.codegen.target = prefs.codegen.target, "numpy"
    try:
        yield
    finally:
        prefs.codegen.target = target
        if switched:
            reset_device()


def _dummy_ends(spec: ModelSpec, label: str):
    """Pre and post groups with the variables a synapse model `requires`; a never-true threshold
    gives them the 'spike' event that on_pre / on_post pathways need."""
    from brian2 import NeuronGroup

    return tuple(NeuronGroup(1, spec.requires.get(end, ""), threshold="False", reset="", namespace={},
                             name=_object_name(label, end, "end")) for end in ("pre", "post"))


def _model_objects(spec: ModelSpec) -> tuple[list, Any]:
    """The model's own Brian2 object (with dummy ends for a synapse model): all objects, own one."""
    if spec.brian2_class == "NeuronGroup":
        group = spec.neuron_group(1, name=_object_name(spec.name), initial=False, codeobj_class=None)
        return [group], group
    pre, post = _dummy_ends(spec, spec.name)
    syn = spec.synapses(pre, post, name=_object_name(spec.name))
    syn.connect(i=0, j=0)  # array-based: no code to generate
    return [pre, post, syn], syn


def _stand_in(spec: ModelSpec, label: str) -> tuple[Any, list]:
    """A connection end standing in for a group of model `spec`: the same variables, units and
    subexpressions, with every state variable a parameter (nothing to integrate: cheap to prepare)."""
    from brian2 import Equations, NeuronGroup, Synapses
    from brian2.equations.equations import PARAMETER, SUBEXPRESSION, SingleEquation

    eqs = []
    for eq in spec.equations.values():
        if eq.type == SUBEXPRESSION:
            if "summed" not in eq.flags:  # a summed variable feeds the model's own ends, not this one
                eqs.append(eq)
        else:
            flags = [f for f in eq.flags if f in ("shared", "constant")]
            eqs.append(SingleEquation(PARAMETER, eq.varname, eq.dim, eq.var_type, None, flags))
    light = Equations(eqs)
    if spec.brian2_class == "NeuronGroup":
        opts = {"refractory": spec.refractory} if spec.refractory is not None else {}
        group = NeuronGroup(1, light, threshold="False", reset="", namespace=dict(spec.namespace),
                            name=_object_name(label), **opts)
        return group, [group]
    pre, post = _dummy_ends(spec, label)
    syn = Synapses(pre, post, model=light, namespace=_linked_namespace(spec.namespace, str(light), pre, post),
                   name=_object_name(label))
    syn.connect(i=0, j=0)  # array-based: no code to generate
    return syn, [pre, post, syn]


def _end_model(spec: ModelSpec, name: str) -> ModelSpec | None:
    """The model a connection's source or target names: 'self' or this model, a .toml file
    beside this one, a library model; None for a description such as 'any spiking group'."""
    if name in ("self", spec.name):
        return spec
    for candidate in (spec.path.parent / name, spec.path.parent / f"{name}.toml"):
        if candidate.suffix == ".toml" and candidate.is_file():
            return spec if candidate.resolve() == spec.path.resolve() else load(candidate, check=False)
    if name in available():
        return load(name, check=False)
    return None


class _UnknownEnd(Exception):
    """A connection uses variables of an end that names no model: it is unit-checked when built."""


def _connection_objects(spec: ModelSpec, cname: str) -> tuple[list, Any]:
    """Connection `cname` between stand-ins of its source and target: all objects, the Synapses."""
    from brian2 import NeuronGroup
    from brian2.utils.stringtools import get_identifiers

    c = spec.connections[cname]
    ends, objs, built = {}, [], {}
    for role in ("source", "target"):
        name = getattr(c, role)
        model = _end_model(spec, name)
        key = None if model is None else str(model.path.resolve())
        if key is not None and key in built:
            ends[role] = (model, built[key])
            continue
        if model is None:
            group = NeuronGroup(1, "", threshold="False", reset="", namespace={}, name=_object_name(cname, role))
            new = [group]
        else:
            group, new = _stand_in(model, f"{cname}_{role}")
            built[key] = group
        ends[role] = (model, group)
        objs += new
    for ident in sorted(get_identifiers(c.model + "\n" + (c.on_pre or ""))):
        for suffix, role in (("_pre", "source"), ("_post", "target")):
            model, group = ends[role]
            if ident.endswith(suffix) and ident[: -len(suffix)] not in group.variables:
                if model is None:  # an end that is no model: its variables' units are unknown here
                    raise _UnknownEnd(f"{role} {getattr(c, role)!r}")
                raise ModelFileError(spec.path, f"connections.{cname}", f"variables of its {role} '{getattr(c, role)}'",
                                     f"{ident} ({ident[: -len(suffix)]} is not a variable of {model.name})")
    syn = spec.connection(cname, ends["source"][1], ends["target"][1], name=_object_name(spec.name, cname))
    syn.connect(i=0, j=0)  # array-based: no code to generate
    return objs + [syn], syn


def _one_line(err: BaseException) -> str:
    """An error message on one line (Brian2's may span several)."""
    return " ".join(str(err).replace(":\n%", ": ").split()) or type(err).__name__


def _part_problem(spec: ModelSpec, cname: str | None) -> tuple[str, str, bool] | None:
    """Let Brian2 prepare one part (the model, or one connection) as a run would:
    None, or (expected, Brian2's message, whether it is a dimension error)."""
    from brian2 import Network
    from brian2.core.base import BrianObjectException
    from brian2.units.fundamentalunits import DimensionMismatchError

    what = "equations and events" if cname is None else "Synapses code (model, on_pre, summed variables)"
    try:
        objs = _model_objects(spec)[0] if cname is None else _connection_objects(spec, cname)[0]
        net = Network(*objs)
        net._clocks = {obj.clock for obj in net.sorted_objects}  # as run() sets it, without run()'s slow gc.collect()
        net.before_run({})  # prepares every code object: Brian2's unit checks
    except ModelFileError:
        raise
    except _UnknownEnd:
        return None
    except InputError as err:  # e.g. two values for one name in a connection's namespace
        return f"{what} that Brian2 can prepare", str(err), False
    except BrianObjectException as err:
        cause = err.__cause__ or err
        dimensional = isinstance(cause, DimensionMismatchError)
        expected = f"dimensionally consistent {what}" if dimensional else f"{what} that Brian2 can prepare"
        return expected, _one_line(cause), dimensional
    except DimensionMismatchError as err:  # raised directly, e.g. a summed variable's unit
        return f"dimensionally consistent {what}", _one_line(err), True
    except Exception as err:  # anything else Brian2 refuses (unknown names, syntax, integration…)
        return f"{what} that Brian2 can prepare", f"{type(err).__name__}: {_one_line(err)}", False
    return None


def _problem(spec: ModelSpec) -> tuple[str | None, str, str, str] | None:
    """The first part that Brian2 refuses: (connection or None, field, expected, message), or None."""
    for cname in [None, *spec.connections]:
        found = _part_problem(spec, cname)
        if found:
            return (cname, "equations" if cname is None else f"connections.{cname}", *found[:2])
    return None


def check_units(spec: ModelSpec, file_parameters: dict[str, Parameter] | None = None) -> None:
    """Let Brian2 prepare the model and each of its connections (numpy target, one unit, stand-in
    end groups) so that inconsistent dimensions fail now, naming the file, the part and, where one
    parameter's units alone explain the error, that parameter.

    A parameter is named only when solving Brian2's unit rules (of the model and all its
    connections) for its dimensions gives one answer, different from its own, and Brian2 then
    accepts the part that failed; two wrong parameters, or an error that several parameters
    could each explain, leave the message on the part (with the candidates listed). The
    equation itself may be what is wrong, so the message names both.
    """
    with _checking():
        found = _problem(spec)
        if found is None:
            return
        cname, field_name, expected, message = found
        fixes = _single_parameter_fixes(spec, cname)  # also for errors Brian2 does not raise as dimension errors
    file_parameters = file_parameters or spec.parameters
    if len(fixes) == 1:
        name, dim = fixes[0]
        raise ModelFileError(spec.path, f"parameters.{name}", f"{describe_dimensions(dim)}, got "
                             f"{file_parameters[name].text!r}: with it Brian2 accepts [{field_name}], else "
                             f"[{field_name}] is wrong: {message}")
    if fixes:
        message += f" (the units of any one of {', '.join(n for n, _ in fixes)} would fix it)"
    raise ModelFileError(spec.path, field_name, expected, message)


# ---- naming the parameter whose units break the model ------------------------------------------
class _Unsolvable(Exception):
    """A statement whose unit rules the solver does not follow (user functions, P in an exponent…)."""


_ZERO = (Fraction(0),) * 7
_DimExpr = tuple  # (base exponents, k): the dimensions base + k·x, x the parameter's unknown exponents


def _vec(dim) -> tuple:
    return tuple(Fraction(x).limit_denominator(10**6) for x in dim._dims)


def _combine(a: tuple, b: tuple, factor: Fraction = Fraction(1)) -> tuple:
    return tuple(x + factor * y for x, y in zip(a, b))


class _DimensionSolver:
    """The linear constraints k·x = c that Brian2's unit rules (the rules of its
    `parse_expression_dimensions` and `check_units_statements`) put on the unknown dimensions x
    of one parameter in the statements of one Brian2 object."""

    def __init__(self, param: str, group):
        self.param, self.group = param, group
        self.constraints: list[tuple[Fraction, tuple]] = []
        self.temps: dict[str, _DimExpr] = {}

    def same(self, a: _DimExpr, b: _DimExpr) -> None:
        self.constraints.append((a[1] - b[1], _combine(b[0], a[0], Fraction(-1))))

    def resolve(self, name: str):
        from brian2.core.functions import DEFAULT_FUNCTIONS

        tables = (self.group.variables, self.group.namespace or {}, DEFAULT_FUNCTIONS, DEFAULT_UNITS, DEFAULT_CONSTANTS)
        for table in tables:
            if name in table:
                return table[name]
        raise _Unsolvable(name)

    def name(self, name: str) -> _DimExpr:
        if name in self.temps:
            return self.temps[name]
        if name == self.param and name not in self.group.variables:
            return (_ZERO, Fraction(1))
        if name == "xi" or name.startswith("xi_"):
            from brian2 import second

            return (_vec((second ** -0.5).dim), Fraction(0))  # white noise: 1/sqrt(second)
        obj = self.resolve(name)
        if hasattr(obj, "_arg_units"):
            raise _Unsolvable(f"{name} used as a value")
        return (_vec(get_dimensions(getattr(obj, "dim", obj))), Fraction(0))

    def number(self, node: ast.AST) -> float:
        """The value of a constant exponent (a number or a dimensionless constant)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.number(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            a, b = self.number(node.left), self.number(node.right)
            return {
                ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b, ast.Div: a / b if b else float("nan")
            }[type(node.op)]
        if isinstance(node, ast.Name) and node.id != self.param and node.id not in self.group.variables:
            value = self.resolve(node.id)
            if isinstance(value, (int, float)) or (
                get_dimensions(value) is DIMENSIONLESS
                and np.ndim(value) == 0
                and not hasattr(value, "_arg_units")
                and not hasattr(value, "owner")
            ):
                return float(value)
        raise _Unsolvable("exponent")

    def expr(self, node: ast.AST) -> _DimExpr:
        none = (_ZERO, Fraction(0))
        if isinstance(node, ast.Expression):
            return self.expr(node.body)
        if isinstance(node, ast.Constant):
            return none
        if isinstance(node, ast.Name):
            return none if node.id in ("True", "False") else self.name(node.id)
        if isinstance(node, ast.BoolOp):
            for value in node.values:
                self.expr(value)
            return none
        if isinstance(node, ast.Compare):
            parts = [self.expr(n) for n in [node.left, *node.comparators]]
            for a, b in zip(parts, parts[1:]):
                self.same(a, b)
            return none
        if isinstance(node, ast.UnaryOp):
            value = self.expr(node.operand)
            return none if isinstance(node.op, ast.Not) else value
        if isinstance(node, ast.BinOp):
            left, right = self.expr(node.left), self.expr(node.right)
            if isinstance(node.op, (ast.Add, ast.Sub, ast.Mod)):
                self.same(left, right)
                return left
            if isinstance(node.op, ast.Mult):
                return (_combine(left[0], right[0]), left[1] + right[1])
            if isinstance(node.op, ast.Div):
                return (_combine(left[0], right[0], Fraction(-1)), left[1] - right[1])
            if isinstance(node.op, ast.FloorDiv):
                self.same(left, none)
                self.same(right, none)
                return none
            if isinstance(node.op, ast.Pow):
                if right[1]:
                    raise _Unsolvable("the parameter in an exponent")
                if left == none and right == none:
                    return none
                n = Fraction(self.number(node.right)).limit_denominator(10**6)
                return (tuple(x * n for x in left[0]), left[1] * n)
            raise _Unsolvable(type(node.op).__name__)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            return self.call(node)
        raise _Unsolvable(type(node).__name__)

    def call(self, node: ast.Call) -> _DimExpr:
        from brian2.units.fundamentalunits import Unit, get_or_create_dimension

        func = self.resolve(node.func.id)
        if not hasattr(func, "_arg_units") or len(func._arg_units) != len(node.args):
            raise _Unsolvable(node.func.id)
        args = [self.expr(a) for a in node.args]
        for arg, unit in zip(args, func._arg_units):
            if unit is None or unit is bool:
                continue
            if isinstance(unit, str):
                self.same(arg, args[func._arg_names.index(unit)])
            else:
                self.same(arg, (_vec(get_dimensions(unit)), Fraction(0)))
        ret = func._return_unit
        if ret is bool:
            return (_ZERO, Fraction(0))
        if isinstance(ret, (Unit, int)):
            return (_vec(get_dimensions(ret)), Fraction(0))
        if all(k == 0 for _, k in args):
            dims = [get_or_create_dimension([float(x) for x in base]) for base, _ in args]
            return (_vec(get_dimensions(ret(*dims))), Fraction(0))
        if node.func.id == "sqrt":
            return (tuple(x / 2 for x in args[0][0]), args[0][1] / 2)
        if node.func.id in ("abs", "ceil", "floor", "clip"):
            return args[0]
        raise _Unsolvable(node.func.id)

    def code(self, text: str) -> None:
        from brian2.parsing.statements import parse_statement

        for line in re.split(r"[;\n]", text):
            if not line.strip() or line.strip().startswith("#"):
                continue
            var, op, expr, _ = parse_statement(line.strip())
            value = self.expr(ast.parse(expr, mode="eval"))
            if op == "=" and var not in self.temps and var not in self.group.variables:
                self.temps[var] = value  # a temporary of the code block
                continue
            target = self.name(var)
            if op in ("=", "+=", "-=", "%="):
                self.same(target, value)
            elif op in ("*=", "/="):
                self.same(value, (_ZERO, Fraction(0)))
            else:
                raise _Unsolvable(op)


def _statements(spec: ModelSpec, cname: str | None) -> list[tuple[str, str, Any]]:
    """(kind, code, expected dimensions) of every unit rule of one part: 'expr' (an equation's
    expression), 'code' (statements), 'cond' (a condition), 'refractory'."""
    from brian2 import Equations, second
    from brian2.equations.equations import DIFFERENTIAL_EQUATION, SUBEXPRESSION

    eqs = spec.equations if cname is None else Equations(spec.connections[cname].model)
    out = []
    for eq in eqs.values():
        if eq.type == DIFFERENTIAL_EQUATION:
            out.append(("expr", str(eq.expr), eq.dim / second.dim))
        elif eq.type == SUBEXPRESSION:
            out.append(("expr", str(eq.expr), eq.dim))
    if cname is not None:
        if spec.connections[cname].on_pre:
            out.append(("code", spec.connections[cname].on_pre, None))
        return out
    if spec.threshold:
        out.append(("cond", spec.threshold, None))
    for code in [spec.reset, spec.run_regularly, *spec.pathways.values()]:
        if code:
            out.append(("code", code, None))
    if isinstance(spec.refractory, str):
        out.append(("refractory", spec.refractory, second.dim))
    return out


def _solve(spec: ModelSpec, param: str, parts: list[tuple[Any, list]]):
    """The dimensions that `param` must have for every unit rule that involves it to hold (one
    answer, different from its present ones), or None."""
    from brian2.units.fundamentalunits import get_or_create_dimension
    from brian2.utils.stringtools import get_identifiers

    current = _vec(get_dimensions(spec.parameters[param].value))
    constraints = []
    for group, statements in parts:
        solver = _DimensionSolver(param, group)
        try:
            for kind, text, expected in statements:
                if param not in get_identifiers(text):
                    continue
                if kind == "code":
                    solver.code(text)
                    continue
                tree = ast.parse(text.strip(), mode="eval")
                value = solver.expr(tree)
                if kind == "expr" or (kind == "refractory" and not isinstance(tree.body, (ast.Compare, ast.BoolOp))):
                    solver.same(value, (_vec(expected), Fraction(0)))
        except (_Unsolvable, SyntaxError, ValueError, ZeroDivisionError):
            return None
        constraints += solver.constraints
    answer = None
    for k, c in constraints:
        if k == 0:
            if any(c):
                return None  # a mismatch this parameter does not take part in
            continue
        x = tuple(v / k for v in c)
        if answer not in (None, x):
            return None
        answer = x
    if answer is None or answer == current:
        return None
    return get_or_create_dimension([float(v) for v in answer])


def _single_parameter_fixes(spec: ModelSpec, failed: str | None) -> list[tuple[str, Any]]:
    """Parameters whose dimensions alone, solved from the unit rules of every part, make Brian2
    accept the part that failed (the model, or connection `failed`): [(name, dimensions)]. The
    parts that passed keep passing: a parameter they constrain has its present dimensions as
    the only solution, so it is never a candidate."""
    from brian2.units.fundamentalunits import Quantity

    parts = []
    for cname in [None, *spec.connections]:
        try:
            own = _model_objects(spec)[1] if cname is None else _connection_objects(spec, cname)[1]
        except Exception:  # a part Brian2 cannot even build contributes no rules
            continue
        parts.append((own, _statements(spec, cname)))
    fixes = []
    for name in spec.parameters:
        dim = _solve(spec, name, parts)
        if dim is None:
            continue
        old = spec.parameters[name]
        fixed = replace(old, value=Quantity(float(old.value), dim=dim))
        trial = replace(spec, parameters={**spec.parameters, name: fixed})
        if _part_problem(trial, failed) is None:
            fixes.append((name, dim))
    return fixes
