"""Recall protocols: declarative TOML files → a validated `Protocol` (issue 4).

A protocol file (protocols/*.toml, shipped in the package as `astrobrian.protocol_library`)
says which network to build, how to cue it and what to compare it with. It is data, never
code: TOML is parsed by `tomllib`, quantities by `astrobrian.quantities`; every key is checked,
and an unknown key, a wrong unit or a bad value is an error naming the key. Schema:

    name, description         text
    rung                      a network rung of `astrobrian.network` ('rate', 'spiking', …)
    device                    'runtime' | 'cpp_standalone'
    seed, trials              integers; trial t draws patterns, target and cue from (seed, t)
    N, K                      neurons (≥ 2) and stored patterns (≥ 1)
    flip | flips              fraction of cue bits flipped (exactly ⌊ρN⌋) | number of bits
    cue_duration, duration    times with units ('100 ms'); the cue is an input current for
                              cue_duration, the run ends at duration (> cue_duration)
    cue_strength, threshold   cue input scale (≥ 0); recall criterion: target overlap ≥ θ
    [network]                 keyword parameters of the rung's builder (units as the builder's
                              defaults; for the rate rung, those of NeuronAstrocyteMemory)
    [abstract]                NeuronAstrocyteMemory from rest, the prediction beside every
                              knockout: its parameters (default: the §6 rest scaling) and
                              dt, cue_duration, duration, cue_strength in units of τ_n
    [controls.dam]            enabled; QuarticDAMLimit parameters and dt, cue_duration,
                              duration, cue_strength (units of τ_n), same cue from rest
    [controls.hopfield]       enabled; rung (default 'hopfield-spiking'); [.network] its
                              builder's parameters; cue_duration, duration, cue_strength
                              (default: the protocol's)
    [knockouts]               enabled; type (a Knockouts switch, or a list of them);
                              fractions (each in [0, 1])

A parameter called `coupling` is 'full' or a table {astrocytes = A, seed = S, gap_junction = G}
(territories; G ∈ [0, 1] is the IP3 passed between astrocytes through gap junctions).
"""

from __future__ import annotations

import copy
import inspect
import json
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .devices import DEVICES
from .errors import InputError
from .models import resolve_file

HOPFIELD_RUNG = "hopfield-spiking"
_TOP_KEYS = {
    "kind", "name", "description", "rung", "device", "seed", "trials", "N", "K", "flip", "flips",
    "cue_duration", "duration", "cue_strength", "threshold", "network", "abstract", "controls", "knockouts",
}
_ABSTRACT_RUN_KEYS = {"dt", "cue_duration", "duration", "cue_strength"}
_ABSTRACT_RUN_DEFAULTS = {"dt": 0.01, "cue_duration": 2.0, "duration": 15.0, "cue_strength": 1.0}
_HOPFIELD_KEYS = {"enabled", "rung", "network", "cue_duration", "duration", "cue_strength"}
_KNOCKOUT_KEYS = {"enabled", "type", "fractions"}
#: builder arguments the runner sets itself (a protocol may not)
RESERVED = {
    "patterns": "the runner draws the patterns from N, K and the seed",
    "cue": "the cue is an input current during cue_duration, never an initial state",
    "init": "every network starts from rest; the cue is an input (science.md §6)",
    "record": "the runner records what the read-out needs",
    "name": "the runner names the Brian2 objects",
    "knockouts": "knockouts are set by the [knockouts] sweep",
    "seed": "the runner derives every network's seed from the protocol's seed and the trial",
}


class ProtocolError(InputError):
    """A protocol that cannot be run: names the file, the key and the expected form."""

    def __init__(self, source: object, key: str, expected: str, got: object = None):
        super().__init__(f"{source}: [{key}]", expected, got)
        self.key = key


def library_dir() -> Path:
    """The folder of the shipped protocol files."""
    return Path(str(resources.files("astrobrian.protocol_library")))


def available() -> list[str]:
    """Names of the protocols in the library."""
    return sorted(p.stem for p in library_dir().glob("*.toml"))


def resolve(name_or_path: str | Path | None) -> Path:
    """A library name ('recall', the default when None) or a path to a .toml file."""
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
    needed); setting `flip` drops `flips` and vice versa (the later one wins)."""
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


# ---- the validated protocol --------------------------------------------------------------------
@dataclass(frozen=True)
class RunTimes:
    """Cue window and run length; `unit` says what the floats mean ('s', or 'tau_n')."""

    cue_duration: float
    duration: float
    cue_strength: float
    dt: float | None = None
    unit: str = "s"


@dataclass(frozen=True)
class HopfieldControl:
    rung: str
    network: dict
    times: RunTimes


@dataclass(frozen=True)
class DAMControl:
    params: dict
    times: RunTimes


@dataclass(frozen=True)
class KnockoutSweep:
    types: tuple[str, ...]
    fractions: tuple[float, ...]


@dataclass(frozen=True)
class Protocol:
    """Everything a run needs, validated; `data` is the file (after --set) for the manifest."""

    name: str
    description: str
    source: str
    rung: str
    device: str
    seed: int
    trials: int
    n: int
    k: int
    flips: int
    times: RunTimes
    threshold: float
    network: dict
    abstract: dict
    abstract_times: RunTimes
    dam: DAMControl | None
    hopfield: HopfieldControl | None
    knockouts: KnockoutSweep | None
    data: dict = field(default_factory=dict)

    @property
    def flip(self) -> float:
        return self.flips / self.n

    def settings(self) -> dict:
        """The resolved protocol as plain JSON-able data (quantities as text)."""
        return plain({
            "name": self.name, "source": self.source, "rung": self.rung, "device": self.device,
            "seed": self.seed, "trials": self.trials, "N": self.n, "K": self.k, "flips": self.flips,
            "flip": self.flip, "times": self.times, "threshold": self.threshold, "network": self.network,
            "abstract": self.abstract, "abstract_times": self.abstract_times, "dam": self.dam,
            "hopfield": self.hopfield, "knockouts": self.knockouts, "file": self.data,
        })


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


# ---- value checks (each names its key) ---------------------------------------------------------
def parse_quantity(value: object, field: str):
    """`astrobrian.quantities.parse_quantity`, imported when first needed (it loads Brian2's
    units; listing protocols or building the CLI parser should not)."""
    from .quantities import parse_quantity as parse

    return parse(value, field)


def _unknown(table: dict, allowed: set[str], prefix: str, source: object) -> None:
    for key in table:
        if key not in allowed:
            raise ProtocolError(source, prefix + key, f"a known key ({', '.join(sorted(allowed))})", key)


def _table(value: object, key: str, source: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProtocolError(source, key, "a table", value)
    return value


def _int(value: object, key: str, source: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(source, key, f"an integer ≥ {minimum}", value)
    if value < minimum:
        raise ProtocolError(source, key, f"an integer ≥ {minimum}", value)
    return int(value)


def _bool(value: object, key: str, source: object) -> bool:
    if not isinstance(value, bool):
        raise ProtocolError(source, key, "true or false", value)
    return value


def _text(value: object, key: str, source: object) -> str:
    if not isinstance(value, str):
        raise ProtocolError(source, key, "a string", value)
    return value


def _number(value: object, key: str, source: object, minimum: float | None = 0.0, strict: bool = False,
            maximum: float | None = None) -> float:
    """A dimensionless number (a plain number or a dimensionless quantity string)."""
    if isinstance(value, bool):
        raise ProtocolError(source, key, "a number", value)
    if isinstance(value, str):
        parsed = parse_quantity(value, f"{source}: [{key}]")
        if not isinstance(parsed, float):
            raise ProtocolError(source, key, "a dimensionless number", value)
        value = parsed
    if not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        raise ProtocolError(source, key, "a finite number", value)
    v = float(value)
    if minimum is not None and (v < minimum or (strict and v == minimum)):
        raise ProtocolError(source, key, f"a number {'>' if strict else '≥'} {minimum:g}", value)
    if maximum is not None and v > maximum:
        raise ProtocolError(source, key, f"a number ≤ {maximum:g}", value)
    return v


def _time(value: object, key: str, source: object) -> float:
    """A time with units ('100 ms') → seconds; negative times are refused."""
    from brian2 import second
    from brian2.units.fundamentalunits import get_dimensions

    expected = "a time with units, such as '100 ms'"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ProtocolError(source, key, expected, value)
    q = parse_quantity(value, f"{source}: [{key}]")
    if get_dimensions(q) != get_dimensions(second):
        raise ProtocolError(source, key, expected, value)
    seconds = float(q / second)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise ProtocolError(source, key, "a finite time with units, such as '100 ms'", value)
    if seconds < 0:
        raise ProtocolError(source, key, "a duration ≥ 0", value)
    return seconds


def _coupling(value: object, key: str, source: object):
    """'full' or {astrocytes = A, seed = S} → the process-coupling object."""
    from .abstract.process_coupling import TerritoryCoupling

    if value == "full":
        return "full"
    if isinstance(value, dict):
        _unknown(value, {"astrocytes", "seed", "gap_junction"}, key + ".", source)
        if "astrocytes" not in value:
            raise ProtocolError(source, key + ".astrocytes", "the number of astrocytes (territories)", "nothing")
        return TerritoryCoupling(_int(value["astrocytes"], key + ".astrocytes", source, 1),
                                 _int(value.get("seed", 0), key + ".seed", source, 0),
                                 gap_junction=_number(value.get("gap_junction", 0.0), key + ".gap_junction", source,
                                                      maximum=1.0))
    raise ProtocolError(source, key, "'full' or a table {astrocytes = A, seed = S, gap_junction = G}", value)


def _parameter(value: object, default: object, key: str, source: object) -> object:
    """A builder parameter, checked against its default's type and units."""
    from brian2.units.fundamentalunits import DIMENSIONLESS, Quantity, get_dimensions

    from .quantities import describe_dimensions

    if key.rsplit(".", 1)[-1] == "coupling":
        return _coupling(value, key, source)
    if isinstance(default, Quantity) and get_dimensions(default) is not DIMENSIONLESS:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ProtocolError(source, key, f"{describe_dimensions(default)} as a quantity string", value)
        q = parse_quantity(value, f"{source}: [{key}]")
        if get_dimensions(q) != get_dimensions(default):
            raise ProtocolError(source, key, f"{describe_dimensions(default)}, like its default {default}", value)
        return _finite(q, key, source)
    if isinstance(default, bool):
        return _bool(value, key, source)
    if isinstance(default, (int, float)):
        if isinstance(default, int) and isinstance(value, int) and not isinstance(value, bool):
            return int(value)
        return _number(value, key, source, minimum=None)
    if isinstance(default, str):
        return _text(value, key, source)
    # no typed default (None): a number, a flag, a quantity, a name, or a table of them
    if isinstance(value, dict):
        return {k: _parameter(v, None, f"{key}.{k}", source) for k, v in value.items()}
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _finite(float(value), key, source)
    if isinstance(value, str):
        try:
            parsed = parse_quantity(value, f"{source}: [{key}]")
        except InputError:
            if _looks_numeric(value):  # a number or quantity that does not parse is a mistake, not a name
                raise
            return value
        return _finite(parsed, key, source)
    raise ProtocolError(source, key, "a number, a quantity string or a name", value)


def _looks_numeric(text: str) -> bool:
    """Text that starts like a number ('1e400 ms', '-60 ms', 'nan', 'inf'): never a name."""
    head = text.strip().lower()
    return bool(head) and (head[0] in "0123456789.+-(" or head in ("nan", "inf", "infinity"))


def _finite(value: Any, key: str, source: object) -> Any:
    """`value` (a number or a Brian2 quantity) if every element is finite, else a ProtocolError."""
    import numpy as np

    if not np.all(np.isfinite(np.asarray(value, dtype=float))):
        raise ProtocolError(source, key, "a finite value", str(value))
    return value


def _signature_defaults(fn) -> tuple[dict[str, object], bool]:
    """Keyword parameters of `fn` with their defaults, and whether it takes **kwargs."""
    out, forwards = {}, False
    for name, p in inspect.signature(fn).parameters.items():
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            forwards = True
        elif p.kind is not inspect.Parameter.VAR_POSITIONAL:
            out[name] = None if p.default is inspect.Parameter.empty else p.default
    return out, forwards


def abstract_parameters() -> dict[str, object]:
    """NeuronAstrocyteMemory's parameters (those a protocol may set) with their defaults."""
    from .abstract.neuron_astrocyte import NeuronAstrocyteMemory

    params, _ = _signature_defaults(NeuronAstrocyteMemory.__init__)
    return {k: v for k, v in params.items() if k not in ("self", "patterns", "knockouts", "c", "d")}


def builder_parameters(rung: str) -> tuple[dict[str, object], bool, bool]:
    """What a protocol may give the builder of `rung`: its keyword parameters with defaults,
    whether it takes further keywords (checked by the builder itself, see `_dry_build`), and
    whether it takes knockouts. The rate builder forwards its keywords to
    NeuronAstrocyteMemory, whose parameters are then listed too."""
    from .network import BUILDERS

    params, forwards = _signature_defaults(BUILDERS[rung])
    takes_knockouts = "knockouts" in params
    if forwards and rung in FORWARDS_TO_ABSTRACT:
        for k, v in abstract_parameters().items():
            params.setdefault(k, v)
        forwards, takes_knockouts = False, True
    return {k: v for k, v in params.items() if k not in RESERVED}, forwards, takes_knockouts


#: rungs whose builder passes **params on to NeuronAstrocyteMemory
FORWARDS_TO_ABSTRACT = ("rate",)


def _network_params(table: object, rung: str, prefix: str, source: object) -> dict:
    table = _table(table, prefix.rstrip("."), source)
    allowed, open_ended, _ = builder_parameters(rung)
    out = {}
    for key, value in table.items():
        if key in RESERVED:
            raise ProtocolError(source, prefix + key, f"no value here: {RESERVED[key]}", value)
        if key not in allowed and not open_ended:
            raise ProtocolError(source, prefix + key, f"a parameter of the '{rung}' rung ({', '.join(sorted(allowed))})", key)
        out[key] = _parameter(value, allowed.get(key), prefix + key, source)
    return out


def _dry_build(rung: str, params: dict, n: int, k: int, prefix: str, source: object) -> None:
    """Build the network once (runtime device, nothing run) so that every value the builder or
    its model files refuse — unknown keywords, wrong units — fails at load time, named by its
    protocol key."""
    import gc
    import re

    import numpy as np
    from .brian_logs import muted_brian_messages
    from .devices import use_device
    from .network import build_network

    xi = np.where(np.random.default_rng(0).random((n, k)) < 0.5, -1.0, 1.0)
    error = None
    with muted_brian_messages("unused_brian_object"):  # the dry-built objects are never run
        try:
            with use_device("runtime"):
                build_network(rung, xi, **params)
        except InputError as err:
            error = err.with_traceback(None)  # drop the frames that hold the objects
        gc.collect()
    if error is not None:
        err = error
        names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", err.field.rsplit("[", 1)[-1])
        name = names[-1] if names else err.field
        nested = [f"{outer}.{name}" for outer, v in params.items() if isinstance(v, dict) and name in v]
        key = name if name in params else nested[0] if nested else None
        if key is None:
            raise ProtocolError(source, prefix.rstrip("."), f"values the '{rung}' rung accepts ({err})") from None
        raise ProtocolError(source, prefix + key, err.expected, err.got) from None


def _rung(value: object, key: str, source: object, hint: str = "") -> str:
    from .network import BUILDERS

    rung = _text(value, key, source)
    if rung not in BUILDERS:
        raise ProtocolError(source, key, f"one of {', '.join(BUILDERS)} ('{rung}' is not available){hint}", rung)
    return rung


def _abstract_times(table: dict, prefix: str, source: object, defaults: dict) -> RunTimes:
    values = {k: table.get(k, defaults[k]) for k in _ABSTRACT_RUN_KEYS}
    for k in ("cue_duration", "duration"):
        v = values[k]
        if isinstance(v, str):  # a unit here is a mistake: abstract times are in units of τ_n
            parsed = parse_quantity(v, f"{source}: [{prefix}{k}]")
            if not isinstance(parsed, float):
                raise ProtocolError(source, prefix + k, "a number in units of τ_n (no units)", v)
    cue = _number(values["cue_duration"], prefix + "cue_duration", source)
    dur = _number(values["duration"], prefix + "duration", source)
    if dur <= cue:
        raise ProtocolError(source, prefix + "duration", f"a run longer than cue_duration = {cue:g} τ_n", dur)
    dt = _number(values["dt"], prefix + "dt", source, strict=True)
    if dt > dur:
        raise ProtocolError(source, prefix + "dt", f"a step ≤ duration = {dur:g}", dt)
    return RunTimes(cue, dur, _number(values["cue_strength"], prefix + "cue_strength", source), dt, "tau_n")


def _abstract_params(table: dict, allowed: dict, prefix: str, source: object) -> dict:
    out = {}
    for key, value in table.items():
        if key in _ABSTRACT_RUN_KEYS:
            continue
        if key not in allowed:
            names = sorted(set(allowed) | _ABSTRACT_RUN_KEYS)
            raise ProtocolError(source, prefix + key, f"a known key ({', '.join(names)})", key)
        out[key] = _parameter(value, allowed[key], prefix + key, source)
    return out


def validate(data: dict, source: object = "protocol") -> Protocol:
    """Check every key of a protocol (file data after --set) and return the `Protocol`."""
    from .abstract.knockouts import Knockouts
    from .abstract.neuron_astrocyte import QuarticDAMLimit

    _unknown(data, _TOP_KEYS, "", source)
    if data.get("kind", "recall") != "recall":
        raise ProtocolError(source, "kind", "'recall' here (capacity sweeps: astrobrian.sweep_protocols)", data["kind"])
    for key in ("rung", "N", "K", "cue_duration", "duration"):
        if key not in data:
            raise ProtocolError(source, key, "a value (required)", "nothing")
    name = _text(data.get("name", Path(str(source)).stem), "name", source)
    description = _text(data.get("description", ""), "description", source)
    rung = _rung(data["rung"], "rung", source)
    device = _text(data.get("device", "runtime"), "device", source)
    if device not in DEVICES:
        raise ProtocolError(source, "device", f"one of {', '.join(DEVICES)}", device)
    seed = _int(data.get("seed", 0), "seed", source, 0)
    trials = _int(data.get("trials", 1), "trials", source, 1)
    n = _int(data["N"], "N", source, 2)
    k = _int(data["K"], "K", source, 1)
    if "flip" in data and "flips" in data:
        raise ProtocolError(source, "flips", "either flip (a fraction) or flips (a number of bits), not both", data["flips"])
    if "flips" in data:
        flips = _int(data["flips"], "flips", source, 0)
        if flips > n:
            raise ProtocolError(source, "flips", f"a number of flipped bits between 0 and N = {n}", flips)
    else:
        from .patterns import n_flips

        rho = _number(data.get("flip", 0.15), "flip", source, maximum=1.0)
        flips = n_flips(n, rho)
    cue_duration = _time(data["cue_duration"], "cue_duration", source)
    duration = _time(data["duration"], "duration", source)
    if duration <= cue_duration:
        raise ProtocolError(source, "duration", f"a run longer than cue_duration ({data['cue_duration']})", data["duration"])
    times = RunTimes(cue_duration, duration, _number(data.get("cue_strength", 1.0), "cue_strength", source), None, "s")
    threshold = _number(data.get("threshold", 0.9), "threshold", source, strict=True, maximum=1.0)

    _check_distinct_patterns(n, k, source)
    network = _network_params(data.get("network"), rung, "network.", source)
    _check_readout(network, rung, cue_duration, duration, "", source)

    abstract_table = _table(data.get("abstract"), "abstract", source)
    abstract = _abstract_params(abstract_table, abstract_parameters(), "abstract.", source)
    if "coupling" in network and "coupling" not in abstract:
        abstract["coupling"] = network["coupling"]  # the prediction uses the network's territories
    abstract_times = _abstract_times(abstract_table, "abstract.", source, _ABSTRACT_RUN_DEFAULTS)

    controls = _table(data.get("controls"), "controls", source)
    _unknown(controls, {"dam", "hopfield"}, "controls.", source)
    dam_table = _table(controls.get("dam"), "controls.dam", source)
    dam = None
    if _bool(dam_table.get("enabled", True), "controls.dam.enabled", source):
        dam_allowed, _ = _signature_defaults(QuarticDAMLimit.__init__)
        dam_allowed = {k: v for k, v in dam_allowed.items() if k not in ("self", "patterns", "knockouts")}
        dam_params = _abstract_params({k: v for k, v in dam_table.items() if k != "enabled"}, dam_allowed,
                                      "controls.dam.", source)
        run_defaults = {k: getattr(abstract_times, k) for k in _ABSTRACT_RUN_KEYS}  # same run as [abstract]
        dam = DAMControl(dam_params, _abstract_times(dam_table, "controls.dam.", source, run_defaults))

    hop_table = _table(controls.get("hopfield"), "controls.hopfield", source)
    _unknown(hop_table, _HOPFIELD_KEYS, "controls.hopfield.", source)
    hopfield = None
    if _bool(hop_table.get("enabled", True), "controls.hopfield.enabled", source):
        hop_rung = _rung(hop_table.get("rung", HOPFIELD_RUNG), "controls.hopfield.rung", source,
                         " yet; set controls.hopfield.enabled = false to run without this control")
        hop_net = _network_params(hop_table.get("network"), hop_rung, "controls.hopfield.network.", source)
        hop_cue = _time(hop_table["cue_duration"], "controls.hopfield.cue_duration", source) \
            if "cue_duration" in hop_table else cue_duration
        hop_dur = _time(hop_table["duration"], "controls.hopfield.duration", source) \
            if "duration" in hop_table else duration
        if hop_dur <= hop_cue:
            raise ProtocolError(source, "controls.hopfield.duration", "a run longer than its cue_duration", hop_dur)
        _check_readout(hop_net, hop_rung, hop_cue, hop_dur, "controls.hopfield.", source)
        hop_strength = _number(hop_table.get("cue_strength", times.cue_strength), "controls.hopfield.cue_strength", source)
        hopfield = HopfieldControl(hop_rung, hop_net, RunTimes(hop_cue, hop_dur, hop_strength, None, "s"))

    ko_table = _table(data.get("knockouts"), "knockouts", source)
    _unknown(ko_table, _KNOCKOUT_KEYS, "knockouts.", source)
    knockouts = None
    if ko_table and _bool(ko_table.get("enabled", True), "knockouts.enabled", source):
        switches = [f.name for f in fields(Knockouts) if f.name != "seed"]
        types = ko_table.get("type")
        types = [types] if isinstance(types, str) else types
        if not isinstance(types, list) or not types:
            raise ProtocolError(source, "knockouts.type", f"one or a list of: {', '.join(switches)}", ko_table.get("type"))
        for t in types:
            if t not in switches:
                raise ProtocolError(source, "knockouts.type", f"one or a list of: {', '.join(switches)} "
                                    "(IP3R2 and gap-junction knockouts need the biophysical rung)", t)
        fractions = ko_table.get("fractions")
        if not isinstance(fractions, list) or not fractions:
            raise ProtocolError(source, "knockouts.fractions", "a non-empty list of fractions in [0, 1]", fractions)
        fracs = tuple(_number(f, "knockouts.fractions", source, maximum=1.0) for f in fractions)
        if len(set(fracs)) != len(fracs):
            raise ProtocolError(source, "knockouts.fractions", "distinct fractions", fractions)
        _, _, takes_knockouts = builder_parameters(rung)
        if not takes_knockouts:
            raise ProtocolError(source, "knockouts", f"no sweep: the '{rung}' rung has no knockout switches", types)
        if "astrocyte_ablation" in types and not hasattr(abstract.get("coupling"), "n_astrocytes"):
            raise ProtocolError(source, "knockouts.type", "astrocyte_ablation only with territories "
                                "(network.coupling = {astrocytes = A})", "astrocyte_ablation")
        if "ip3r2_knockout" in types and rung != "biophysical":
            raise ProtocolError(source, "knockouts.type", "ip3r2_knockout only on the biophysical rung (the only one "
                                "with CICR)", "ip3r2_knockout")
        if "gap_junction_block" in types and not getattr(abstract.get("coupling"), "gap_junction", 0):
            raise ProtocolError(source, "knockouts.type", "gap_junction_block only with astrocytes coupled by gap "
                                "junctions (network.coupling = {astrocytes = A, gap_junction = G > 0})",
                                "gap_junction_block")
        knockouts = KnockoutSweep(tuple(types), fracs)

    protocol = Protocol(name, description, str(source), rung, device, seed, trials, n, k, flips, times, threshold,
                        network, abstract, abstract_times, dam, hopfield, knockouts, data)
    _check_memory(protocol, source)
    _check_abstract_models(protocol, source)
    _dry_build(rung, network_parameters(protocol), n, k, "network.", source)
    if hopfield is not None:
        _dry_build(hopfield.rung, hopfield.network, n, k, "controls.hopfield.network.", source)
    return protocol


def _check_distinct_patterns(n: int, k: int, source: object) -> None:
    """Refuse sizes where random patterns repeat: K(K−1)/2 pairs each equal or mirrored with
    probability 2^(1−N); from one expected repeat on, recall of 'the' target measures nothing."""
    expected_repeats = k * (k - 1) / 2 * 2.0 ** (1 - n)
    if expected_repeats >= 1:
        k_most = int((1 + (1 + 4 * 2.0 ** n) ** 0.5) / 2)
        while k_most * (k_most - 1) / 2 * 2.0 ** (1 - n) >= 1:
            k_most -= 1
        raise ProtocolError(source, "K", f"at most {k_most} patterns at N = {n} (random ±1 patterns of "
                            f"{n} bits repeat or mirror each other beyond that: {expected_repeats:.3g} expected "
                            "repeated pairs per trial)", k)


def _check_readout(network: dict, rung: str, cue: float, duration: float, prefix: str, source: object) -> None:
    """A spiking rung reads out over its last readout_window: the run after the cue must be at least that long."""
    from brian2 import ms, second

    from .network.spiking import READOUT_WINDOW_MS

    if "readout_window" not in builder_parameters(rung)[0]:
        return
    window = network.get("readout_window")
    window = READOUT_WINDOW_MS * 1e-3 if window is None else float(window / second)
    if duration - cue < window - 1e-12:
        raise ProtocolError(source, prefix + "duration", f"at least {prefix}cue_duration + readout_window = "
                            f"{(cue + window) * 1e3:g} ms (the read-out counts spikes over the last "
                            f"{window * 1e3:g} ms after the cue)", f"{duration * second / ms:g} ms")


def _check_memory(protocol: Protocol, source: object) -> None:
    """Refuse sizes whose networks cannot fit in the memory available now (before any is built)."""
    from .network import memory_estimate
    from .resources import require_memory

    coupling = protocol.network.get("coupling")
    astrocytes = getattr(coupling, "n_astrocytes", 1)
    gap = bool(getattr(coupling, "gap_junction", 0))
    need = memory_estimate(protocol.rung, protocol.n, protocol.k, astrocytes, gap)
    if protocol.hopfield is not None:
        need = max(need, memory_estimate(protocol.hopfield.rung, protocol.n, protocol.k))
    need += 8.0 * 4 * protocol.n ** 2 * protocol.k  # the abstract model's mode contractions
    try:
        require_memory(need, "N", f"the {protocol.rung} rung at N = {protocol.n}, K = {protocol.k}")
    except InputError as err:
        raise ProtocolError(source, "N", err.expected, protocol.n) from None


def _check_abstract_models(protocol: Protocol, source: object) -> None:
    """Build the abstract models once on dummy patterns so that bad values (β ≤ 0, …) fail now,
    named by their protocol key."""
    import numpy as np

    from .abstract.neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit

    xi = np.ones((protocol.n, protocol.k))
    checks = [("abstract.", NeuronAstrocyteMemory, {**NeuronAstrocyteMemory.rest_scaling_parameters(protocol.n),
                                                    **protocol.abstract})]
    if protocol.dam is not None:
        checks.append(("controls.dam.", QuarticDAMLimit, protocol.dam.params))
    for prefix, cls, params in checks:
        allowed = abstract_parameters() if cls is NeuronAstrocyteMemory else params
        try:
            cls(xi, **{k: v for k, v in params.items() if k in allowed})
        except InputError as err:
            key = err.field.split(" ", 1)[0]
            raise ProtocolError(source, prefix + key, err.expected, err.got) from None


def network_parameters(protocol: Protocol) -> dict:
    """The builder's parameters. The rate rung starts from the §6 rest scaling for this N
    (a = 1/N, s = 1/N², …), then the protocol's [network]; other rungs take [network] as is."""
    from .abstract.neuron_astrocyte import NeuronAstrocyteMemory

    if protocol.rung in FORWARDS_TO_ABSTRACT:
        return {**NeuronAstrocyteMemory.rest_scaling_parameters(protocol.n), **protocol.network}
    return dict(protocol.network)


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


def load(name_or_path: str | Path | None = None, settings: dict[str, Any] | None = None) -> Protocol:
    """Load a recall protocol by library name or path (default: the embedded 'recall'), apply
    dotted `settings` (--set, --seed, --device) and validate."""
    path, data = read(name_or_path, settings)
    return validate(data, path.name)


__all__ = [
    "DEVICES", "Protocol", "ProtocolError", "RunTimes", "KnockoutSweep", "DAMControl", "HopfieldControl",
    "available", "resolve", "read", "load", "validate", "parse_setting", "apply_settings", "builder_parameters",
    "network_parameters", "library_dir", "plain",
]
