"""Neuron–astrocyte associative memory (Kozachkov, Slotine & Krotov, PNAS 2025;
docs/models.md#neuron-astrocyte-model).

Neurons x_i, tripartite synapses S_ij and astrocyte processes P_ij (one process per synapse):

    τ_n dx_i/dt  = −λ x_i + a Σ_j g(S_ij) φ(x_j) + b_i
    τ_s dS_ij/dt = −α S_ij + a φ(x_i) φ(x_j) + ψ(P_ij) + c_ij
    τ_p dP_ij/dt = −γ P_ij + Σ_kl T_ijkl ψ(P_kl) + g(S_ij) + d_ij

with φ, g, ψ = tanh(β·) and T = s Σ_μ ξξξξ contracted through the patterns (never N⁴).
a = `hebbian_scale` (1 in the authors' code, 1/N in the recall-from-rest scaling,
docs/models.md#rest-scaling) and
s = `coupling_scale` (1/N³ in the authors' code, 1/N² from rest). With symmetric S, P, T and
constant inputs the dynamics descend the six-term energy E = E_n + E_s + E_p + E_ns + E_ps + E_pp
(+ E_in for the inputs), which never increases for convex Lagrangians.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError, require_positive, require_positive_int, require_switch
from ..patterns import check_patterns
from .activations import TanhActivation
from .base import prepare, project
from .integrate import check_method, evolve
from .knockouts import Knockouts
from .process_coupling import Coupling, TerritoryCoupling, coupling_from_name
from .trajectory import Recorder, Trajectory

INITS = ("reference", "rest", "cue")
#: reference initialisation: |g₀|, |ψ₀| are kept ≤ 1 − REFERENCE_CLIP (saturated, not undefined)
REFERENCE_CLIP = 1e-9


def _outer(v: np.ndarray) -> np.ndarray:
    """Batched outer product v vᵀ: (B, N) → (B, N, N)."""
    return v[:, :, None] * v[:, None, :]

#: the self-terms of every model and rung that recalls from rest (docs/models.md#self-terms): no
#: autaptic synapse–process pair and no process coupled to itself, which lift the capacity of the
#: spiking rung from 56 to 181 (N = 32) and from 166 to 1093 (N = 64; benchmarks/RESULTS.md#self-terms);
#: the authors' reference configuration (the class defaults) keeps both
NO_SELF_TERMS = {"autapses": False, "self_coupling": False}


class _CueSchedule:
    """Neuron input b(t) = b + cue_strength · cue while t < cue_duration (cue as a current)."""

    def __init__(self, bias: np.ndarray, cues: np.ndarray | None, strength: float, duration: float):
        self.bias = bias
        self.cue_input = None if cues is None else strength * cues
        self.duration = duration

    def __call__(self, t: float) -> np.ndarray:
        if self.cue_input is not None and t < self.duration - 1e-12:
            return self.bias + self.cue_input
        return self.bias


class _AstrocyteMemoryBase:
    """Shared set-up of the full model and its quartic-DAM limit: patterns, scales, T, masks."""

    def __init__(
        self,
        patterns: object,
        *,
        beta: float,
        lam: float,
        tau_n: float,
        hebbian_scale: float,
        coupling_scale: float | None,
        coupling: Coupling | str | None,
        knockouts: Knockouts | None,
        b: float | np.ndarray,
        autapses: bool = True,
        self_coupling: bool = True,
    ):
        self.patterns = check_patterns(patterns)
        self.n = self.patterns.shape[-2]
        self.k = self.patterns.shape[-1]
        self.phi = TanhActivation(require_positive("beta", beta))
        self.lam = require_positive("lam (neuron leak λ)", lam, allow_zero=True)
        self.tau_n = require_positive("tau_n", tau_n)
        self.hebbian_scale = require_positive("hebbian_scale", hebbian_scale)
        self.coupling_scale = (
            1.0 / self.n**3 if coupling_scale is None else require_positive("coupling_scale", coupling_scale)
        )
        self.coupling = coupling_from_name(coupling)
        self.knockouts = knockouts if knockouts is not None else Knockouts()
        if not isinstance(self.knockouts, Knockouts):
            raise InputError("knockouts", "an astrobrian.abstract.Knockouts", type(knockouts).__name__)
        self.b = self._input("b", b, (self.n,))
        territories = (
            self.coupling.territory_labels(self.n) if isinstance(self.coupling, TerritoryCoupling) else None
        )
        self.effects = self.knockouts.effects(self.n, territories)  # every knockout, from its table entry
        self.process_mask = self.effects.process_mask()  # removed or silenced processes: ψ = 0
        self.T = self.coupling.build(self.patterns, self.coupling_scale * self.effects.coupling,
                                     self.effects.gap_junction_block)
        self.autapses = require_switch("autapses", autapses)
        self.self_coupling = require_switch("self_coupling", self_coupling)
        #: synapses that exist: all N² pairs, or i ≠ j only without autapses (their processes go too)
        self.synapse_mask = None if self.autapses else 1.0 - np.eye(self.n)
        if self.synapse_mask is not None:  # no synapse, no process
            pm = self.process_mask
            self.process_mask = self.synapse_mask if pm is None else pm * self.synapse_mask

    def _input(self, field: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
        arr = np.asarray(value, dtype=np.float64)
        if not np.all(np.isfinite(arr)):
            raise InputError(field, "finite input values", "non-finite entries")
        try:
            return np.broadcast_to(arr, shape).copy()
        except ValueError:
            raise InputError(field, f"a scalar or an array broadcastable to {shape}", f"shape {arr.shape}") from None

    def _mask(self, a: np.ndarray) -> np.ndarray:
        return a if self.process_mask is None else a * self.process_mask

    def _coupling(self, psi: np.ndarray) -> np.ndarray:
        """(Tψ) on surviving processes (without each process's coupling to itself and its mirror
        when `self_coupling` is off)."""
        return self._mask(self.T.apply(psi) if self.self_coupling else self.T.without_self_terms(psi))

    def _synapses(self, a: np.ndarray) -> np.ndarray:
        """`a` on the synapses that exist (zero at i = j without autapses)."""
        return a if self.synapse_mask is None else a * self.synapse_mask

    def _schedule(self, cues: np.ndarray, init: str, cue_strength: float, cue_duration: float | None, dt: float):
        if init not in INITS:
            raise InputError("init", f"one of {', '.join(INITS)}", init)
        if init != "rest":
            return _CueSchedule(self.b, None, 0.0, 0.0)
        duration = 2.0 * self.tau_n if cue_duration is None else require_positive("cue_duration", cue_duration, True)
        return _CueSchedule(self.b, cues, require_positive("cue_strength", cue_strength, True), duration)

    def _integrate(
        self, cues, init, dt, steps, method, cue_strength, cue_duration, record_every, stop_tol
    ) -> Trajectory:
        """Shared run loop: validate, build the cue schedule, integrate `derivatives` from
        `initial_state`, record x, overlaps of φ(x) and the named energy terms."""
        xi, c, single = prepare(self.patterns, cues)
        dt = require_positive("dt", dt)
        steps = require_positive_int("steps", steps, minimum=0)
        check_method(method)
        schedule = self._schedule(c, init, cue_strength, cue_duration, dt)
        rec = Recorder(steps, record_every)

        def record(t, state):
            terms = self.energy_terms(*state, schedule(t))
            rec.record(t, state[0], sum(terms.values()), terms)

        state, _ = evolve(
            lambda s, t: self.derivatives(*s, schedule(t)),
            self.initial_state(c, init), self.state_names, dt, steps, method, record,
            record_every=max(1, int(record_every)), stop_tol=stop_tol, stop_after=schedule.duration,
        )
        self.last_state = state  # final (x, S, P) or (x,): the full state, for inspection
        return rec.trajectory(xi, state[0], single, readout=self.phi)

    def common_parameters(self) -> dict:
        return {
            "N": self.n,
            "K": self.k,
            "beta": self.phi.beta,
            "lam": self.lam,
            "tau_n": self.tau_n,
            "hebbian_scale": self.hebbian_scale,
            "coupling_scale": self.coupling_scale,
            "coupling": self.coupling.describe(),
            "knockouts": self.knockouts.describe(),
        }


class NeuronAstrocyteMemory(_AstrocyteMemoryBase):
    """The full neuron–synapse–process model (docs/models.md#neuron-astrocyte-model), batched
    over cues.

    Defaults are the authors' tutorial (β = 5, leaks 1, τ = 1, a = 1, s = 1/N³, reference
    initialisation: docs/models.md#reference-scaling); `rest_scaling` gives the scaling that
    recalls from rest (docs/models.md#rest-scaling).

    Parameters
    ----------
    patterns : array_like
        ±1 patterns, (N, K) shared by every cue or (B, N, K) one set per cue.
    beta : float
        Neuron gain β_n of φ = tanh(β_n x); also the default of `beta_s` and `beta_p`.
    beta_s, beta_p : float, optional
        Synapse and process gains of g = tanh(β_s S), ψ = tanh(β_p P).
    lam, alpha, gamma : float
        Leaks λ (neurons), α (synapses), γ (processes), ≥ 0.
    tau_n, tau_s, tau_p : float
        Time constants.
    hebbian_scale : float
        a: scales the neuron input a Σ_j g_ij φ_j and the Hebbian drive a φ_i φ_j.
    coupling_scale : float, optional
        s of T = s Σ_μ ξξξξ (default 1/N³).
    b, c, d : float or array_like
        Constant inputs to neurons (N,), synapses and processes (N, N).
    coupling : str or coupling object
        'full', `TerritoryCoupling` or `SparseCoupling` (docs/models.md#process-coupling).
    knockouts : Knockouts, optional
        Knockout fractions (docs/knockouts.md).
    autapses : bool
        Wire the i = i synapse–process pairs (True, the authors' model); False removes them: no
        synapse, no process, nothing read or written by the modes (docs/models.md#self-terms).
    self_coupling : bool
        Keep each process's coupling to itself and to its mirror in T (True, the authors'); False
        removes T_(ij)(ij) and T_(ij)(ji) from the dynamics and the energy (T stays symmetric).
    """

    def __init__(
        self,
        patterns: object,
        *,
        beta: float = 5.0,
        beta_s: float | None = None,
        beta_p: float | None = None,
        lam: float = 1.0,
        alpha: float = 1.0,
        gamma: float = 1.0,
        tau_n: float = 1.0,
        tau_s: float = 1.0,
        tau_p: float = 1.0,
        hebbian_scale: float = 1.0,
        coupling_scale: float | None = None,
        b: float | np.ndarray = 0.0,
        c: float | np.ndarray = 0.0,
        d: float | np.ndarray = 0.0,
        coupling: Coupling | str | None = "full",
        knockouts: Knockouts | None = None,
        autapses: bool = True,
        self_coupling: bool = True,
    ):
        super().__init__(
            patterns, beta=beta, lam=lam, tau_n=tau_n, hebbian_scale=hebbian_scale,
            coupling_scale=coupling_scale, coupling=coupling, knockouts=knockouts, b=b,
            autapses=autapses, self_coupling=self_coupling,
        )
        self.g = TanhActivation(require_positive("beta_s", beta if beta_s is None else beta_s))
        self.psi = TanhActivation(require_positive("beta_p", beta if beta_p is None else beta_p))
        self.alpha = require_positive("alpha (synapse leak α)", alpha, allow_zero=True)
        self.gamma = require_positive("gamma (process leak γ)", gamma, allow_zero=True)
        self.tau_s = require_positive("tau_s", tau_s)
        self.tau_p = require_positive("tau_p", tau_p)
        self.c = self._input("c", c, (self.n, self.n))
        self.d = self._input("d", d, (self.n, self.n))
        self.feedback = self.effects.feedback

    @classmethod
    def rest_scaling(cls, patterns: object, **overrides) -> "NeuronAstrocyteMemory":
        """The scaling that recalls from rest (docs/models.md#rest-scaling): a = 1/N, s = 1/N²,
        β_n = 5, β_s = 3, β_p = 2, τ_s = τ_p = 0.2 τ_n, no self-terms (cue held as input for 2 τ_n by `run`)."""
        params = cls.rest_scaling_parameters(np.shape(patterns)[-2])
        params.update(overrides)
        return cls(patterns, **params)

    @staticmethod
    def rest_scaling_parameters(n: int) -> dict:
        """The parameters of `rest_scaling` for N neurons (docs/models.md#rest-scaling), as a dict:
        the scales and gains, and `NO_SELF_TERMS` (no autapses, no process self-coupling)."""
        return dict(
            beta=5.0, beta_s=3.0, beta_p=2.0, tau_s=0.2, tau_p=0.2,
            hebbian_scale=1.0 / n, coupling_scale=1.0 / n**2, **NO_SELF_TERMS,
        )

    state_names = ("x", "S", "P")

    # --- dynamics -------------------------------------------------------------------------
    def outputs(self, x, S, P):
        """(φ, g, ψ) with ablated processes silenced.

        Parameters
        ----------
        x : numpy.ndarray
            (B, N) neuron states.
        S, P : numpy.ndarray
            (B, N, N) synapse and process states.

        Returns
        -------
        tuple of numpy.ndarray
            φ(x) (B, N), g(S) and ψ(P) (B, N, N).
        """
        return self.phi(x), self._synapses(self.g(S)), self._mask(self.psi(P))

    def derivatives(self, x, S, P, b):
        """(dx/dt, dS/dt, dP/dt) of the model (docs/models.md#neuron-astrocyte-model) for the batch.

        Parameters
        ----------
        x : numpy.ndarray
            (B, N) neuron states.
        S, P : numpy.ndarray
            (B, N, N) synapse and process states.
        b : numpy.ndarray
            (B, N) neuron input.

        Returns
        -------
        tuple of numpy.ndarray
            The three derivatives, shaped as the states.
        """
        a = self.hebbian_scale
        phi, g, psi = self.outputs(x, S, P)
        dx = (-self.lam * x + a * (g @ phi[:, :, None])[:, :, 0] + b) / self.tau_n
        dS = self._synapses(-self.alpha * S + a * _outer(phi) + self.feedback * psi + self.c) / self.tau_s
        dP = (-self.gamma * P + self._coupling(psi) + g + self.d) / self.tau_p
        return dx, dS, dP

    def energy_terms(self, x, S, P, b) -> dict[str, np.ndarray]:
        """The six named energy terms (docs/models.md#energy) plus the input term.

        Parameters
        ----------
        x : numpy.ndarray
            (B, N) neuron states.
        S, P : numpy.ndarray
            (B, N, N) synapse and process states.
        b : numpy.ndarray
            (B, N) neuron input.

        Returns
        -------
        dict
            'E_n', 'E_s', 'E_p', 'E_ns', 'E_ps', 'E_pp', 'E_in', each (B,).
        """
        a = self.hebbian_scale
        phi, g, psi = self.outputs(x, S, P)
        return {
            "E_n": self.lam * np.sum(self.phi.legendre(x), axis=-1),
            "E_s": 0.5 * self.alpha * np.sum(self._synapses(self.g.legendre(S)), axis=(-2, -1)),
            "E_p": 0.5 * self.gamma * np.sum(self._mask(self.psi.legendre(P)), axis=(-2, -1)),
            "E_ns": -0.5 * a * np.einsum("bi,bij,bj->b", phi, g, phi),
            "E_ps": -0.5 * np.sum(psi * g, axis=(-2, -1)),
            "E_pp": -0.25 * np.sum(psi * self._coupling(psi), axis=(-2, -1)),
            "E_in": -np.sum(b * phi, axis=-1)
            - 0.5 * np.sum(self._synapses(self.c) * g, axis=(-2, -1))
            - 0.5 * np.sum(self.d * psi, axis=(-2, -1)),
        }

    def initial_state(self, cues: np.ndarray, init: str = "reference"):
        """(x, S, P) at t = 0. 'reference': the authors' initialisation x = cue, ψ = −a φφᵀ,
        S = g⁻¹(−Tψ) (pre-computes one DAM step); 'cue': x = cue, S = P = 0; 'rest': all zero."""
        if init not in INITS:
            raise InputError("init", f"one of {', '.join(INITS)}", init)
        bsz, n = cues.shape
        zeros = np.zeros((bsz, n, n))
        if init == "rest":
            return np.zeros_like(cues), zeros, zeros.copy()
        if init == "cue":
            return cues.copy(), zeros, zeros.copy()
        psi0 = -self.hebbian_scale * _outer(self.phi(cues))
        # −Tψ₀ leaves (−1, 1) once K ≳ N (T/N³ scaling): those synapses start saturated,
        # g₀ = ±(1 − REFERENCE_CLIP), instead of an undefined atanh
        psi_wired = self._synapses(psi0)  # without autapses there is no ψ_ii to act
        tpsi = self.T.apply(psi_wired) if self.self_coupling else self.T.without_self_terms(psi_wired)
        g0 = np.clip(-tpsi, -1 + REFERENCE_CLIP, 1 - REFERENCE_CLIP)
        psi0 = np.clip(psi0, -1 + REFERENCE_CLIP, 1 - REFERENCE_CLIP)
        return cues.copy(), self._synapses(self.g.inverse(g0)), self.psi.inverse(psi0)

    def run(
        self,
        cues: object,
        *,
        dt: float = 0.05,
        steps: int = 1000,
        method: str = "euler",
        init: str = "reference",
        cue_strength: float = 1.0,
        cue_duration: float | None = None,
        record_every: int = 10,
        stop_tol: float | None = None,
    ) -> Trajectory:
        """Integrate from `init` ('reference', 'cue' or 'rest'; with 'rest' the cue enters as
        the input b += cue_strength·cue for cue_duration, default 2 τ_n). Records x, overlaps of
        φ(x) with every pattern and the energy (terms in `energy_terms`) every `record_every`
        steps; `stop_tol` stops early once every |d state/dt| < stop_tol after the cue.

        Parameters
        ----------
        cues : array_like
            (B, N) or (N,) cues, ±1.
        dt : float
            Time step (units of τ_n).
        steps : int
            Number of steps.
        method : str
            'euler' or 'rk4'.
        init : str
            'reference', 'cue' or 'rest' (see `initial_state`).
        cue_strength : float
            With init='rest': the cue enters as the input b + cue_strength·cue.
        cue_duration : float, optional
            With init='rest': how long the cue is held (default 2 τ_n).
        record_every : int
            Record every this many steps (the last is always recorded).
        stop_tol : float, optional
            Stop early once every |d state/dt| < stop_tol after the cue (None: never).

        Returns
        -------
        Trajectory
            x, overlaps of φ(x), energy and its named terms; `recalled` is sign(x) at the end.
        """
        return self._integrate(cues, init, dt, steps, method, cue_strength, cue_duration, record_every, stop_tol)

    def parameters(self) -> dict:
        """Every parameter, for manifests."""
        p = self.common_parameters()
        p.update(
            beta_s=self.g.beta, beta_p=self.psi.beta, alpha=self.alpha, gamma=self.gamma,
            tau_s=self.tau_s, tau_p=self.tau_p, autapses=self.autapses, self_coupling=self.self_coupling,
        )
        return p


class QuarticDAMLimit(_AstrocyteMemoryBase):
    """The reduced limit of the neuron–astrocyte model: fast synapses and processes, α = γ = 0.

    ψ = −a φφᵀ, g = −Tψ, so τ_n dx/dt = −λx + a² Σ_jkl T_ijkl φ_j φ_k φ_l + b: gradient flow on
    E = λ Σ [xφ − L] − ¼ Σ (aφφ)·T(aφφ) − b·φ = … − (a² s/4) Σ_μ (ξ^μ·φ)⁴ for full coupling
    (Krotov–Hopfield F(z) = z⁴; docs/models.md#quartic-dam-limit). Knockouts: coupling cut and
    ablations apply; a gliotransmission block has no limit here (ψ is what sets the synapses)
    and is refused.

    Parameters
    ----------
    patterns : array_like
        ±1 patterns, (N, K) or (B, N, K).
    beta : float
        Neuron gain β.
    lam : float
        Neuron leak λ ≥ 0.
    tau_n : float
        Neuron time constant.
    hebbian_scale : float
        a (the quartic term carries a² s).
    coupling_scale : float, optional
        s (default 1/N³).
    b : float or array_like
        Constant neuron input (N,).
    coupling : str or coupling object
        'full', `TerritoryCoupling` or `SparseCoupling`.
    knockouts : Knockouts, optional
        Coupling cut, ablations.
    autapses, self_coupling : bool
        As for `NeuronAstrocyteMemory` (docs/models.md#self-terms): without self-coupling a neuron's
        drive with every other neuron at 0 is zero (the self-field 2sK|φ|²φ_i − sKφ_i³ is gone).
    """

    def __init__(
        self,
        patterns: object,
        *,
        beta: float = 5.0,
        lam: float = 1.0,
        tau_n: float = 1.0,
        hebbian_scale: float = 1.0,
        coupling_scale: float | None = None,
        b: float | np.ndarray = 0.0,
        coupling: Coupling | str | None = "full",
        knockouts: Knockouts | None = None,
        autapses: bool = True,
        self_coupling: bool = True,
    ):
        super().__init__(
            patterns, beta=beta, lam=lam, tau_n=tau_n, hebbian_scale=hebbian_scale,
            coupling_scale=coupling_scale, coupling=coupling, knockouts=knockouts, b=b,
            autapses=autapses, self_coupling=self_coupling,
        )
        if self.effects.feedback != 1.0:  # the limit has no synapse dynamics for the feedback to act on
            name = self.knockouts.acting_on("feedback")[0]
            raise InputError(f"knockouts.{name}", "0 in the quartic-DAM limit (use NeuronAstrocyteMemory)",
                             self.knockouts.fraction(name))
        #: full coupling, no knockout mask: the drive in closed form, O(N K) (`drive`)
        self._dense = self.effects.process_mask() is None and self.coupling.describe()["kind"] == "full"

    def _synaptic_efficacy(self, phi: np.ndarray) -> np.ndarray:
        """g = −Tψ with ψ = −a φφᵀ (masked)."""
        return self._coupling(self._mask(self.hebbian_scale * _outer(phi)))

    def drive(self, phi: np.ndarray) -> np.ndarray:
        """a Σ_j g_ij φ_j = a² Σ_jkl T_ijkl φ_j φ_k φ_l, O(N K) for full coupling.

        With T = s Σ_μ ξξξξ, m = Ξᵀφ and q = |φ|² (ξ_iμ² = 1): the drive is a²s Σ_μ ξ_iμ m_μ³; without
        autapses (no pair i = i) it is a²s [Σ_μ ξ_iμ (m_μ² − q) m_μ − φ_i Σ_μ (m_μ² − q)]; without
        self-coupling the processes' own terms T_(ij)(ij) + T_(ij)(ji) = 2sK (sK at i = j) go, which
        takes a²sK (2qφ_i − φ_i³) (autapses) or 2a²sK (q − φ_i²) φ_i (none) off the drive."""
        a = self.hebbian_scale
        if not self._dense:
            return a * (self._synaptic_efficacy(phi) @ phi[:, :, None])[:, :, 0]
        m = project(self.patterns, phi)  # (B, K)
        scale, k = a * a * self.T.scale, self.k
        q = np.sum(phi * phi, axis=-1, keepdims=True)  # (B, 1)
        w = m**3 if self.autapses else m * (m * m - q)

        def spread(v):  # Ξ v for v (B, K)
            return v @ self.patterns.T if self.patterns.ndim == 2 else np.einsum("bnk,bk->bn", self.patterns, v)

        out = spread(w)
        if not self.autapses:
            out -= phi * np.sum(m * m - q, axis=-1, keepdims=True)
        if not self.self_coupling:
            out -= k * (2.0 * q * phi - phi**3 if self.autapses else 2.0 * (q - phi * phi) * phi)
        return scale * out

    state_names = ("x",)

    def derivatives(self, x: np.ndarray, b: np.ndarray) -> tuple[np.ndarray]:
        """(dx/dt,) of the reduced model for neuron input b (B, N)."""
        return ((-self.lam * x + self.drive(self.phi(x)) + b) / self.tau_n,)

    def initial_state(self, cues: np.ndarray, init: str = "cue") -> tuple[np.ndarray]:
        """x = cue ('cue' and 'reference': the fast variables need no initialisation) or 0 ('rest')."""
        if init not in INITS:
            raise InputError("init", f"one of {', '.join(INITS)}", init)
        return (np.zeros_like(cues) if init == "rest" else cues.copy(),)

    def energy_terms(self, x: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
        """E_n, E_DAM (the quartic term) and E_in, each (B,)."""
        phi = self.phi(x)
        a = self.hebbian_scale
        if self._dense:  # −¼ a φ·gφ = −¼ φ·drive
            quartic = -0.25 * np.sum(phi * self.drive(phi), axis=-1)
        else:
            quartic = -0.25 * a * np.einsum("bi,bij,bj->b", phi, self._synaptic_efficacy(phi), phi)
        return {
            "E_n": self.lam * np.sum(self.phi.legendre(x), axis=-1),
            "E_DAM": quartic,
            "E_in": -np.sum(b * phi, axis=-1),
        }

    def run(
        self,
        cues: object,
        *,
        dt: float = 0.05,
        steps: int = 1000,
        method: str = "euler",
        init: str = "cue",
        cue_strength: float = 1.0,
        cue_duration: float | None = None,
        record_every: int = 10,
        stop_tol: float | None = None,
    ) -> Trajectory:
        """Integrate from x = cue ('cue'/'reference') or from rest with the cue as input.

        Parameters
        ----------
        cues : array_like
            (B, N) or (N,) cues, ±1.
        dt : float
            Time step (units of τ_n).
        steps : int
            Number of steps.
        method : str
            'euler' or 'rk4'.
        init : str
            'reference', 'cue' or 'rest' (see `initial_state`).
        cue_strength : float
            With init='rest': the cue enters as the input b + cue_strength·cue.
        cue_duration : float, optional
            With init='rest': how long the cue is held (default 2 τ_n).
        record_every : int
            Record every this many steps (the last is always recorded).
        stop_tol : float, optional
            Stop early once every |d state/dt| < stop_tol after the cue (None: never).

        Returns
        -------
        Trajectory
            x, overlaps of φ(x), energy and its named terms; `recalled` is sign(x) at the end.
        """
        return self._integrate(cues, init, dt, steps, method, cue_strength, cue_duration, record_every, stop_tol)

    def parameters(self) -> dict:
        return {**self.common_parameters(), "autapses": self.autapses, "self_coupling": self.self_coupling}
