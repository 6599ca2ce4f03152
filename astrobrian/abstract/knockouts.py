"""Astrocyte knockouts: the `Knockouts` fractions and the table of knockout types (docs/knockouts.md).

A knockout type is one `KnockoutType` in `KNOCKOUT_TYPES` (added with `register_knockout`):
what it removes, the features a network needs for it (`FEATURES`: astrocyte processes, a CICR
loop, territories, gap junctions), its effect on the model — a function adding to a
`KnockoutEffects` (coupling, feedback, gap junctions, removed or silenced processes), which the
abstract model and the Brian2 rungs both apply — and, where a Brian2 rung has a mechanism of its
own, a hook run on the built tripartite synapses (the IP3R2 knockout sets Ω_C = 0). Every
knockout has a partial version: a fraction f in [0, 1] (0 = intact).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..errors import InputError, require_fraction
from .process_coupling import pair_ids

#: what a network can offer a knockout, and how a user gets it (the requirement's explanation)
FEATURES = {
    "astrocyte": "astrocyte processes (a tripartite rung, not the pairwise Hopfield control)",
    "cicr": "processes with a CICR Ca²⁺ loop (the biophysical rung)",
    "territories": "astrocyte territories (coupling = {astrocytes = A})",
    "gap_junctions": "astrocytes coupled by gap junctions (coupling = {astrocytes = A, gap_junction = G > 0})",
}
#: features that come from a network's coupling rather than from its rung
COUPLING_FEATURES = ("territories", "gap_junctions")


@dataclass
class KnockoutEffects:
    """What a set of knockouts does to a neuron–astrocyte model of N neurons: factors on the
    process coupling T and on the gliotransmitter feedback ψ → s, the fraction of the IP3 flux
    between astrocytes blocked, and (N, N) 0/1 masks of the processes that survive (`alive`) and
    of those whose Ca²⁺ still carries a signal (`signalling`; None: all)."""

    n: int
    territories: np.ndarray | None = None
    coupling: float = 1.0
    feedback: float = 1.0
    gap_junction_block: float = 0.0
    alive: np.ndarray | None = None
    signalling: np.ndarray | None = None

    def process_mask(self) -> np.ndarray | None:
        """The abstract model's process mask: removed and silenced processes both give ψ = 0."""
        if self.signalling is None:
            return self.alive
        return self.signalling if self.alive is None else self.alive * self.signalling


@dataclass(frozen=True)
class KnockoutType:
    """One knockout: what it removes, what it needs, its effect on the models and, where a Brian2
    rung has a mechanism of its own, the hook applying it there.

    `effect(effects, fraction, knockouts)` adds the knockout to a `KnockoutEffects` (the abstract
    model applies all of it; the Brian2 rungs apply coupling, feedback, gap_junction_block and
    alive, and leave `signalling` — the abstract prediction of a Brian2 mechanism — to `brian2_hook`).
    `brian2_hook(synapses, pairs, fraction, knockouts)` runs on the connected tripartite Synapses
    (`pairs` = (post, pre) of each synapse) of a rung that has every required feature.
    """

    name: str
    description: str
    requires: tuple[str, ...]
    abstract_effect: str
    effect: Callable[[KnockoutEffects, float, "Knockouts"], None]
    brian2_hook: Callable[[Any, tuple[np.ndarray, np.ndarray], float, "Knockouts"], None] | None = None

    def missing(self, features: set[str] | frozenset[str]) -> str | None:
        """The first required feature not in `features`, or None."""
        return next((f for f in self.requires if f not in features), None)


#: every knockout type, in the order reports list them
KNOCKOUT_TYPES: dict[str, KnockoutType] = {}


def register_knockout(entry: KnockoutType) -> KnockoutType:
    """Add a knockout type to the table (a name already there is refused)."""
    if entry.name in KNOCKOUT_TYPES or entry.name == "seed" or not entry.name.isidentifier():
        raise InputError("knockout name", "a new identifier (not 'seed', not a knockout already in the table: "
                         f"{', '.join(KNOCKOUT_TYPES)})", entry.name)
    unknown = [f for f in entry.requires if f not in FEATURES]
    if unknown:
        raise InputError(f"{entry.name}.requires", f"features among {', '.join(FEATURES)}", unknown[0])
    KNOCKOUT_TYPES[entry.name] = entry
    return entry


def unregister_knockout(name: str) -> None:
    """Remove a knockout type from the table (for tests and plug-ins that add their own)."""
    KNOCKOUT_TYPES.pop(name, None)


def coupling_features(coupling: object) -> set[str]:
    """The features a process coupling gives: territories (A astrocytes), gap junctions (G > 0)."""
    out = set()
    if getattr(coupling, "n_astrocytes", None) is not None:
        out.add("territories")
        if getattr(coupling, "gap_junction", 0):
            out.add("gap_junctions")
    return out


def require_features(knockouts: "Knockouts | list[str] | tuple[str, ...]", features: set[str] | frozenset[str],
                     where: str, prefix: str = "knockouts.") -> None:
    """Refuse the first knockout (of a `Knockouts`' active ones, or of a list of names) that needs a
    feature not in `features`: an InputError naming `prefix` + its name and what it needs (`where`
    names the network, e.g. "on the 'spiking' rung").

    Parameters
    ----------
    knockouts : Knockouts or list of str or tuple of str
        The knockouts to check: a `Knockouts`' active ones, or knockout type names.
    features : set of str
        The features the network has (keys of FEATURES: 'astrocyte', 'cicr', 'territories',
        'gap_junctions').
    where : str
        Names the network in the message, e.g. "on the 'spiking' rung".
    prefix : str
        Put before the knockout's name in the error's field.
    """
    names = knockouts.active() if isinstance(knockouts, Knockouts) else knockouts
    for name in names:
        missing = KNOCKOUT_TYPES[name].missing(features)
        if missing is not None:
            raise InputError(prefix + name, f"{name} only with {FEATURES[missing]}, not {where}", name)


class Knockouts:
    """Knockout fractions by type (0 = intact) and the seed choosing which processes or astrocytes go.

    Parameters
    ----------
    seed : int
        Seed of the random choice of removed processes and astrocytes.
    **fractions : float
        One fraction in [0, 1] per knockout type of `KNOCKOUT_TYPES` (e.g. ``coupling_cut=0.5``).
    """

    __slots__ = ("_fractions", "seed")

    def __init__(self, *, seed: int = 0, **fractions: float):
        for name, value in fractions.items():
            if name not in KNOCKOUT_TYPES:
                raise InputError(f"knockouts.{name}", f"a knockout type ({', '.join(KNOCKOUT_TYPES)})", name)
            require_fraction(f"knockouts.{name}", value)
        object.__setattr__(self, "_fractions", dict(fractions))
        object.__setattr__(self, "seed", seed)

    def __getattr__(self, name: str) -> float:
        if not name.startswith("_") and name in KNOCKOUT_TYPES:
            return self._fractions.get(name, 0.0)
        raise AttributeError(f"'Knockouts' has no attribute '{name}' (knockout types: {', '.join(KNOCKOUT_TYPES)})")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Knockouts is immutable: make a new one")

    def __reduce__(self):
        return (knockouts_from, (self.seed, dict(self._fractions)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Knockouts) and self.describe() == other.describe()

    def __hash__(self) -> int:
        return hash(tuple(self.describe().items()))

    def __repr__(self) -> str:
        set_ = ", ".join(f"{k}={v!r}" for k, v in self._fractions.items() if v)
        return f"Knockouts({set_ + ', ' if set_ else ''}seed={self.seed!r})"

    def fraction(self, name: str) -> float:
        """The fraction of knockout `name` (0 when not set)."""
        return self._fractions.get(name, 0.0)

    def active(self) -> tuple[str, ...]:
        """The knockout types with a fraction > 0, in table order."""
        return tuple(name for name in KNOCKOUT_TYPES if self._fractions.get(name, 0.0))

    def without(self, *names: str) -> "Knockouts":
        """The same knockouts and seed without the types `names`."""
        return Knockouts(seed=self.seed, **{k: v for k, v in self._fractions.items() if k not in names})

    def acting_on(self, effect: str) -> tuple[str, ...]:
        """The active knockout types whose effect changes the `KnockoutEffects` field `effect`
        (e.g. 'feedback'), each judged on its own."""
        intact = getattr(KnockoutEffects(1), effect)
        out = []
        for name in self.active():
            alone = Knockouts(seed=self.seed, **{name: self._fractions[name]}).effects(1, None)
            if not np.array_equal(np.asarray(getattr(alone, effect)), np.asarray(intact)):
                out.append(name)
        return tuple(out)

    def effects(self, n: int, territories: np.ndarray | None) -> KnockoutEffects:
        """Every active knockout's effect on a model of N neurons with these territories."""
        out = KnockoutEffects(n, territories)
        for name in self.active():
            KNOCKOUT_TYPES[name].effect(out, self._fractions[name], self)
        return out

    def apply_brian2_hooks(self, synapses: Any, pairs: tuple[np.ndarray, np.ndarray]) -> None:
        """Run the Brian2 hook of every active knockout on the connected tripartite `synapses`."""
        for name in self.active():
            hook = KNOCKOUT_TYPES[name].brian2_hook
            if hook is not None:
                hook(synapses, pairs, self._fractions[name], self)

    def ip3r2_mask(self, n: int) -> np.ndarray | None:
        """Symmetric (N, N) 0/1 mask: 0 for the processes without CICR (IP3R2 knockout), or None."""
        f = self.fraction("ip3r2_knockout")
        if f == 0:
            return None
        rng = np.random.default_rng([self.seed, 2])  # its own stream: independent of the ablation
        n_pairs = n * (n + 1) // 2
        ko = np.zeros(n_pairs, dtype=bool)
        ko[rng.permutation(n_pairs)[: int(round(f * n_pairs))]] = True
        return (~ko[pair_ids(n)]).astype(np.float64)

    def process_mask(self, n: int, territories: np.ndarray | None) -> np.ndarray | None:
        """Symmetric (N, N) 0/1 mask of surviving processes (process and astrocyte ablation, one
        random stream), or None when none is removed."""
        f_process, f_astro = self.fraction("process_ablation"), self.fraction("astrocyte_ablation")
        if f_process == 0 and f_astro == 0:
            return None
        rng = np.random.default_rng(self.seed)
        ids = pair_ids(n)
        n_pairs = n * (n + 1) // 2
        alive = np.ones(n_pairs, dtype=bool)
        n_cut = int(round(f_process * n_pairs))
        alive[rng.permutation(n_pairs)[:n_cut]] = False
        keep = alive[ids]
        if f_astro > 0:
            labels = np.zeros((n, n), dtype=int) if territories is None else territories
            astros = np.unique(labels)
            n_dead = int(round(f_astro * astros.size))
            dead = rng.permutation(astros)[:n_dead]
            keep &= ~np.isin(labels, dead)
        return keep.astype(np.float64)

    def describe(self) -> dict:
        """Every knockout type's fraction (0 when not set) and the seed."""
        return {**{name: self._fractions.get(name, 0.0) for name in KNOCKOUT_TYPES}, "seed": self.seed}


def knockouts_from(seed: int, fractions: dict[str, float]) -> Knockouts:
    """A `Knockouts` from its seed and fractions (how a pickled one is rebuilt)."""
    return Knockouts(seed=seed, **fractions)


# ---- the knockouts astrobrian ships --------------------------------------------------------------
def _scale_coupling(effects: KnockoutEffects, f: float, knockouts: Knockouts) -> None:
    effects.coupling *= 1.0 - f


def _scale_feedback(effects: KnockoutEffects, f: float, knockouts: Knockouts) -> None:
    effects.feedback *= 1.0 - f


def _remove_processes(effects: KnockoutEffects, f: float, knockouts: Knockouts) -> None:
    effects.alive = knockouts.process_mask(effects.n, effects.territories)  # both ablations: one mask


def _silence_cicr(effects: KnockoutEffects, f: float, knockouts: Knockouts) -> None:
    effects.signalling = knockouts.ip3r2_mask(effects.n)


def _block_gap_junctions(effects: KnockoutEffects, f: float, knockouts: Knockouts) -> None:
    effects.gap_junction_block = f


def _no_cicr_in_synapses(synapses: Any, pairs: tuple[np.ndarray, np.ndarray], f: float, knockouts: Knockouts) -> None:
    post, pre = pairs  # the wired pairs (N(N − 1) without autapses): N is the neuron group's size
    synapses.cicr = knockouts.ip3r2_mask(len(synapses.source))[post, pre]


for _entry in (
    KnockoutType("coupling_cut", "the coupling between processes through the astrocyte (T → (1 − f) T)",
                 ("astrocyte",), "T × (1 − f); f = 1 is T = 0, the memories stored in the astrocyte lost",
                 _scale_coupling),
    KnockoutType("gliotransmission_block", "gliotransmitter release onto the synapse (dnSNARE)", ("astrocyte",),
                 "the feedback ψ → s × (1 − f)", _scale_feedback),
    KnockoutType("process_ablation", "a random fraction f of the processes", ("astrocyte",),
                 "ψ = 0 and no coupling for the removed processes", _remove_processes),
    KnockoutType("astrocyte_ablation", "every process of a random fraction f of the astrocytes",
                 ("astrocyte", "territories"), "ψ = 0 and no coupling for the processes of the removed astrocytes",
                 _remove_processes),
    KnockoutType("ip3r2_knockout", "CICR (IP3 receptor type 2) in a random fraction f of the processes",
                 ("astrocyte", "cicr"), "predicted: their Ca²⁺ carries no signal, ψ = 0 (in the biophysical rung "
                 "Ω_C = 0: no Ca²⁺ release from the ER)", _silence_cicr, _no_cicr_in_synapses),
    KnockoutType("gap_junction_block", "the IP3 flux between astrocytes through gap junctions",
                 ("astrocyte", "territories", "gap_junctions"), "the gap-junction share of T × (1 − f)",
                 _block_gap_junctions),
):
    register_knockout(_entry)
del _entry

