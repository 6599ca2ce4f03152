"""Astrocyte knockout switches for the abstract neuron–astrocyte model (science.md §5).

Each is a parameter of the same model, with a partial version as a fraction in [0, 1]:
`coupling_cut` (T → (1 − f) T; f = 1 is T = 0, the memories stored in the astrocyte lost),
`gliotransmission_block` (ψ feedback onto synapses × (1 − f); dnSNARE), `process_ablation`
(a random fraction f of processes removed: ψ = 0 and no coupling), `astrocyte_ablation`
(all processes of a random fraction f of astrocytes, needs territories), `ip3r2_knockout`
(a random fraction f of processes without CICR, Ω_C = 0 in the biophysical rung; the abstract
model's prediction: their ψ carries no signal, ψ = 0) and `gap_junction_block` (the IP3 flux
between astrocytes × (1 − f): TerritoryCoupling.gap_junction).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import require_fraction
from .process_coupling import pair_ids


#: the knockout fractions, in the order reports list them
FRACTIONS = ("coupling_cut", "gliotransmission_block", "process_ablation", "astrocyte_ablation", "ip3r2_knockout",
             "gap_junction_block")


@dataclass(frozen=True)
class Knockouts:
    """Knockout fractions (0 = intact) and the seed choosing which processes/astrocytes go."""

    coupling_cut: float = 0.0
    gliotransmission_block: float = 0.0
    process_ablation: float = 0.0
    astrocyte_ablation: float = 0.0
    ip3r2_knockout: float = 0.0
    gap_junction_block: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in FRACTIONS:
            require_fraction(f"knockouts.{name}", getattr(self, name))

    def ip3r2_mask(self, n: int) -> np.ndarray | None:
        """Symmetric (N, N) 0/1 mask: 0 for the processes without CICR (IP3R2 knockout), or None."""
        if self.ip3r2_knockout == 0:
            return None
        rng = np.random.default_rng([self.seed, 2])  # its own stream: independent of the ablation
        n_pairs = n * (n + 1) // 2
        ko = np.zeros(n_pairs, dtype=bool)
        ko[rng.permutation(n_pairs)[: int(round(self.ip3r2_knockout * n_pairs))]] = True
        return (~ko[pair_ids(n)]).astype(np.float64)

    def process_mask(self, n: int, territories: np.ndarray | None) -> np.ndarray | None:
        """Symmetric (N, N) 0/1 mask of surviving processes, or None when none is removed."""
        if self.process_ablation == 0 and self.astrocyte_ablation == 0:
            return None
        rng = np.random.default_rng(self.seed)
        ids = pair_ids(n)
        n_pairs = n * (n + 1) // 2
        alive = np.ones(n_pairs, dtype=bool)
        n_cut = int(round(self.process_ablation * n_pairs))
        alive[rng.permutation(n_pairs)[:n_cut]] = False
        keep = alive[ids]
        if self.astrocyte_ablation > 0:
            labels = np.zeros((n, n), dtype=int) if territories is None else territories
            astros = np.unique(labels)
            n_dead = int(round(self.astrocyte_ablation * astros.size))
            dead = rng.permutation(astros)[:n_dead]
            keep &= ~np.isin(labels, dead)
        return keep.astype(np.float64)

    def describe(self) -> dict:
        return asdict(self)
