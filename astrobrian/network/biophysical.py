"""Rung 3 'biophysical' of the memory network (docs/models.md#biophysical-rung).

The spiking rung's LIF neurons and read-out, with each tripartite synapse and its process made
of the model library's biophysics (`biophysical_tripartite`): Tsodyks–Markram release scaled by
the synaptic efficacy, cleft glutamate sensed by the process (Γ_A → PLCβ → IP3), a G-ChI
IP3/Ca²⁺ process whose Ca²⁺ sets its gliotransmitter output ψ, gliotransmitter acting on the
presynaptic receptors that set the release probability, and IP3 transport through the
astrocyte's memory modes (`memory_modes`). Astrocytes own territories of processes and pass IP3
to each other through gap junctions (`TerritoryCoupling(gap_junction=…)`).

Every synapse and process starts at rest (the process at the steady state of its own IP3/Ca²⁺
loop with no memory drive); the cue is an input current only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from .rungs import Rung, register_rung
from .spiking import SpikingNetwork, TripartiteOptions, build_tripartite_network

#: parameters of biophysical_tripartite a user may set through the builder
SYNAPSE_KEYS = (
    "alpha", "beta_s", "beta_p", "tau_s", "J", "U_0__star", "Omega_f", "Omega_d", "alpha_G", "O_beta", "O_mem",
    "Omega_5P", "O_delta", "Omega_C", "O_2", "C_mid", "C_width", "C_Theta", "Omega_rel", "astro_speed",
)


def tm_release(rate_hz: float, u0: float, omega_f: float, omega_d: float) -> float:
    """Steady release per spike r = u⁺x⁻ of a Tsodyks–Markram synapse driven by periodic spikes
    at `rate_hz` (rates in 1/s): the fixed point of the event-driven u/x updates.

    Parameters
    ----------
    rate_hz : float
        Spike rate in Hz (> 0).
    u0 : float
        Resting release probability U_0*.
    omega_f : float
        Facilitation decay rate Ω_f (1/s).
    omega_d : float
        Resource recovery rate Ω_d (1/s).

    Returns
    -------
    float
        r = u⁺x⁻, the fraction of resources released per spike at steady state.
    """
    if not rate_hz > 0:
        raise InputError("rate", "a rate > 0 Hz", rate_hz)
    period = 1.0 / rate_hz
    ef, ed = np.exp(-omega_f * period), np.exp(-omega_d * period)
    u_minus = u0 * ef / (1.0 - (1.0 - u0) * ef)
    u_plus = u_minus + u0 * (1.0 - u_minus)
    x_minus = (1.0 - ed) / (1.0 - (1.0 - u_plus) * ed)
    return float(u_plus * x_minus)


def _loop_constants(spec: Any) -> dict[str, float]:
    """The IP3/Ca²⁺ loop's parameters as plain numbers in µM and s."""
    from brian2 import second, umolar

    ns = spec.namespace
    rate = umolar / second
    v = {k: float(ns[k] / umolar) for k in ("kappa_delta", "K_delta", "K_D", "K_3K", "K_P", "C_T", "d_1", "d_2",
                                             "d_3", "d_5", "C_mid")}
    v.update({k: float(ns[k] / rate) for k in ("O_delta", "O_3K", "O_P")})
    v.update({k: float(ns[k] * second) for k in ("Omega_5P", "Omega_C", "Omega_L")})
    v.update(O_2=float(ns["O_2"] * umolar * second), rho_A=float(ns["rho_A"]))
    return v


def process_steady_state(spec: Any, production: float, t_settle: float = 300.0) -> dict[str, float]:
    """IP3 (µM), Ca²⁺ (µM) and h of one process whose IP3 loop gets a constant extra
    `production` (µM/s: PLCβ plus memory drive), integrated with SciPy (LSODA) for `t_settle`
    physiological seconds; Ca²⁺ is the mean over the last tenth (the loop may oscillate).
    Cached per parameter set: every build and every trial of a sweep reuses it.

    Parameters
    ----------
    spec : ModelSpec
        The process model (biophysical_tripartite) whose parameters are used.
    production : float
        Extra constant IP3 production (µM/s).
    t_settle : float
        Integration time (s).

    Returns
    -------
    dict
        {'I': IP3 (µM), 'C': Ca²⁺ (µM), 'h': IP3R gating (dimensionless)}.
    """
    return dict(_steady_state(_key(spec), float(production), float(t_settle)))


def _key(spec: Any) -> tuple:
    return tuple(sorted(_loop_constants(spec).items()))


def _loop_rhs(v: dict, production: float, y) -> np.ndarray:
    """d(IP3, Ca²⁺, h)/dt of one process (µM, s; physiological time) with a constant extra IP3
    `production`: the G-ChI/Li–Rinzel terms of biophysical_tripartite."""
    i, c, h = max(y[0], 0.0), max(y[1], 1e-12), y[2]
    m_inf = i / (i + v["d_1"]) * c / (c + v["d_5"])
    q2 = v["d_2"] * (i + v["d_1"]) / (i + v["d_3"])
    er = v["C_T"] - (1 + v["rho_A"]) * c
    dc = v["Omega_C"] * m_inf**3 * h**3 * er + v["Omega_L"] * er - v["O_P"] * c**2 / (c**2 + v["K_P"] ** 2)
    dh = (q2 / (q2 + c) - h) * v["O_2"] * (q2 + c)
    di = (production + v["O_delta"] / (1 + i / v["kappa_delta"]) * c**2 / (c**2 + v["K_delta"] ** 2)
          - v["O_3K"] * c**4 / (c**4 + v["K_D"] ** 4) * i / (i + v["K_3K"]) - v["Omega_5P"] * i)
    return np.array([di, dc, dh])


@functools.lru_cache(maxsize=256)
def _steady_state(key: tuple, production: float, t_settle: float) -> tuple:
    from scipy.integrate import solve_ivp

    v = dict(key)
    t_eval = np.linspace(0.9 * t_settle, t_settle, 200)
    sol = solve_ivp(lambda _t, y: _loop_rhs(v, production, y), (0.0, t_settle), [0.3, 0.03, 0.8], method="LSODA",
                    rtol=1e-8, atol=1e-10, t_eval=t_eval)
    return (("I", float(sol.y[0, -1])), ("C", float(np.mean(sol.y[1]))), ("h", float(sol.y[2, -1])))


@dataclass(frozen=True)
class LoopModes:
    """Linear modes of one process's IP3–Ca²⁺–h loop at a steady state
    (docs/analysis.md#why-the-biophysical-energy-rises).

    `rates` are the Jacobian's eigenvalues in 1/s of simulated time (physiological rates × astro_speed).
    A complex pair makes the process a damped resonator: after a change of its drive its Ca²⁺
    overshoots and rings with `period` (s), decaying with `decay_time` (s); `quality` = |Im|/(2|Re|)
    of the slowest-decaying complex pair (0 when every mode is real: a relaxator)."""

    rates: tuple[complex, ...]
    period: float
    decay_time: float
    quality: float
    steady_state: dict


def process_loop_modes(spec: Any, production: float | None = None) -> LoopModes:
    """Eigen-modes of one process's IP3–Ca²⁺–h loop, linearised at its steady state (central differences).

    Parameters
    ----------
    spec : ModelSpec
        The process model (`models.load("biophysical_tripartite", …)`), with its astro_speed.
    production : float, optional
        Extra IP3 production (µM/s); default the switch production, at which the process rests at C_mid
        (its operating point in the memory network).

    Returns
    -------
    LoopModes
        The eigenvalues (1/s of simulated time), the ringing period and decay time of the
        complex pair (inf when there is none) and its quality factor.
    """
    from brian2 import second

    key = _key(spec)
    v = dict(key)
    production = switch_production(spec) if production is None else float(production)
    rest = dict(_steady_state(key, production, 300.0))
    y = np.array([rest["I"], rest["C"], rest["h"]])
    step = 1e-7
    jac = np.column_stack([(_loop_rhs(v, production, y + step * e) - _loop_rhs(v, production, y - step * e))
                           / (2 * step) for e in np.eye(3)])
    rates = np.linalg.eigvals(jac) * float(spec.namespace["astro_speed"] * second)
    pair = rates[rates.imag > 0]
    if pair.size == 0:
        return LoopModes(tuple(rates), np.inf, np.inf, 0.0, rest)
    slow = pair[np.argmax(pair.real)]  # the least damped complex pair rings longest
    return LoopModes(tuple(rates), float(2 * np.pi / slow.imag), float(-1 / slow.real),
                     float(slow.imag / (2 * abs(slow.real))), rest)


def switch_production(spec: Any, tol: float = 1e-4) -> float:
    """The IP3 production (µM/s) at which a process's steady Ca²⁺ crosses C_mid (bisection on
    `process_steady_state`; the loop is monotone in the production). Cached per parameter set."""
    return _switch(_key(spec), float(tol))


@functools.lru_cache(maxsize=64)
def _switch(key: tuple, tol: float) -> float:
    c_mid = dict(key)["C_mid"]

    def calcium(production: float) -> float:
        return dict(_steady_state(key, production, 300.0))["C"]

    lo, hi = 0.0, 2.0
    if calcium(hi) < c_mid:
        raise InputError("C_mid", "a Ca²⁺ level the process reaches (below its high state)", c_mid)
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if calcium(mid) < c_mid else (lo, mid)
    return 0.5 * (lo + hi)


#: |g + Tψ| beyond which the memory drive J_rest ± (O_mem/2) tanh(g + Tψ) is saturated (tanh 6 = 1 − 1e-5)
DRIVE_SATURATION = 6.0


def drive_holding_calcium(spec: Any, calcium: object) -> np.ndarray:
    """The process input u = g + Tψ whose memory drive holds a process at Ca²⁺ `calcium` at steady
    state: the inverse of u ↦ C*(u) on the graded branch (glutamate receptors at rest).

    Parameters
    ----------
    spec : ModelSpec
        The process model (`models.load("biophysical_tripartite", …)`).
    calcium : array_like
        Ca²⁺ in µM.

    Returns
    -------
    numpy.ndarray
        u, clipped to ±DRIVE_SATURATION outside the Ca²⁺ range the drive can reach.
    """
    u, c = _calcium_branch(_key(spec), _o_mem(spec))
    return np.interp(np.asarray(calcium, dtype=float), c, u)


def _o_mem(spec: Any) -> float:
    from brian2 import second, umolar

    return float(spec.namespace["O_mem"] / (umolar / second))


@functools.lru_cache(maxsize=64)
def _calcium_branch(key: tuple, o_mem: float) -> tuple[np.ndarray, np.ndarray]:
    """(u, C*(u)) on a grid of the memory drive's input, C* strictly increasing."""
    j_switch = _switch(key, 1e-4)
    u = np.linspace(-DRIVE_SATURATION, DRIVE_SATURATION, 241)
    c = np.array([dict(_steady_state(key, j_switch + o_mem / 2 * np.tanh(x), 300.0))["C"] for x in u])
    if not np.all(np.diff(c) > 0):
        raise InputError("O_mem", "a drive range on which the process's steady Ca²⁺ grows with its input", o_mem)
    return u, c


def resting_receptors(spec: Any, nu_ref: float, r_ref: float, c_rest: float) -> float:
    """Γ_A of a process whose presynaptic neuron fires at ν_ref: the steady state of its receptor
    kinetics under the mean cleft glutamate ν_ref ρ_c Y_T r_ref / Ω_c.

    Parameters
    ----------
    spec : ModelSpec
        The process model (biophysical_tripartite) whose parameters are used.
    nu_ref : float
        Presynaptic rate ν_ref (Hz).
    r_ref : float
        Release per spike at ν_ref (`tm_release`).
    c_rest : float
        Resting Ca²⁺ of the process (µM), which sets the receptors' Ca²⁺-dependent inactivation.

    Returns
    -------
    float
        Γ_A, the fraction of receptors bound, in [0, 1].
    """
    from brian2 import second, umolar

    ns = spec.namespace
    y_mean = nu_ref * float(ns["rho_c"]) * float(ns["Y_T"] / umolar) * r_ref / float(ns["Omega_c"] * second)
    on = float(ns["O_N"] * umolar * second) * y_mean
    off = float(ns["Omega_N"] * second) * (1 + float(ns["zeta"]) * c_rest / (c_rest + float(ns["K_KC"] / umolar)))
    return on / (on + off)


def build_biophysical_network(patterns: object, options: TripartiteOptions | None = None,
                              **keywords: Any) -> SpikingNetwork:
    """Rung 3: the spiking rung's neurons with `biophysical_tripartite` synapses and processes.

    Parameters
    ----------
    patterns : array (N, K)
        The ±1 patterns stored.
    options : TripartiteOptions, optional
        As the spiking rung (neuron dt 0.1 ms, a = 1/N, T/N², cue 500 pA held 120 ms, read-out
        window 50 ms), with the process clock at 0.5 ms (the sped-up Ca²⁺ loop). `coupling`:
        'full' (one astrocyte) or TerritoryCoupling(n_astrocytes, gap_junction) for astrocytes
        with their own territories joined by gap junctions. Every knockout of docs/knockouts.md
        applies; ip3r2_knockout sets Ω_C = 0 in a fraction of the processes.
    **keywords
        Any option by name, and overrides of `biophysical_tripartite`'s parameters
        (SYNAPSE_KEYS, with units).

    Returns
    -------
    SpikingNetwork
        Every synapse and process at rest (the process at the steady state of its own IP3/Ca²⁺
        loop with no memory drive).
    """
    from brian2 import Hz, ms, second, umolar

    from .. import models

    options, synapse = TripartiteOptions.resolve(options, keywords)
    unknown = sorted(set(synapse) - set(SYNAPSE_KEYS))
    if unknown:
        raise InputError(unknown[0], f"a parameter of the biophysical rung ({', '.join(SYNAPSE_KEYS)}, neuron=…, …)",
                         unknown[0])
    base = models.load("biophysical_tripartite", **synapse)
    nu_ref = models.load("lif_rate_trace", **dict(options.neuron or {})).namespace["nu_ref"]
    ns = base.namespace
    r_ref = tm_release(float(nu_ref / Hz), float(ns["U_0__star"]), float(ns["Omega_f"] / Hz), float(ns["Omega_d"] / Hz))
    j_switch = switch_production(base)
    rest = process_steady_state(base, j_switch)
    gamma_a = resting_receptors(base, float(nu_ref / Hz), r_ref, rest["C"])
    j_rest = j_switch - float(ns["O_beta"] / (umolar / second)) * gamma_a
    if "J_rest" in synapse:
        raise InputError("J_rest", "no value: the builder sets it so that a process rests on its Ca²⁺ switch",
                         synapse["J_rest"])
    o_mem = _o_mem(base)
    c_low = process_steady_state(base, j_switch - o_mem / 2)["C"]
    if j_rest < o_mem / 2 or c_low < float((ns["C_mid"] - 2 * ns["C_width"]) / umolar):
        raise InputError("O_mem", "a smaller range: at g + Tψ → −∞ the process must stay on its graded Ca²⁺ branch "
                         f"(here Ca²⁺ would fall to {c_low:.3g} µM)", ns["O_mem"])

    def configure(synapses) -> None:
        synapses.I = rest["I"] * umolar
        synapses.C = rest["C"] * umolar
        synapses.h = rest["h"]
        synapses.Gamma_A = gamma_a
        synapses.U_0 = ns["U_0__star"]

    net = build_tripartite_network(
        patterns, "biophysical_tripartite", {"r_ref": r_ref, "J_rest": j_rest * umolar / second, **synapse},
        options, rung="biophysical", configure=configure, recorded=("s", "I", "C", "psi"), process_dt=0.5 * ms)
    net.parameters["process_rest"] = {"I_uM": rest["I"], "C_uM": rest["C"], "h": rest["h"], "Gamma_A": gamma_a,
                                      "switch_production_uM_per_s": j_switch}
    net.parameters["r_ref"] = r_ref
    return net


register_rung(Rung(
    "biophysical", build_biophysical_network,
    "LIF neurons; Tsodyks–Markram release, cleft glutamate, G-ChI IP3/Ca²⁺ processes, gliotransmitter feedback",
    options=TripartiteOptions, open_keywords=True, features=frozenset({"astrocyte", "cicr"}),
    memory_bytes=(250.0, 6_000.0, 1_000.0)))
