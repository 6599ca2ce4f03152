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


#: bytes per element of a rung's network, measured on the runtime device (numpy target) while
#: building, with headroom: (per memory-mode connection, N²K·copies of each; per synapse, N²;
#: per neuron); Python, NumPy and Brian2 themselves take about BASE_BYTES
_BYTES_PER = {
    "rate": (250.0, 2_000.0, 1_000.0),
    "spiking": (250.0, 2_500.0, 1_000.0),
    "biophysical": (250.0, 6_000.0, 1_000.0),
    "hopfield-spiking": (0.0, 250.0, 1_000.0),
}
BASE_BYTES = 250e6


def memory_estimate(rung: str, n: int, k: int, astrocytes: int = 1, gap_junction: bool = False) -> float:
    """Bytes a built network of `rung` with N neurons and K patterns needs (before it runs):
    2·N²K mode connections (×A with gap junctions between A astrocytes), N² synapses, N neurons."""
    per_mode, per_synapse, per_neuron = _BYTES_PER.get(rung, _BYTES_PER["biophysical"])
    copies = 2 * (astrocytes if gap_junction else 1)
    return BASE_BYTES + per_mode * copies * float(n) ** 2 * k + per_synapse * float(n) ** 2 + per_neuron * n


__all__.append("memory_estimate")
