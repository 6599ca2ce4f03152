"""Protocol files: declarative TOML → a validated protocol of a registered kind (docs/protocols.md).

A protocol file (protocols/*.toml, shipped in the package as `astrobrian.protocol_library`) says
what to run. It is data, never code: TOML is parsed by `tomllib`, quantities by
`astrobrian.quantities`. Its `kind` key picks a `ProtocolKind` from the registry — 'recall' (the
default, `astrobrian.recall_protocol`), 'capacity_scaling' and 'knockout_capacity'
(`astrobrian.sweep_protocols`) and 'transformer' (`astrobrian.transformer_protocol`) — which
declares its keys and validates, runs, writes and formats it; the validators they share live in
`astrobrian.schema`. A new kind is one module and one `register_kind` call (docs/extending.md).
"""

from __future__ import annotations

import copy
import json
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from .errors import InputError
from .schema import ProtocolError, RunTimes


@dataclass(frozen=True)
class RunOptions:
    """What the command line adds to a protocol: a device, sweep workers, a fresh start, a Dask scheduler."""

    device: str | None = None
    workers: int | None = None
    fresh: bool = False
    scheduler: str | None = None


@dataclass(frozen=True)
class ProtocolKind:
    """One kind of protocol file (its `kind` key): its keys and how it is validated, run, written and shown.

    Parameters
    ----------
    name : str
        The value of the file's `kind` key.
    description : str
        One line for listings.
    keys : frozenset of str
        The top-level keys a file of this kind may have.
    validate : callable
        ``validate(data, source) -> protocol`` (a ProtocolError names the bad key).
    prepare : callable
        ``prepare(data, options, source) -> data``: the command line's `RunOptions` applied (or refused).
    run : callable
        ``run(protocol, out, options, progress) -> result`` (``result.summary()`` is JSON-able).
    write : callable
        ``write(result, out) -> {name: path}``: the whole result set, or none of it.
    format : callable
        ``format(summary, out) -> str``: the table printed after a run.
    outputs : tuple of str
        Every file a result set of this kind may hold (checked before any work).
    card : callable
        ``card(protocol) -> str``: every key with the value a run uses (`protocols show`).
    rungs : callable
        ``rungs(data) -> str``: what a file runs, for listings.
    """

    name: str
    description: str
    keys: frozenset[str]
    validate: Callable[[dict, object], Any]
    prepare: Callable[[dict, RunOptions, object], dict]
    run: Callable[..., Any]
    write: Callable[[Any, Path], dict]
    format: Callable[[dict, Any], str]
    outputs: tuple[str, ...]
    card: Callable[[Any], str]
    rungs: Callable[[dict], str]


#: every registered protocol kind, by name
KINDS: dict[str, ProtocolKind] = {}


def register_kind(kind: ProtocolKind) -> ProtocolKind:
    """Add a protocol kind to the registry (a name already there replaces it)."""
    KINDS[kind.name] = kind
    return kind


def kind_names() -> tuple[str, ...]:
    """The registered protocol kinds."""
    _register_builtin_kinds()
    return tuple(KINDS)


def protocol_kind(data: dict, source: object = "protocol") -> ProtocolKind:
    """The kind of a protocol file's data (its `kind` key; 'recall' when absent)."""
    _register_builtin_kinds()
    name = data.get("kind", "recall")
    if not isinstance(name, str) or name not in KINDS:
        raise ProtocolError(source, "kind", f"one of {', '.join(KINDS)}", name)
    return KINDS[name]


def _register_builtin_kinds() -> None:
    """The kinds astrobrian ships register when first asked for (their modules import Brian2 lazily)."""
    if "recall" not in KINDS:
        from . import recall_protocol, sweep_protocols, transformer_protocol

        recall_protocol.register()
        sweep_protocols.register()
        transformer_protocol.register()


def library_dir() -> Path:
    """The folder of the shipped protocol files."""
    return Path(str(resources.files("astrobrian.protocol_library")))


def available() -> list[str]:
    """Names of the protocols in the library."""
    return sorted(p.stem for p in library_dir().glob("*.toml"))


def resolve(name_or_path: str | Path | None) -> Path:
    """A library name ('recall', the default when None) or a path to a .toml file."""
    from .models import resolve_file  # imports Brian2: not needed to build the command line's parser

    return resolve_file("recall" if name_or_path is None else name_or_path, library_dir(), "protocol")


# ---- --set KEY=VALUE -------------------------------------------------------------------------
def parse_setting(text: str, field: str = "--set") -> tuple[str, Any]:
    """'KEY=VALUE' → (dotted key, value); VALUE is read as JSON when it parses (numbers,
    true/false, lists), else kept as a string ('50 ms'). `field` names the option in errors."""
    if "=" not in text:
        raise InputError(field, "KEY=VALUE, e.g. N=64 or network.beta=3 or cue_duration='50 ms'", text)
    key, raw = (s.strip() for s in text.split("=", 1))
    if not key or any(not part for part in key.split(".")):
        raise InputError(field, "a key such as beta or network.tau_s", text)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw.strip("'\"")
    return key, value


#: keys that say the same thing two ways: setting one drops the other, so the later setting wins
ALTERNATIVES = {"flip": "flips", "flips": "flip"}


def apply_settings(data: dict, settings: dict[str, Any] | list[tuple[str, Any]], source: object = "--set") -> dict:
    """A copy of `data` with every dotted key of `settings` set in order (tables created as
    needed); setting `flip` drops `flips` and vice versa (the later one wins).

    Parameters
    ----------
    data : dict
        The protocol file's data (not changed).
    settings : dict or list of (str, object)
        {dotted key: value} or (key, value) pairs, applied in order.
    source : object
        Named in errors (a key that would have to go inside a non-table value).

    Returns
    -------
    dict
    """
    out = copy.deepcopy(data)
    for key, value in (settings.items() if isinstance(settings, dict) else settings):
        if key in ALTERNATIVES:
            out.pop(ALTERNATIVES[key], None)
        table = out
        parts = key.split(".")
        for depth, part in enumerate(parts[:-1]):
            nxt = table.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ProtocolError(source, ".".join(parts[: depth + 1]), f"a table to set {key} in", nxt)
            table = nxt
        table[parts[-1]] = value
    return out


def plain(obj: Any) -> Any:
    """JSON-able copy: dataclasses → dicts, Brian2 quantities → text, couplings → describe()."""
    import numpy as np
    from brian2.units.fundamentalunits import Quantity

    if hasattr(obj, "describe") and callable(obj.describe):
        return plain(obj.describe())
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, Quantity):
        return str(obj) if not obj.is_dimensionless else np.asarray(obj).tolist()
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj


def read(name_or_path: str | Path | None = None,
         settings: dict[str, Any] | list[tuple[str, Any]] | None = None) -> tuple[Path, dict]:
    """The protocol file's path and its data with dotted `settings` applied (not validated)."""
    path = resolve(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ProtocolError(path.name, "file", "valid TOML", str(err)) from None
    except UnicodeDecodeError as err:
        raise ProtocolError(path.name, "file", "UTF-8 text", f"byte {err.object[err.start]:#04x} at "
                            f"position {err.start}") from None
    except OSError as err:
        raise ProtocolError(path.name, "file", "a readable file", err.strerror) from None
    if settings:
        data = apply_settings(data, settings, path.name)
    return path, data


def validate(data: dict, source: object = "protocol") -> Any:
    """Check every key of a protocol (file data after --set) with its kind's validator.

    Parameters
    ----------
    data : dict
        The file's data.
    source : object
        The file's name, for errors.

    Returns
    -------
    protocol
        The kind's validated protocol (`RecallProtocol`, `SweepProtocol`, …).
    """
    return protocol_kind(data, source).validate(data, source)


def load(name_or_path: str | Path | None = None, settings: dict[str, Any] | None = None) -> Any:
    """Load a protocol by library name or path (default: the embedded 'recall'), apply dotted
    `settings` (--set, --seed, --device) and validate it with its kind."""
    path, data = read(name_or_path, settings)
    return validate(data, path.name)


__all__ = [
    "ProtocolError", "RunTimes", "ProtocolKind", "RunOptions", "KINDS", "register_kind", "kind_names",
    "protocol_kind", "available", "resolve", "read", "load", "validate", "parse_setting", "apply_settings",
    "library_dir", "plain",
]
