"""The protocol schema's shared validators: every check a protocol kind makes of its keys, once.

Each validator takes the value, its dotted key and the file it came from (`source`) and returns
the checked value, or raises a `ProtocolError` — one line naming the file, the key and the
expected form. The protocol kinds (`astrobrian.recall_protocol`, `astrobrian.sweep_protocols`)
declare their keys and build on these; docs/protocols.md describes the files.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from .errors import InputError


class ProtocolError(InputError):
    """A protocol that cannot be run: names the file, the key and the expected form."""

    def __init__(self, source: object, key: str, expected: str, got: object = None):
        super().__init__(f"{source}: [{key}]", expected, got)
        self.key = key


@dataclass(frozen=True)
class RunTimes:
    """Cue window and run length; `unit` says what the floats mean ('s', or 'tau_n')."""

    cue_duration: float
    duration: float
    cue_strength: float
    dt: float | None = None
    unit: str = "s"


#: the keys of an abstract model's run (units of τ_n)
ABSTRACT_RUN_KEYS = {"dt", "cue_duration", "duration", "cue_strength"}
#: builder arguments the runner sets itself (a protocol may not)
RESERVED = {
    "patterns": "the runner draws the patterns from N, K and the seed",
    "cue": "the cue is an input current during cue_duration, never an initial state",
    "init": "every network starts from rest; the cue is an input (docs/recall.md)",
    "record": "the runner records what the read-out needs",
    "name": "the runner names the Brian2 objects",
    "knockouts": "knockouts are set by the [knockouts] sweep",
    "seed": "the runner derives every network's seed from the protocol's seed and the trial",
    "options": "a protocol gives the builder's options one key at a time",
}


def parse_quantity(value: object, field: str):
    """`astrobrian.quantities.parse_quantity`, imported when first needed (it loads Brian2's
    units; listing protocols or building the CLI parser should not)."""
    from .quantities import parse_quantity as parse

    return parse(value, field)


def check_keys(table: dict, allowed: set[str], prefix: str, source: object) -> None:
    """Refuse the first key of `table` that is not in `allowed`.

    Parameters
    ----------
    table : dict
        A table from the file.
    allowed : set of str
        The keys it may have (listed in the error).
    prefix : str
        The table's dotted key with a trailing '.' ('' at the top level), named in errors.
    source : object
        The file, named in errors.
    """
    for key in table:
        if key not in allowed:
            raise ProtocolError(source, prefix + key, f"a known key ({', '.join(sorted(allowed))})", key)


def as_table(value: object, key: str, source: object) -> dict:
    """A table (missing = empty).

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).

    Returns
    -------
    dict
        `value`, or {} when it is None.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProtocolError(source, key, "a table", value)
    return value


def as_int(value: object, key: str, source: object, minimum: int) -> int:
    """An integer ≥ `minimum` (booleans are refused).

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).
    minimum : int
        The smallest value allowed.

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtocolError(source, key, f"an integer ≥ {minimum}", value)
    if value < minimum:
        raise ProtocolError(source, key, f"an integer ≥ {minimum}", value)
    return int(value)


def as_bool(value: object, key: str, source: object) -> bool:
    """A flag: true or false (a TOML boolean, not 0/1 or a string).

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).

    Returns
    -------
    bool
    """
    if not isinstance(value, bool):
        raise ProtocolError(source, key, "true or false", value)
    return value


def as_text(value: object, key: str, source: object) -> str:
    """A string (no conversion: numbers are refused).

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).

    Returns
    -------
    str
    """
    if not isinstance(value, str):
        raise ProtocolError(source, key, "a string", value)
    return value


def as_number(value: object, key: str, source: object, minimum: float | None = 0.0, strict: bool = False,
            maximum: float | None = None) -> float:
    """A dimensionless number (a plain number or a dimensionless quantity string).

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).
    minimum : float or None
        Lower bound (None: none); 0 by default.
    strict : bool
        The bound is exclusive (value > `minimum`).
    maximum : float or None
        Upper bound, inclusive (None: none).

    Returns
    -------
    float
    """
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


def as_time(value: object, key: str, source: object) -> float:
    """A time with units ('100 ms') → seconds; negative times are refused.

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).

    Returns
    -------
    float
        The time in seconds.
    """
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


def as_coupling(value: object, key: str, source: object):
    """'full' or {astrocytes = A, seed = S} → the process-coupling object.

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).

    Returns
    -------
    str or TerritoryCoupling
        'full', or the territories (astrocytes ≥ 1, seed ≥ 0, gap_junction in [0, 1], default 0).
    """
    from .abstract.process_coupling import TerritoryCoupling

    if value == "full":
        return "full"
    if isinstance(value, dict):
        check_keys(value, {"astrocytes", "seed", "gap_junction"}, key + ".", source)
        if "astrocytes" not in value:
            raise ProtocolError(source, key + ".astrocytes", "the number of astrocytes (territories)", "nothing")
        return TerritoryCoupling(as_int(value["astrocytes"], key + ".astrocytes", source, 1),
                                 as_int(value.get("seed", 0), key + ".seed", source, 0),
                                 gap_junction=as_number(value.get("gap_junction", 0.0), key + ".gap_junction", source,
                                                      maximum=1.0))
    raise ProtocolError(source, key, "'full' or a table {astrocytes = A, seed = S, gap_junction = G}", value)


def as_parameter(value: object, default: object, key: str, source: object) -> object:
    """A builder parameter, checked against its default's type and units.

    Parameters
    ----------
    value : object
        The value from the file.
    default : object
        The builder's default: its type (bool, int, float, str) or units decide the check; None
        accepts a number, a flag, a quantity string, a name or a table of them.
    key : str
        Its dotted key, named in errors (a key ending in 'coupling' is read by `as_coupling`).
    source : object
        The file, named in errors.

    Returns
    -------
    object
        The checked value: a Brian2 quantity, a number, a flag, a name, a coupling or a dict.
    """
    from brian2.units.fundamentalunits import DIMENSIONLESS, Quantity, get_dimensions

    from .quantities import describe_dimensions

    if key.rsplit(".", 1)[-1] == "coupling":
        return as_coupling(value, key, source)
    if isinstance(default, Quantity) and get_dimensions(default) is not DIMENSIONLESS:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ProtocolError(source, key, f"{describe_dimensions(default)} as a quantity string", value)
        q = parse_quantity(value, f"{source}: [{key}]")
        if get_dimensions(q) != get_dimensions(default):
            raise ProtocolError(source, key, f"{describe_dimensions(default)}, like its default {default}", value)
        return as_finite(q, key, source)
    if isinstance(default, bool):
        return as_bool(value, key, source)
    if isinstance(default, (int, float)):
        if isinstance(default, int) and isinstance(value, int) and not isinstance(value, bool):
            return int(value)
        return as_number(value, key, source, minimum=None)
    if isinstance(default, str):
        return as_text(value, key, source)
    # no typed default (None): a number, a flag, a quantity, a name, or a table of them
    if isinstance(value, dict):
        return {k: as_parameter(v, None, f"{key}.{k}", source) for k, v in value.items()}
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return as_finite(float(value), key, source)
    if isinstance(value, str):
        try:
            parsed = parse_quantity(value, f"{source}: [{key}]")
        except InputError:
            if _looks_numeric(value):  # a number or quantity that does not parse is a mistake, not a name
                raise
            return value
        return as_finite(parsed, key, source)
    raise ProtocolError(source, key, "a number, a quantity string or a name", value)


def _looks_numeric(text: str) -> bool:
    """Text that starts like a number ('1e400 ms', '-60 ms', 'nan', 'inf'): never a name."""
    head = text.strip().lower()
    return bool(head) and (head[0] in "0123456789.+-(" or head in ("nan", "inf", "infinity"))


def as_finite(value: Any, key: str, source: object) -> Any:
    """`value` (a number or a Brian2 quantity) if every element is finite, else a ProtocolError.

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).

    Returns
    -------
    object
        `value` unchanged.
    """
    import numpy as np

    if not np.all(np.isfinite(np.asarray(value, dtype=float))):
        raise ProtocolError(source, key, "a finite value", str(value))
    return value


def signature_defaults(fn) -> tuple[dict[str, object], bool]:
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

    params, _ = signature_defaults(NeuronAstrocyteMemory.__init__)
    return {k: v for k, v in params.items() if k not in ("self", "patterns", "knockouts", "c", "d")}


def dry_build(rung: str, params: dict, n: int, k: int, prefix: str, source: object) -> None:
    """Build the network once (runtime device, nothing run) so that every value the builder or
    its model files refuse — unknown keywords, wrong units — fails at load time, named by its
    protocol key.

    Parameters
    ----------
    rung : str
        A registered rung.
    params : dict
        Its builder's parameters, as checked by `network_params`.
    n, k : int
        The network's size N and number of patterns K (random ±1 patterns are drawn).
    prefix : str
        The parameters' table with a trailing '.' (e.g. 'network.'), named in errors.
    source : object
        The file, named in errors.
    """
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


def abstract_times(table: dict, prefix: str, source: object, defaults: dict) -> RunTimes:
    """The run times of an abstract model (units of τ_n, no units allowed).

    Parameters
    ----------
    table : dict
        The model's table from the file.
    prefix : str
        Its dotted key with a trailing '.', named in errors.
    source : object
        The file, named in errors.
    defaults : dict
        A value for each of ABSTRACT_RUN_KEYS, used where `table` gives none.

    Returns
    -------
    RunTimes
        cue_duration < duration, dt > 0 (≤ duration) and cue_strength ≥ 0, with unit 'tau_n'.
    """
    values = {k: table.get(k, defaults[k]) for k in ABSTRACT_RUN_KEYS}
    for k in ("cue_duration", "duration"):
        v = values[k]
        if isinstance(v, str):  # a unit here is a mistake: abstract times are in units of τ_n
            parsed = parse_quantity(v, f"{source}: [{prefix}{k}]")
            if not isinstance(parsed, float):
                raise ProtocolError(source, prefix + k, "a number in units of τ_n (no units)", v)
    cue = as_number(values["cue_duration"], prefix + "cue_duration", source)
    dur = as_number(values["duration"], prefix + "duration", source)
    if dur <= cue:
        raise ProtocolError(source, prefix + "duration", f"a run longer than cue_duration = {cue:g} τ_n", dur)
    dt = as_number(values["dt"], prefix + "dt", source, strict=True)
    if dt > dur:
        raise ProtocolError(source, prefix + "dt", f"a step ≤ duration = {dur:g}", dt)
    return RunTimes(cue, dur, as_number(values["cue_strength"], prefix + "cue_strength", source), dt, "tau_n")


def abstract_params(table: dict, allowed: dict, prefix: str, source: object) -> dict:
    """The parameters an abstract model's table sets (its run keys left out), each checked.

    Parameters
    ----------
    table : dict
        The model's table from the file.
    allowed : dict
        {name: default} of the parameters the model takes (`abstract_parameters`).
    prefix : str
        The table's dotted key with a trailing '.', named in errors.
    source : object
        The file, named in errors.

    Returns
    -------
    dict
        {name: checked value} (`as_parameter`).
    """
    out = {}
    for key, value in table.items():
        if key in ABSTRACT_RUN_KEYS:
            continue
        if key not in allowed:
            names = sorted(set(allowed) | ABSTRACT_RUN_KEYS)
            raise ProtocolError(source, prefix + key, f"a known key ({', '.join(names)})", key)
        out[key] = as_parameter(value, allowed[key], prefix + key, source)
    return out


def check_distinct_patterns(n: int, k: int, source: object) -> None:
    """Refuse sizes where random patterns repeat: K(K−1)/2 pairs each equal or mirrored with
    probability 2^(1−N); from one expected repeat on, recall of 'the' target measures nothing.

    Parameters
    ----------
    n, k : int
        Pattern size N and number of patterns K.
    source : object
        The file, named in errors (the key is 'K').
    """
    expected_repeats = k * (k - 1) / 2 * 2.0 ** (1 - n)
    if expected_repeats >= 1:
        k_most = int((1 + (1 + 4 * 2.0 ** n) ** 0.5) / 2)
        while k_most * (k_most - 1) / 2 * 2.0 ** (1 - n) >= 1:
            k_most -= 1
        raise ProtocolError(source, "K", f"at most {k_most} patterns at N = {n} (random ±1 patterns of "
                            f"{n} bits repeat or mirror each other beyond that: {expected_repeats:.3g} expected "
                            "repeated pairs per trial)", k)


def check_readout(network: dict, rung: str, cue: float, duration: float, prefix: str, source: object) -> None:
    """A spiking rung reads out over its last readout_window: the run after the cue must be at least that long.

    Parameters
    ----------
    network : dict
        The rung's checked parameters; its readout_window (a Brian2 time) if set, else the default.
    rung : str
        A registered rung; rungs without a readout_window parameter are not checked.
    cue, duration : float
        Cue window and run length in seconds.
    prefix : str
        The times' table with a trailing '.' ('' at the top level), named in errors.
    source : object
        The file, named in errors.
    """
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




# ---- keys both kinds share -----------------------------------------------------------------------
def rung_name(value: object, key: str, source: object, hint: str = "") -> str:
    """A registered rung's name (`astrobrian.network.rungs`).

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).
    hint : str
        Text appended to the expected form (e.g. how to make a rung available).

    Returns
    -------
    str
    """
    from .network import rung_names

    rung = as_text(value, key, source)
    if rung not in rung_names():
        raise ProtocolError(source, key, f"one of {', '.join(rung_names())} ('{rung}' is not available){hint}", rung)
    return rung


def builder_parameters(rung: str) -> tuple[dict[str, object], bool]:
    """What a protocol may give the builder of `rung`: its keyword parameters with defaults, and
    whether it takes further keywords (checked by the builder itself, see `dry_build`). A rung that
    takes the abstract model's parameters lists them too."""
    from .network import get_rung

    record = get_rung(rung)
    params = record.parameter_defaults()
    if record.takes_abstract_parameters:
        for k, v in abstract_parameters().items():
            params.setdefault(k, v)
    return {k: v for k, v in params.items() if k not in RESERVED}, record.open_keywords


def network_params(value: object, rung: str, prefix: str, source: object) -> dict:
    """The table of a rung builder's parameters, each checked against its default's type and units.

    Parameters
    ----------
    value : object
        The table from the file (missing = empty).
    rung : str
        A registered rung whose builder takes the parameters.
    prefix : str
        The table's dotted key with a trailing '.' (e.g. 'network.'), named in errors.
    source : object
        The file, named in errors.

    Returns
    -------
    dict
        {name: checked value}; reserved keys (RESERVED) are refused.
    """
    table = as_table(value, prefix.rstrip("."), source)
    allowed, open_ended = builder_parameters(rung)
    out = {}
    for key, v in table.items():
        if key in RESERVED:
            raise ProtocolError(source, prefix + key, f"no value here: {RESERVED[key]}", v)
        if key not in allowed and not open_ended:
            raise ProtocolError(
                source, prefix + key, f"a parameter of the '{rung}' rung ({', '.join(sorted(allowed))})", key
            )
        out[key] = as_parameter(v, allowed.get(key), prefix + key, source)
    return out


def flip_or_flips(data: dict, source: object, default_flip: float) -> tuple[float | None, int | None]:
    """(flip, flips): a fraction ρ of the cue bits flipped (exactly ⌊ρN⌋), or a number of bits;
    exactly one is not None.

    Parameters
    ----------
    data : dict
        The table holding flip or flips.
    source : object
        The file, named in errors.
    default_flip : float
        The fraction used when neither is given.

    Returns
    -------
    (float or None, int or None)
        (flip in [0, 1], None) or (None, flips ≥ 0).
    """
    if "flip" in data and "flips" in data:
        raise ProtocolError(source, "flips", "either flip (a fraction) or flips (a number of bits), not both",
                            data["flips"])
    if "flips" in data:
        return None, as_int(data["flips"], "flips", source, 0)
    return as_number(data.get("flip", default_flip), "flip", source, maximum=1.0), None


def run_times(data: dict, source: object, prefix: str = "", defaults: RunTimes | None = None) -> RunTimes:
    """cue_duration and duration (times with units, duration > cue_duration; required unless
    `defaults` gives them) and cue_strength (≥ 0, default 1) of a network recall.

    Parameters
    ----------
    data : dict
        The table holding the times.
    source : object
        The file, named in errors.
    prefix : str
        The table's dotted key with a trailing '.' ('' at the top level), named in errors.
    defaults : RunTimes, optional
        The values of keys `data` does not give; None makes both times required.

    Returns
    -------
    RunTimes
        Seconds, with unit 's' and no dt.
    """
    def value(key: str) -> float:
        if key in data:
            return as_time(data[key], prefix + key, source)
        if defaults is None:
            raise ProtocolError(source, prefix + key, "a value (required)", "nothing")
        return getattr(defaults, key)

    cue, dur = value("cue_duration"), value("duration")
    if dur <= cue:
        raise ProtocolError(source, prefix + "duration",
                            f"a run longer than {prefix}cue_duration ({data.get('cue_duration', f'{cue:g} s')})",
                            data.get("duration", dur))
    strength = as_number(data.get("cue_strength", 1.0 if defaults is None else defaults.cue_strength),
                         prefix + "cue_strength", source)
    return RunTimes(cue, dur, strength, None, "s")


def knockout_sweep(table: dict, source: object, networks: list[tuple[str, dict]], abstract_couplings: list[object],
                   prefix: str = "knockouts.") -> tuple[tuple[str, ...], tuple[float, ...]]:
    """(types, fractions) of a knockout sweep: `type` one knockout or a list of them, each supported
    by every network rung of `networks` ((rung, its parameters)) with what it needs (territories, gap
    junctions, CICR: `astrobrian.abstract.knockouts`), and possible in every abstract model (their
    couplings); `fractions` a non-empty list of distinct fractions in [0, 1].

    Parameters
    ----------
    table : dict
        The [knockouts] table (type, fractions).
    source : object
        The file, named in errors.
    networks : list of (str, dict)
        Every network rung the sweep runs, with its checked parameters (their coupling counts).
    abstract_couplings : list
        The coupling of every abstract model the sweep runs.
    prefix : str
        The table's dotted key with a trailing '.', named in errors.

    Returns
    -------
    (tuple of str, tuple of float)
        The knockout types and the fractions, in the file's order.
    """
    from .abstract.knockouts import COUPLING_FEATURES, FEATURES, KNOCKOUT_TYPES, coupling_features, require_features
    from .network import get_rung

    names = list(KNOCKOUT_TYPES)
    types = table.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or not types:
        raise ProtocolError(source, prefix + "type", f"one or a list of: {', '.join(names)}", table.get("type"))
    for t in types:
        if t not in names:
            raise ProtocolError(source, prefix + "type", f"one or a list of: {', '.join(names)}", t)
    if len(set(types)) != len(types):
        raise ProtocolError(source, prefix + "type", "distinct knockout types", types)
    fractions = table.get("fractions")
    if not isinstance(fractions, list) or not fractions:
        raise ProtocolError(source, prefix + "fractions", "a non-empty list of fractions in [0, 1]", fractions)
    fracs = tuple(as_number(f, prefix + "fractions", source, maximum=1.0) for f in fractions)
    if len(set(fracs)) != len(fracs):
        raise ProtocolError(source, prefix + "fractions", "distinct fractions", fractions)
    try:
        for rung, params in networks:
            record = get_rung(rung)
            if not record.knockouts:
                raise ProtocolError(source, prefix.rstrip("."), f"no sweep: the '{rung}' rung has no knockouts", types)
            require_features(types, set(record.features) | coupling_features(params.get("coupling")),
                             f"on the '{rung}' rung" + ("" if "coupling" in params else " with one astrocyte"))
        every_mechanism = set(FEATURES) - set(COUPLING_FEATURES)  # an abstract model predicts them all
        for coupling in abstract_couplings:
            require_features(types, every_mechanism | coupling_features(coupling), "in the abstract model with "
                             "this coupling")
    except ProtocolError:
        raise
    except InputError as err:
        raise ProtocolError(source, prefix + "type", err.expected, err.got) from None
    return tuple(types), fracs


def check_memory(rung: str, params: dict, n: int, k: int, key: str, source: object, what: str,
                 extra_bytes: float = 0.0) -> None:
    """Refuse a network of `rung` at N, K (its coupling from `params`) whose estimate, plus
    `extra_bytes`, cannot fit in the memory available now (before anything is built).

    Parameters
    ----------
    rung : str
        A registered rung.
    params : dict
        Its checked parameters (the coupling's astrocytes and gap junctions count).
    n, k : int
        Network size N and number of patterns K.
    key : str
        The dotted key named in the error.
    source : object
        The file, named in errors.
    what : str
        What was estimated, for the message (e.g. 'the spiking rung at N = 64, K = 32').
    extra_bytes : float
        Bytes needed besides the network's estimate.
    """
    from .network import memory_estimate
    from .resources import require_memory

    coupling = params.get("coupling")
    need = memory_estimate(rung, n, k, getattr(coupling, "n_astrocytes", 1), bool(getattr(coupling, "gap_junction", 0)))
    try:
        require_memory(need + extra_bytes, key, what)
    except InputError as err:
        raise ProtocolError(source, key, err.expected, n) from None


def sizes(value: object, key: str, source: object) -> tuple[int, ...]:
    """A list of distinct network sizes (≥ 2), sorted.

    Parameters
    ----------
    value, key, source
        The value from the file, its dotted key and the file (both named in errors).

    Returns
    -------
    tuple of int
    """
    if not isinstance(value, list) or not value:
        raise ProtocolError(source, key, "a list of network sizes, e.g. [16, 24, 32, 40]", value)
    ns = tuple(as_int(v, key, source, 2) for v in value)
    if len(set(ns)) != len(ns):
        raise ProtocolError(source, key, "distinct sizes", value)
    return tuple(sorted(ns))
