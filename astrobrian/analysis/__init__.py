"""The analysis layer (docs/analysis.md): map a Brian2 memory network back onto the abstract
model — effective activations (`activations`), effective process coupling by probing
(`coupling`) and the abstract energy along a run (`energy`); `report` analyses recalls and
`scaling` measures network capacity."""

from .activations import ActivationFit, fit_activation
from .coupling import CouplingEstimate, compare_coupling, probe_coupling, stored_coupling
from .energy import EnergyTrace, energy_along_run

__all__ = [
    "ActivationFit", "fit_activation", "CouplingEstimate", "compare_coupling", "probe_coupling", "stored_coupling",
    "EnergyTrace", "energy_along_run",
]
