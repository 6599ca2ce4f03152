"""The astrocyte's memory modes, shared by every rung: processes couple through K collective
modes per astrocyte territory (docs/models.md#memory-modes: T contracted through the patterns), wired with
explicit index arrays as summed variables — N²K connections each way, never N⁴."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..abstract.process_coupling import FullCoupling, TerritoryCoupling, coupling_from_name
from ..errors import InputError


def all_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(post, pre) of the N² synapses, synapse k = post·N + pre (readable before a standalone run)."""
    post, pre = np.divmod(np.arange(n * n), n)
    return post, pre


def mode_coupling(spec: object) -> FullCoupling | TerritoryCoupling:
    """The coupling of a Brian2 network: full or per-astrocyte territories (sparse masks do not
    factor into modes)."""
    coupling = coupling_from_name(spec)
    if not isinstance(coupling, (FullCoupling, TerritoryCoupling)):
        raise InputError(
            "coupling",
            "'full' or TerritoryCoupling for a Brian2 network (sparse masks do not factor into modes)",
            coupling,
        )
    return coupling


@dataclass
class MemoryModes:
    """The mode group and its two summed connections (read ψ → q, write q → Tψ)."""

    modes: Any
    read: Any
    write: Any
    territories: np.ndarray  # (N, N) astrocyte label of each process
    gap_junction: float = 0.0  # IP3 passed between astrocytes (after the knockout)

    @property
    def objects(self) -> tuple:
        return self.modes, self.read, self.write

    def groups(self) -> dict[str, Any]:
        return {"modes": self.modes, "read": self.read, "write": self.write}


def wire_memory_modes(xi: np.ndarray, synapses: Any, coupling: FullCoupling | TerritoryCoupling, scale: float,
                      name: str, gap_junction_block: float = 0.0, **clock: Any) -> MemoryModes:
    """Modes μ (one per pattern and territory) read q_μ = Σ w ψ from the processes of `synapses`
    (all N² pairs, k = post·N + pre) and write back (Tψ) = scale Σ_μ w q_μ, w = ξ_iμ ξ_jμ.

    With territories, gap = TerritoryCoupling.gap_junction × (1 − `gap_junction_block`) is the
    IP3 passing between astrocytes: a process also feeds the modes of every other astrocyte with
    weight gap·w, so T = T_territory + gap·T_between = (1 − gap) T_territory + gap T_full, as in
    the abstract model.

    Parameters
    ----------
    xi : ndarray
        The stored patterns, ±1, shape (N, K).
    synapses : brian2.Synapses
        The N² processes, connected with k = post·N + pre, with ψ read into the modes and Tψ
        written back (summed variables of the memory_modes model).
    coupling : FullCoupling or TerritoryCoupling
        One astrocyte, or territories (and their gap junction).
    scale : float
        The coupling scale s of T.
    name : str
        Prefix of the Brian2 objects' names.
    gap_junction_block : float
        Fraction of the gap junction knocked out, in [0, 1].
    **clock
        Clock keywords (dt or clock) for the mode group and both connections.

    Returns
    -------
    MemoryModes
        The mode group, the read and write connections, the territory labels (N, N) and the gap
        junction after the block.
    """
    from .. import models

    n, k = xi.shape
    post, pre = all_pairs(n)
    mode_spec = models.load("memory_modes", coupling=scale)
    labels = coupling.territory_labels(n) if isinstance(coupling, TerritoryCoupling) else np.zeros((n, n), int)
    astro_ids = np.unique(labels)
    astro_of = np.searchsorted(astro_ids, labels[post, pre])  # territory of each synapse
    modes = mode_spec.neuron_group(k * astro_ids.size, name=f"{name}_modes", **clock)
    n_syn = n * n
    syn_idx = np.repeat(np.arange(n_syn), k)
    mu = np.tile(np.arange(k), n_syn)
    mode_idx = astro_of[syn_idx] * k + mu
    weight = xi[post[syn_idx], mu] * xi[pre[syn_idx], mu]
    read_i, read_j, read_w = [syn_idx], [mode_idx], [weight]
    gap = coupling.gap_junction * (1.0 - gap_junction_block) if isinstance(coupling, TerritoryCoupling) else 0.0
    if gap > 0 and astro_ids.size > 1:
        for shift in range(1, astro_ids.size):  # every other astrocyte, through gap junctions
            read_i.append(syn_idx)
            read_j.append(((astro_of[syn_idx] + shift) % astro_ids.size) * k + mu)
            read_w.append(gap * weight)
    read = mode_spec.connection("read", synapses, modes, name=f"{name}_read", **clock)
    read.connect(i=np.concatenate(read_i), j=np.concatenate(read_j))
    read.w = np.concatenate(read_w)
    write = mode_spec.connection("write", modes, synapses, name=f"{name}_write", **clock)
    write.connect(i=mode_idx, j=syn_idx)
    write.w = weight
    return MemoryModes(modes, read, write, labels, gap)
