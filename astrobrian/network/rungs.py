"""The registry of network rungs, in the spirit of Brian2's `all_devices`: one `Rung` record per
rung, registered by the module that builds it (docs/extending.md).

Everything that differs between rungs reads its record: the builder and the parameters a
protocol may give it, how its recall takes times, the knockouts it supports, whether a capacity
sweep can run it, the abstract model it implements, which control it is, how its compute units
are counted and what it costs in memory.
"""

from __future__ import annotations

import inspect
from dataclasses import MISSING, dataclass, fields
from typing import Any, Callable

from ..abstract.knockouts import COUPLING_FEATURES, KNOCKOUT_TYPES
from ..errors import InputError

#: how a rung's recall takes times: Brian2 quantities ('s') or plain numbers in units of τ_n
#: ('tau_n', with 1 τ_n = 1 Brian2 second)
TIME_UNITS = ("s", "tau_n")
#: how a network's compute units are counted: N + 2N² (neurons, synapses, processes) or N + N(N − 1)
UNIT_COUNTS = ("astrocyte", "pairwise")


@dataclass(frozen=True)
class Rung:
    """One network rung: how to build it and what it supports.

    Parameters
    ----------
    name : str
        The rung's name in protocols (``rung = "spiking"``).
    builder : callable
        ``builder(patterns, **parameters) -> MemoryNetwork``.
    description : str
        One line for listings.
    options : type, optional
        The dataclass of the builder's keyword options (their defaults are what a protocol may set);
        None: the builder's own signature says.
    open_keywords : bool
        The builder takes further keywords (model-file parameters) and checks them itself.
    time_unit : {'s', 'tau_n'}
        How its recall takes times.
    features : frozenset of str
        What it offers knockouts (`astrobrian.abstract.knockouts.FEATURES`); territories and gap
        junctions come from the coupling a protocol gives.
    abstract_model : str or None
        The abstract registry model it implements (`astrobrian.abstract.registry`).
    takes_abstract_parameters : bool
        Its builder takes that model's parameters, with the rest scaling for N as defaults.
    control : str or None
        The control it is ('hopfield': the pairwise control of recall protocols), or None.
    not_in_sweeps : str
        Empty when a capacity sweep can run it; otherwise why not and what to use instead.
    units : {'astrocyte', 'pairwise'}
        How its compute units are counted.
    memory_bytes : tuple of float
        Bytes per memory-mode connection, per synapse and per neuron of a built network
        (measured on the runtime device, with headroom).
    """

    name: str
    builder: Callable[..., Any]
    description: str
    options: type | None = None
    open_keywords: bool = False
    time_unit: str = "s"
    features: frozenset[str] = frozenset({"astrocyte"})
    abstract_model: str | None = "neuron-astrocyte-rest"
    takes_abstract_parameters: bool = False
    control: str | None = None
    not_in_sweeps: str = ""
    units: str = "astrocyte"
    memory_bytes: tuple[float, float, float] = (250.0, 6_000.0, 1_000.0)

    def __post_init__(self) -> None:
        if self.time_unit not in TIME_UNITS:
            raise InputError(f"rung {self.name}: time_unit", f"one of {', '.join(TIME_UNITS)}", self.time_unit)
        if self.units not in UNIT_COUNTS:
            raise InputError(f"rung {self.name}: units", f"one of {', '.join(UNIT_COUNTS)}", self.units)

    @property
    def knockouts(self) -> tuple[str, ...]:
        """The knockout types this rung supports (with the coupling they may also need)."""
        offered = set(self.features) | set(COUPLING_FEATURES)
        return tuple(name for name, entry in KNOCKOUT_TYPES.items() if entry.missing(offered) is None)

    def parameter_defaults(self) -> dict[str, object]:
        """The builder's keyword parameters with their defaults (None where there is none)."""
        if self.options is not None:
            return {f.name: None if f.default is MISSING else f.default for f in fields(self.options)}
        out = {}
        for i, (name, p) in enumerate(inspect.signature(self.builder).parameters.items()):
            if i == 0 or p.kind in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL):
                continue  # the patterns, and **keywords
            out[name] = None if p.default is inspect.Parameter.empty else p.default
        return out

    def accepts(self, name: str) -> bool:
        """Whether the builder takes the keyword `name` by its own signature or options."""
        return name in self.parameter_defaults()


#: every registered rung, by name
RUNGS: dict[str, Rung] = {}


def register_rung(rung: Rung, replace: bool = False) -> Rung:
    """Add `rung` to the registry (a name already there only with `replace`)."""
    if rung.name in RUNGS and not replace:
        raise InputError("rung", f"a name not registered yet ({', '.join(RUNGS)})", rung.name)
    RUNGS[rung.name] = rung
    return rung


def unregister_rung(name: str) -> None:
    """Remove a rung from the registry (for tests and plug-ins)."""
    RUNGS.pop(name, None)


def rung_names() -> tuple[str, ...]:
    """The registered rungs, in registration order."""
    return tuple(RUNGS)


def get_rung(name: object, field: str = "rung") -> Rung:
    """The record of rung `name`; an unknown name is an InputError naming `field`."""
    if not isinstance(name, str) or name not in RUNGS:
        raise InputError(field, f"one of {', '.join(RUNGS)}", name)
    return RUNGS[name]


def control_rung(control: str) -> Rung | None:
    """The first registered rung that is the control `control` (e.g. 'hopfield'), or None."""
    return next((r for r in RUNGS.values() if r.control == control), None)


__all__ = ["Rung", "RUNGS", "register_rung", "unregister_rung", "rung_names", "get_rung", "control_rung",
           "TIME_UNITS", "UNIT_COUNTS"]
