"""Neuron–astrocyte memory networks as Brian2 objects, one builder per rung (docs/models.md).

`build_network(rung, patterns, ...)` → a `MemoryNetwork` holding native Brian2 objects and a
`recall` method. Every rung is a `Rung` record in `astrobrian.network.rungs.RUNGS`, registered by
its module: 'rate' (the abstract rate model in Brian2, `rate.py`), 'spiking' (LIF neurons, rate
traces, tripartite synapses and processes on a slower clock, `spiking.py`) and its control
'hopfield-spiking' (the same neurons, patterns in pairwise weights only), and 'biophysical'
(Tsodyks–Markram release, cleft glutamate, G-ChI IP3/Ca²⁺ processes, gliotransmitter feedback,
territories and gap junctions, `biophysical.py`). A new rung is one module and one
`register_rung` call (docs/extending.md).
"""

from __future__ import annotations

from typing import Any

from .base import MemoryNetwork, RecallRun
from .biophysical import build_biophysical_network
from .rate import RateNetwork, build_rate_network
from .rungs import RUNGS, Rung, control_rung, get_rung, register_rung, rung_names, unregister_rung
from .spiking import (
    HopfieldOptions,
    NeuronOptions,
    SpikingNetwork,
    TripartiteOptions,
    build_hopfield_spiking_network,
    build_spiking_network,
    build_tripartite_network,
)


def build_network(rung: str, patterns: Any, **params: Any) -> MemoryNetwork:
    """Build the network of `rung` on `patterns` (N, K), at rest unless told otherwise.

    Parameters
    ----------
    rung : str
        A registered rung (`rung_names()`).
    patterns : array_like
        The stored patterns, ±1, shape (N, K).
    **params
        The rung builder's keyword arguments (e.g. coupling, init, record, name; see each builder).

    Returns
    -------
    MemoryNetwork
    """
    return get_rung(rung).builder(patterns, **params)


#: what a built network of N neurons and K patterns needs besides its elements (Python, NumPy, Brian2)
BASE_BYTES = 250e6


def memory_estimate(rung: str, n: int, k: int, astrocytes: int = 1, gap_junction: bool = False) -> float:
    """Bytes a built network of `rung` with N neurons and K patterns needs (before it runs).

    Parameters
    ----------
    rung : str
        A registered rung (its `memory_bytes`).
    n, k : int
        Neurons and stored patterns.
    astrocytes : int
        Astrocyte territories; with `gap_junction`, every process feeds the modes of every astrocyte.
    gap_junction : bool
        Whether the astrocytes are coupled by gap junctions.

    Returns
    -------
    float
        2·N²K mode connections (×A with gap junctions between A astrocytes), N² synapses, N neurons.
    """
    per_mode, per_synapse, per_neuron = get_rung(rung).memory_bytes
    copies = 2 * (astrocytes if gap_junction else 1)
    return BASE_BYTES + per_mode * copies * float(n) ** 2 * k + per_synapse * float(n) ** 2 + per_neuron * n


__all__ = [
    "MemoryNetwork", "RecallRun", "RateNetwork", "SpikingNetwork", "build_network", "build_rate_network",
    "build_spiking_network", "build_hopfield_spiking_network", "build_biophysical_network", "build_tripartite_network",
    "NeuronOptions", "TripartiteOptions", "HopfieldOptions", "Rung", "RUNGS", "register_rung", "unregister_rung",
    "get_rung", "rung_names", "control_rung", "memory_estimate",
]
