"""Abstract associative-memory models in pure NumPy (never imports Brian2).

Every model takes patterns (N, K) or (B, N, K) at construction and returns a `Trajectory`
from `run(cues)`; cues are (N,) or (B, N).
"""

from .trajectory import Trajectory

__all__ = ["Trajectory"]
