"""Abstract associative-memory models in pure NumPy (never imports Brian2).

Every model takes patterns (N, K) or (B, N, K) at construction and returns a `Trajectory`
from `run(cues)`; cues are (N,) or (B, N).
"""

from .astro_gated import AstrocyteGatedMemory
from .dam import DenseAssociativeMemory
from .hopfield import ContinuousHopfield, HopfieldNetwork
from .knockouts import Knockouts
from .modern import ModernHopfield
from .neuron_astrocyte import NeuronAstrocyteMemory, QuarticDAMLimit
from .process_coupling import FullCoupling, MixedCoupling, SparseCoupling, TerritoryCoupling
from .trajectory import Trajectory

__all__ = [
    "AstrocyteGatedMemory",
    "ContinuousHopfield",
    "DenseAssociativeMemory",
    "FullCoupling",
    "HopfieldNetwork",
    "Knockouts",
    "MixedCoupling",
    "ModernHopfield",
    "NeuronAstrocyteMemory",
    "QuarticDAMLimit",
    "SparseCoupling",
    "TerritoryCoupling",
    "Trajectory",
]
