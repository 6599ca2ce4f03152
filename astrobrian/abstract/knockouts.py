"""Astrocyte knockout switches for the abstract neuron–astrocyte model (science.md §5).

Each is a parameter of the same model, with a partial version as a fraction in [0, 1]:
`coupling_cut` (T → (1 − f) T; f = 1 is T = 0, the memories stored in the astrocyte lost),
`gliotransmission_block` (ψ feedback onto synapses × (1 − f); dnSNARE), `process_ablation`
(a random fraction f of processes removed: ψ = 0 and no coupling), `astrocyte_ablation`
(all processes of a random fraction f of astrocytes, needs territories).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import require_fraction
from .process_coupling import pair_ids


@dataclass(frozen=True)
class Knockouts:
    """Knockout fractions (0 = intact) and the seed choosing which processes/astrocytes go."""

    coupling_cut: float = 0.0
    gliotransmission_block: float = 0.0
    process_ablation: float = 0.0
    astrocyte_ablation: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("coupling_cut", "gliotransmission_block", "process_ablation", "astrocyte_ablation"):
            require_fraction(f"knockouts.{name}", getattr(self, name))

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
