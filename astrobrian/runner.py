"""Run a recall protocol (docs/recall.md): every trial of the protocol's network and its comparisons.

Every trial draws fresh patterns, a target and a cue from (seed, trial), so the same seed gives
the same results. The protocol's network is built on its device, started from rest and cued by
an input current (never by setting synapse or process states); its read-out is compared with
the controls given the same cue — the quartic DAM (`QuarticDAMLimit`, from rest) and a spiking
pairwise-Hopfield network — and with the abstract model (`NeuronAstrocyteMemory` from rest). A
knockout sweep repeats the recall with each knockout fraction, next to the abstract model's
prediction for the same `Knockouts`. What a run measured is an `astrobrian.results.ProtocolRun`,
written by `astrobrian.results.write_results` only after every simulation finished.
"""

from __future__ import annotations

import gc
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Callable

import numpy as np

from .abstract.knockouts import Knockouts
from .abstract.neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit
from .compiled import CompiledRecalls
from .devices import is_standalone_device, use_device
from .errors import InputError
from .patterns import cue_batch, overlaps, random_patterns, sign
from .recall import recall_report
from .recall_protocol import RecallProtocol, network_parameters
from .results import ModelRecall, ProtocolRun, TrialResult
from .schema import ProtocolError, RunTimes

#: recorded points of an abstract run (its trajectory is thinned to about this many)
ABSTRACT_POINTS = 500

Progress = Callable[[int, int, str], None]


# ---- one recall per model ----------------------------------------------------------------------
def _builder_kwargs(rung: str, params: dict, seed: int) -> dict:
    """The builder's arguments: the protocol's parameters, plus init='rest' and the trial's
    seed where the builder takes them."""
    from .network import get_rung

    record = get_rung(rung)
    kwargs = dict(params)
    if record.accepts("init"):
        kwargs["init"] = "rest"
    if record.accepts("seed"):
        kwargs["seed"] = seed
    return kwargs


def network_recall(
    rung: str,
    params: dict,
    patterns: np.ndarray,
    cue: np.ndarray,
    target: int,
    times: RunTimes,
    threshold: float,
    device: str,
    brian_seed: int,
    directory: Path | None = None,
    prefix: str = "network.",
    source: str = "protocol",
    model: str = "network",
    compiled: CompiledRecalls | None = None,
) -> tuple[ModelRecall, dict]:
    """Build `rung` on `device` (seeded), present the cue, read out.

    Parameters
    ----------
    rung : str
        A registered rung.
    params : dict
        Its builder's parameters (the protocol's; init and seed are set here).
    patterns, cue, target
        The trial's patterns (N, K), cue (N,) and target pattern index.
    times : RunTimes
        Cue window, run length and cue strength (seconds; plain τ_n numbers for a 'tau_n' rung).
    threshold : float
        Recall criterion: target overlap ≥ threshold.
    device : str
        A Brian2 device (`astrobrian.devices`).
    brian_seed : int
        Seed of Brian2's generator and of the builder.
    directory : Path, optional
        Where a standalone project is built.
    prefix, source : str
        How a bad parameter is named: `source`: [`prefix` + key].
    model : str
        The recall's model label ('network', 'hopfield').
    compiled : CompiledRecalls, optional
        On a standalone device: the built projects to re-run (one build per network structure);
        rungs it cannot re-run (the rate rung) are built for the trial as without it.

    Returns
    -------
    (ModelRecall, dict)
        The recall and the network's parameters.
    """
    from brian2 import second
    from brian2 import seed as brian2_seed

    from .network import build_network, get_rung

    unit = 1.0 if get_rung(rung).time_unit == "tau_n" else second
    kwargs = _builder_kwargs(rung, params, brian_seed)
    try:
        if compiled is not None and compiled.can_rerun(rung):
            run, built = compiled.recall(rung, kwargs, patterns, cue, target, times.cue_duration * unit,
                                         times.duration * unit, times.cue_strength, threshold, brian_seed)
        else:
            if compiled is not None:
                compiled.suspend()  # a fresh build below resets the standalone device
            with use_device(device, directory=directory):
                brian2_seed(brian_seed)
                net = build_network(rung, patterns, **kwargs)
                run = net.recall(cue, target, cue_duration=times.cue_duration * unit,
                                 duration=times.duration * unit, cue_strength=times.cue_strength,
                                 threshold=threshold)
                built = net.parameters
    except InputError as err:
        key = err.field.split(" ", 1)[0]
        if key in params:
            raise ProtocolError(source, prefix + key, err.expected, err.got) from None
        raise
    rec = ModelRecall(model, "s", times.cue_duration, np.asarray(run.t), np.asarray(run.overlaps),
                      np.asarray(run.final_overlaps), run.report,
                      {k: np.asarray(v) for k, v in run.recordings.items()})
    return rec, dict(built)


def abstract_recall(model, name: str, cue: np.ndarray, target: int, times: RunTimes, threshold: float) -> ModelRecall:
    """Run an abstract model from rest with the cue as an input for cue_duration; read out sign(x).

    Parameters
    ----------
    model
        An abstract model (`NeuronAstrocyteMemory`, `QuarticDAMLimit`, …) with `run` and `patterns`.
    name : str
        The recall's model label.
    cue : array (N,)
        The cue, an input during cue_duration.
    target : int
        The target pattern's index.
    times : RunTimes
        dt, cue_duration, duration and cue_strength in units of τ_n.
    threshold : float
        Recall criterion: target overlap ≥ threshold.

    Returns
    -------
    ModelRecall
    """
    xi = model.patterns
    steps = max(1, int(round(times.duration / times.dt)))
    traj = model.run(cue, init="rest", dt=times.dt, steps=steps, cue_strength=times.cue_strength,
                     cue_duration=times.cue_duration, record_every=max(1, steps // ABSTRACT_POINTS))
    ov = overlaps(sign(traj.x), xi)
    final = overlaps(sign(traj.final), xi)
    cue_ov = float(cue @ xi[:, target] / xi.shape[0])
    report = recall_report(traj.t, ov, final, target, times.cue_duration, cue_ov, threshold)
    return ModelRecall(name, "tau_n", times.cue_duration, traj.t, ov, final, report, {"x": traj.x})


def _abstract_model(protocol: RecallProtocol, patterns: np.ndarray, knockouts: Knockouts | None = None):
    params = {**NeuronAstrocyteMemory.rest_scaling_parameters(protocol.n), **protocol.abstract}
    return NeuronAstrocyteMemory(patterns, knockouts=knockouts, **params)


def steps_per_trial(protocol: RecallProtocol) -> int:
    """Progress units of one trial: network, abstract model, controls, knockout runs (2 each)."""
    n = 2 + (protocol.dam is not None) + (protocol.hopfield is not None)
    if protocol.knockouts is not None:
        n += 2 * len(protocol.knockouts.types) * sum(f > 0 for f in protocol.knockouts.fractions)
    return n


def run_protocol(protocol: RecallProtocol, progress: Progress | None = None) -> ProtocolRun:
    """Run every trial of `protocol` (see the module docstring); nothing is written here."""
    # Brian2 calls gc.collect() at every run(); with everything already alive frozen out of the
    # collector's view (CPython's gc.freeze), each of those costs ms instead of ~0.1 s
    gc.collect()
    gc.freeze()
    try:
        return _run_trials(protocol, progress)
    finally:
        gc.unfreeze()


def _run_trials(protocol: RecallProtocol, progress: Progress | None) -> ProtocolRun:
    t_start = time.perf_counter()
    total = protocol.trials * steps_per_trial(protocol)
    done = 0
    parameters: dict = {"protocol": protocol.settings()}
    net_params = network_parameters(protocol)

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, label)

    if progress:
        progress(0, total, f"{protocol.name}: {protocol.rung} rung, {protocol.trials} trials")
    trials = []
    for trial in range(protocol.trials):
        rng = np.random.default_rng([protocol.seed, trial])
        xi = random_patterns(protocol.n, protocol.k, rng)
        target = int(rng.integers(protocol.k))
        cue = cue_batch(xi, np.array([target]), protocol.flips, rng)[0]
        brian_seed, ko_seed = (int(s) for s in rng.integers(0, 2**31 - 1, size=2))
        trials.append(TrialResult(trial, xi, target, cue, brian_seed, ko_seed))
    standalone = is_standalone_device(protocol.device)
    # one network structure at a time (all trials of it, then the next): on a standalone device each
    # structure is built once and every trial re-runs it (astrobrian.compiled)
    with CompiledRecalls(protocol.device) if standalone else nullcontext() as compiled:
        def recall(tr: TrialResult, rung: str, params: dict, times: RunTimes, **keywords) -> tuple[ModelRecall, dict]:
            return network_recall(rung, params, tr.patterns, tr.cue, tr.target, times, protocol.threshold,
                                  protocol.device, tr.brian_seed, source=protocol.source, compiled=compiled,
                                  **keywords)

        for tr in trials:
            rec, built = recall(tr, protocol.rung, net_params, protocol.times)
            tr.recalls["network"] = rec
            parameters.setdefault("network", built)
            tick(f"trial {tr.index}: network")
            abstract = _abstract_model(protocol, tr.patterns)
            tr.recalls["abstract"] = abstract_recall(abstract, "abstract", tr.cue, tr.target, protocol.abstract_times,
                                                     protocol.threshold)
            parameters.setdefault("abstract", abstract.parameters())
            tick(f"trial {tr.index}: abstract model")
            if protocol.dam is not None:
                dam = QuarticDAMLimit(tr.patterns, **protocol.dam.params)
                tr.recalls["dam"] = abstract_recall(dam, "dam", tr.cue, tr.target, protocol.dam.times,
                                                    protocol.threshold)
                parameters.setdefault("dam", dam.parameters())
                tick(f"trial {tr.index}: DAM control")
        if protocol.hopfield is not None:
            hop = protocol.hopfield
            for tr in trials:
                rec, built = recall(tr, hop.rung, hop.network, hop.times, prefix="controls.hopfield.network.",
                                    model="hopfield")
                tr.recalls["hopfield"] = rec
                parameters.setdefault("hopfield", built)
                tick(f"trial {tr.index}: Hopfield control")
        if protocol.knockouts is not None:
            for knockout in protocol.knockouts.types:
                for f in protocol.knockouts.fractions:
                    for tr in trials:
                        if f == 0:  # the intact network and model: the recalls above
                            tr.knockouts[(knockout, f)] = {"network": tr.recalls["network"],
                                                           "abstract": tr.recalls["abstract"]}
                            continue
                        knock = Knockouts(**{knockout: f}, seed=tr.knockout_seed)
                        rec, _ = recall(tr, protocol.rung, {**net_params, "knockouts": knock}, protocol.times)
                        tick(f"trial {tr.index}: {knockout} = {f:g} (network)")
                        pred = abstract_recall(_abstract_model(protocol, tr.patterns, knock), "abstract", tr.cue,
                                               tr.target, protocol.abstract_times, protocol.threshold)
                        tick(f"trial {tr.index}: {knockout} = {f:g} (abstract)")
                        tr.knockouts[(knockout, f)] = {"network": rec, "abstract": pred}
    return ProtocolRun(protocol, trials, parameters, time.perf_counter() - t_start)


__all__ = ["run_protocol", "network_recall", "abstract_recall", "steps_per_trial", "ABSTRACT_POINTS"]
