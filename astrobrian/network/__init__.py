"""Neuron–astrocyte memory networks as Brian2 objects (issue 4), one builder per rung.

`build_network(rung, patterns, ...)` → a `MemoryNetwork` holding native Brian2 objects and a
`recall` method. Rungs: 'rate' (science.md §1 in Brian2, `rate.py`), 'spiking' (LIF neurons,
rate traces, tripartite synapses and processes on a slower clock, `spiking.py`) and its control
'hopfield-spiking' (the same neurons, patterns in pairwise weights only), and 'biophysical'
(Tsodyks–Markram release, cleft glutamate, G-ChI IP3/Ca²⁺ processes, gliotransmitter feedback,
territories and gap junctions, `biophysical.py`).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from .base import MemoryNetwork, RecallRun
from .biophysical import build_biophysical_network
from .rate import RateNetwork, build_rate_network
from .spiking import SpikingNetwork, build_hopfield_spiking_network, build_spiking_network

BUILDERS = {
    "rate": build_rate_network,
    "spiking": build_spiking_network,
    "hopfield-spiking": build_hopfield_spiking_network,
    "biophysical": build_biophysical_network,
}
RUNGS = tuple(BUILDERS)


def build_network(rung: str, patterns: Any, **params: Any) -> MemoryNetwork:
    """Build the network of `rung` on `patterns` (N, K), at rest unless told otherwise."""
    if rung not in BUILDERS:
        raise InputError("rung", f"one of {', '.join(BUILDERS)}", rung)
    return BUILDERS[rung](patterns, **params)


__all__ = [
    "MemoryNetwork", "RecallRun", "RateNetwork", "SpikingNetwork", "build_network", "build_rate_network",
    "build_spiking_network", "build_hopfield_spiking_network", "build_biophysical_network", "RUNGS",
]
