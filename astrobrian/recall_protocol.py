"""The recall protocol kind (`kind = "recall"`, the default): one network recalls from rest, beside
its abstract model, the controls and a knockout sweep (docs/recall.md, docs/protocols.md).

Keys (every key checked; an error names it):

    name, description         text
    rung                      a registered network rung ('rate', 'spiking', …: `astrobrian.network.rungs`)
    device                    a Brian2 device (`astrobrian.devices`: 'runtime', 'cpp_standalone', …)
    seed, trials              integers; trial t draws patterns, target and cue from (seed, t)
    N, K                      neurons (≥ 2) and stored patterns (≥ 1)
    flip | flips              fraction of cue bits flipped (exactly ⌊ρN⌋) | number of bits
    cue_duration, duration    times with units ('100 ms'); the cue is an input current for
                              cue_duration, the run ends at duration (> cue_duration)
    cue_strength, threshold   cue input scale (≥ 0); recall criterion: target overlap ≥ θ
    [network]                 keyword parameters of the rung's builder (units as the builder's
                              defaults; for the rate rung, those of NeuronAstrocyteMemory)
    [abstract]                NeuronAstrocyteMemory from rest, the prediction beside every
                              knockout: its parameters (default: the rest scaling,
                              docs/models.md) and dt, cue_duration, duration, cue_strength in
                              units of τ_n
    [controls.dam]            enabled; QuarticDAMLimit parameters and dt, cue_duration,
                              duration, cue_strength (units of τ_n), same cue from rest
    [controls.hopfield]       enabled; rung (default: the registered 'hopfield' control);
                              [.network] its builder's parameters; cue_duration, duration,
                              cue_strength (default: the protocol's)
    [knockouts]               enabled; type (a knockout type, or a list of them:
                              docs/knockouts.md); fractions (distinct, each in [0, 1])

A parameter called `coupling` is 'full' or a table {astrocytes = A, seed = S, gap_junction = G}
(territories; G ∈ [0, 1] is the IP3 passed between astrocytes through gap junctions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .schema import (
    ABSTRACT_RUN_KEYS,
    ProtocolError,
    RunTimes,
    abstract_parameters,
    abstract_params,
    abstract_times,
    as_bool,
    as_int,
    as_number,
    as_table,
    as_text,
    check_distinct_patterns,
    check_keys,
    check_memory,
    check_readout,
    dry_build,
    flip_or_flips,
    knockout_sweep,
    network_params,
    run_times,
    rung_name,
    signature_defaults,
)

KEYS = {
    "kind", "name", "description", "rung", "device", "seed", "trials", "N", "K", "flip", "flips",
    "cue_duration", "duration", "cue_strength", "threshold", "network", "abstract", "controls", "knockouts",
}
ABSTRACT_RUN_DEFAULTS = {"dt": 0.01, "cue_duration": 2.0, "duration": 15.0, "cue_strength": 1.0}
HOPFIELD_KEYS = {"enabled", "rung", "network", "cue_duration", "duration", "cue_strength"}
KNOCKOUT_KEYS = {"enabled", "type", "fractions"}
#: every file a result set may hold (figures depend on the rung and the knockouts)
OUTPUTS = ("results.npz", "results.json", "manifest.json", "overlaps.png", "raster.png", "activity.png",
           "knockouts.png")


@dataclass(frozen=True)
class HopfieldControl:
    """The pairwise control: its rung, builder parameters and run times."""

    rung: str
    network: dict
    times: RunTimes


@dataclass(frozen=True)
class DAMControl:
    """The quartic-DAM control: its parameters and run times (units of τ_n)."""

    params: dict
    times: RunTimes


@dataclass(frozen=True)
class KnockoutSweep:
    """The knockout types swept and their fractions."""

    types: tuple[str, ...]
    fractions: tuple[float, ...]


@dataclass(frozen=True)
class RecallProtocol:
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
        from .protocols import plain

        return plain({
            "name": self.name, "source": self.source, "rung": self.rung, "device": self.device,
            "seed": self.seed, "trials": self.trials, "N": self.n, "K": self.k, "flips": self.flips,
            "flip": self.flip, "times": self.times, "threshold": self.threshold, "network": self.network,
            "abstract": self.abstract, "abstract_times": self.abstract_times, "dam": self.dam,
            "hopfield": self.hopfield, "knockouts": self.knockouts, "file": self.data,
        })


def validate(data: dict, source: object = "protocol") -> RecallProtocol:
    """Check every key of a recall protocol (file data after --set) and return the `RecallProtocol`.

    Parameters
    ----------
    data : dict
        The protocol file's data (after --set).
    source : object
        The file's name, for errors.

    Returns
    -------
    RecallProtocol
        Every value checked, defaults filled in; its networks built once (nothing run).
    """
    from .devices import check_device
    from .network import control_rung
    from .patterns import n_flips

    check_keys(data, KEYS, "", source)
    for key in ("rung", "N", "K", "cue_duration", "duration"):
        if key not in data:
            raise ProtocolError(source, key, "a value (required)", "nothing")
    name = as_text(data.get("name", Path(str(source)).stem), "name", source)
    description = as_text(data.get("description", ""), "description", source)
    rung = rung_name(data["rung"], "rung", source)
    device = as_text(data.get("device", "runtime"), "device", source)
    try:
        check_device(device)
    except InputError as err:
        raise ProtocolError(source, "device", err.expected, device) from None
    seed = as_int(data.get("seed", 0), "seed", source, 0)
    trials = as_int(data.get("trials", 1), "trials", source, 1)
    n = as_int(data["N"], "N", source, 2)
    k = as_int(data["K"], "K", source, 1)
    flip, flips = flip_or_flips(data, source, 0.15)
    if flips is None:
        flips = n_flips(n, flip)
    elif flips > n:
        raise ProtocolError(source, "flips", f"a number of flipped bits between 0 and N = {n}", flips)
    times = run_times(data, source)
    threshold = as_number(data.get("threshold", 0.9), "threshold", source, strict=True, maximum=1.0)

    check_distinct_patterns(n, k, source)
    network = network_params(data.get("network"), rung, "network.", source)
    check_readout(network, rung, times.cue_duration, times.duration, "", source)

    abstract_table = as_table(data.get("abstract"), "abstract", source)
    abstract = abstract_params(abstract_table, abstract_parameters(), "abstract.", source)
    if "coupling" in network and "coupling" not in abstract:
        abstract["coupling"] = network["coupling"]  # the prediction uses the network's territories
    abstract_run = abstract_times(abstract_table, "abstract.", source, ABSTRACT_RUN_DEFAULTS)

    controls = as_table(data.get("controls"), "controls", source)
    check_keys(controls, {"dam", "hopfield"}, "controls.", source)
    dam = _dam_control(as_table(controls.get("dam"), "controls.dam", source), abstract_run, source)

    hop_table = as_table(controls.get("hopfield"), "controls.hopfield", source)
    check_keys(hop_table, HOPFIELD_KEYS, "controls.hopfield.", source)
    hopfield = None
    if as_bool(hop_table.get("enabled", True), "controls.hopfield.enabled", source):
        hint = " yet; set controls.hopfield.enabled = false to run without this control"
        default = control_rung("hopfield")
        if "rung" not in hop_table and default is None:
            raise ProtocolError(source, "controls.hopfield.rung", f"a registered Hopfield control rung (none is "
                                f"registered){hint}", "nothing")
        hop_rung = rung_name(hop_table.get("rung", default.name if default else None), "controls.hopfield.rung",
                             source, hint)
        hop_net = network_params(hop_table.get("network"), hop_rung, "controls.hopfield.network.", source)
        hop_times = run_times(hop_table, source, "controls.hopfield.", defaults=times)
        check_readout(hop_net, hop_rung, hop_times.cue_duration, hop_times.duration, "controls.hopfield.", source)
        hopfield = HopfieldControl(hop_rung, hop_net, hop_times)

    ko_table = as_table(data.get("knockouts"), "knockouts", source)
    check_keys(ko_table, KNOCKOUT_KEYS, "knockouts.", source)
    knockouts = None
    if ko_table and as_bool(ko_table.get("enabled", True), "knockouts.enabled", source):
        types, fracs = knockout_sweep(ko_table, source, [(rung, network)], [abstract.get("coupling")])
        knockouts = KnockoutSweep(types, fracs)

    protocol = RecallProtocol(name, description, str(source), rung, device, seed, trials, n, k, flips, times,
                              threshold, network, abstract, abstract_run, dam, hopfield, knockouts, data)
    extra = 8.0 * 4 * n ** 2 * k  # the abstract model's mode contractions
    what = f"the {rung} rung at N = {n}, K = {k}"
    check_memory(rung, network, n, k, "N", source, what, extra)
    if hopfield is not None:
        check_memory(hopfield.rung, hopfield.network, n, k, "N", source, what, extra)
    _check_abstract_models(protocol, source)
    dry_build(rung, network_parameters(protocol), n, k, "network.", source)
    if hopfield is not None:
        dry_build(hopfield.rung, hopfield.network, n, k, "controls.hopfield.network.", source)
    return protocol


def _dam_control(table: dict, abstract_run: RunTimes, source: object) -> DAMControl | None:
    """The quartic-DAM control (None when disabled): its parameters and run (as [abstract]'s by default)."""
    from .abstract.neuron_astrocyte import QuarticDAMLimit

    if not as_bool(table.get("enabled", True), "controls.dam.enabled", source):
        return None
    allowed, _ = signature_defaults(QuarticDAMLimit.__init__)
    allowed = {k: v for k, v in allowed.items() if k not in ("self", "patterns", "knockouts")}
    params = abstract_params({k: v for k, v in table.items() if k != "enabled"}, allowed, "controls.dam.", source)
    run_defaults = {k: getattr(abstract_run, k) for k in ABSTRACT_RUN_KEYS}  # same run as [abstract]
    return DAMControl(params, abstract_times(table, "controls.dam.", source, run_defaults))


def _check_abstract_models(protocol: RecallProtocol, source: object) -> None:
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


def network_parameters(protocol: RecallProtocol) -> dict:
    """The builder's parameters. A rung that takes the abstract model's parameters (the rate rung)
    starts from the rest scaling for this N (a = 1/N, s = 1/N², …: docs/models.md), then the
    protocol's [network]; other rungs take [network] as is."""
    from .abstract.neuron_astrocyte import NeuronAstrocyteMemory
    from .network import get_rung

    if get_rung(protocol.rung).takes_abstract_parameters:
        return {**NeuronAstrocyteMemory.rest_scaling_parameters(protocol.n), **protocol.network}
    return dict(protocol.network)


def card(protocol: RecallProtocol) -> str:
    """The card of a validated recall protocol."""
    from .abstract.neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit
    from .cards import Card, seconds_text
    from .network import get_rung
    from .schema import abstract_parameters, signature_defaults

    data = protocol.data
    rows = Card()
    d = lambda key: "" if key in data else "(default)"  # noqa: E731
    rows.row("kind", "recall", d("kind"))
    rows.row("rung", protocol.rung)
    rows.row("device", protocol.device, d("device"))
    rows.row("seed", protocol.seed, d("seed"))
    rows.row("trials", protocol.trials, d("trials"))
    rows.row("N", protocol.n)
    rows.row("K", protocol.k)
    if "flips" in data:
        rows.row("flips", protocol.flips, f"bits flipped (a fraction {protocol.flip:g} of N)")
    else:
        rho = float(data.get("flip", 0.15))
        rows.row("flip", rho, f"{d('flip')} → ⌊{rho:g}·{protocol.n}⌋ = {protocol.flips} bits flipped "
                             f"(a fraction {protocol.flip:g} of N)".strip())
    rows.row("cue_duration", seconds_text(protocol.times.cue_duration))
    rows.row("duration", seconds_text(protocol.times.duration))
    rows.row("cue_strength", protocol.times.cue_strength, d("cue_strength"))
    rows.row("threshold", protocol.threshold, d("threshold"))

    net_file = data.get("network") or {}
    if get_rung(protocol.rung).takes_abstract_parameters:
        rows.table("network", f"the '{protocol.rung}' rung: the rest scaling for N = {protocol.n}, "
                              "then the file's keys")
        rows.values(network_parameters(protocol), net_file, "(rest scaling)")
    else:
        rows.table("network", f"the '{protocol.rung}' rung's builder; keys not set take its defaults "
                              "(every value used is recorded in manifest.json)")
        rows.values(protocol.network, net_file)
        if not protocol.network:
            rows.lines.append("  (none set)")

    abs_file = data.get("abstract") or {}
    rows.table("abstract", "NeuronAstrocyteMemory from rest, the prediction beside the network; times in units of τ_n")
    for key in ("dt", "cue_duration", "duration", "cue_strength"):
        rows.row(key, getattr(protocol.abstract_times, key), "" if key in abs_file else "(default)")
    rest = NeuronAstrocyteMemory.rest_scaling_parameters(protocol.n)
    resolved = {**abstract_parameters(), **rest, **protocol.abstract}
    for key, value in resolved.items():
        note = "" if key in abs_file else "(rest scaling)" if key in rest else \
            "(the network's)" if key in protocol.abstract else "(default)"
        rows.row(key, value, note)

    controls = data.get("controls") or {}
    dam_file = controls.get("dam") or {}
    rows.table("controls.dam", ("enabled" if protocol.dam else "disabled")
               + ("" if "enabled" in dam_file else " (default)")
               + ("; QuarticDAMLimit from rest, same cue; times in units of τ_n" if protocol.dam else ""))
    if protocol.dam is not None:
        for key in ("dt", "cue_duration", "duration", "cue_strength"):
            rows.row(key, getattr(protocol.dam.times, key), "" if key in dam_file else "(as [abstract])")
        dam_defaults, _ = signature_defaults(QuarticDAMLimit.__init__)
        dam_defaults = {k: v for k, v in dam_defaults.items() if k not in ("self", "patterns", "knockouts")}
        dam_values = {**dam_defaults, **protocol.dam.params}
        if dam_values.get("coupling_scale") is None:
            dam_values["coupling_scale"] = f"{1 / protocol.n ** 3:g} (1/N³)"
        rows.values(dam_values, dam_file)

    hop_file = controls.get("hopfield") or {}
    rows.table("controls.hopfield", ("enabled" if protocol.hopfield else "disabled")
               + ("" if "enabled" in hop_file else " (default)"))
    if protocol.hopfield is not None:
        h = protocol.hopfield
        rows.row("rung", h.rung, "" if "rung" in hop_file else "(default)")
        rows.row("cue_duration", seconds_text(h.times.cue_duration),
                 "" if "cue_duration" in hop_file else "(the protocol's)")
        rows.row("duration", seconds_text(h.times.duration), "" if "duration" in hop_file else "(the protocol's)")
        rows.row("cue_strength", h.times.cue_strength, "" if "cue_strength" in hop_file else "(the protocol's)")
        rows.row("network", h.network or "(builder defaults)")

    if protocol.knockouts is None:
        rows.table("knockouts", "none")
    else:
        rows.table("knockouts", "enabled")
        rows.row("type", list(protocol.knockouts.types))
        rows.row("fractions", list(protocol.knockouts.fractions))
    return "\n".join(rows.lines)


def rungs_of(data: dict) -> str:
    """The rungs a recall protocol file runs, as text (for listings; the file is not validated)."""
    from .network import control_rung

    rungs = [str(data.get("rung", "?"))]
    hop = (data.get("controls") or {}).get("hopfield") or {}
    if isinstance(hop, dict) and hop.get("enabled", True):
        default = control_rung("hopfield")
        rungs.append(str(hop.get("rung", default.name if default else "?")))
    return ", ".join(rungs)


def prepare(data: dict, options: Any, source: object) -> dict:
    """The file's data with the command line's options applied: --device sets `device`; sweep
    options are refused.

    Parameters
    ----------
    data : dict
        The protocol file's data.
    options : RunOptions
        device, workers and fresh from the command line.
    source : object
        The file, named in errors.

    Returns
    -------
    dict
    """
    from .protocols import apply_settings

    if options.workers is not None or options.fresh or options.scheduler is not None:
        raise InputError("--workers/--fresh/--scheduler", "only with capacity sweeps (kind = capacity_scaling or "
                         "knockout_capacity)", source)
    if options.device is not None:
        data = apply_settings(data, {"device": options.device}, source)
    return data


def run(protocol: RecallProtocol, out: Path, options: Any, progress: Any = None) -> Any:
    """Run every trial (`astrobrian.runner.run_protocol`); nothing is written here.

    Parameters
    ----------
    protocol : RecallProtocol
        The validated protocol.
    out : Path
        The output folder (unused: `write` writes the results).
    options : RunOptions
        Unused (`prepare` applied them).
    progress : callable, optional
        ``progress(done, total, label)`` after every step.

    Returns
    -------
    ProtocolRun
    """
    from .runner import run_protocol

    return run_protocol(protocol, progress=progress)


def write(result: Any, out: Path) -> dict[str, Path]:
    """Write the result set (`astrobrian.results.write_results`)."""
    from .results import write_results

    return write_results(result, out)


def format_summary(summary: dict, out: Path | None = None) -> str:
    """The table printed after a run (`astrobrian.results.format_summary`)."""
    from .results import format_summary as table

    return table(summary, out)


def register() -> None:
    """Register the recall kind with `astrobrian.protocols`."""
    from .protocols import ProtocolKind, register_kind

    register_kind(ProtocolKind(
        "recall", "one network recalls from rest beside its abstract model, the controls and a knockout sweep",
        frozenset(KEYS), validate, prepare, run, write, format_summary, OUTPUTS, card, rungs_of))

