"""Fixed-step ODE integration (Euler, RK4) of a tuple of state arrays, with recording.

Models supply `rhs(state) -> derivatives` (tuples of arrays); the loop over time steps is the
only Python loop — every step is a batched array operation.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..errors import InputError

State = tuple[np.ndarray, ...]
METHODS = ("euler", "rk4")


def check_method(method: str) -> str:
    if method not in METHODS:
        raise InputError("method", f"one of {', '.join(METHODS)}", method)
    return method


def step(rhs: Callable[[State], State], state: State, dt: float, method: str) -> State:
    """One Euler or classical RK4 step of size dt.

    Parameters
    ----------
    rhs : callable
        State tuple → tuple of derivatives.
    state : tuple of numpy.ndarray
        The state.
    dt : float
        Step size.
    method : str
        'euler' or 'rk4'.

    Returns
    -------
    tuple of numpy.ndarray
        The state after the step.
    """
    if method == "euler":
        return tuple(s + dt * d for s, d in zip(state, rhs(state)))
    k1 = rhs(state)
    k2 = rhs(tuple(s + 0.5 * dt * d for s, d in zip(state, k1)))
    k3 = rhs(tuple(s + 0.5 * dt * d for s, d in zip(state, k2)))
    k4 = rhs(tuple(s + dt * d for s, d in zip(state, k3)))
    return tuple(
        s + (dt / 6.0) * (a + 2.0 * b + 2.0 * c + e) for s, a, b, c, e in zip(state, k1, k2, k3, k4)
    )


def check_finite(state: Sequence[np.ndarray], names: Sequence[str], t: float) -> None:
    """Stop with a clear message (not a silently wrong result) if the state became NaN/inf.

    Parameters
    ----------
    state : sequence of numpy.ndarray
        The state arrays.
    names : sequence of str
        Their names, for the message.
    t : float
        The current time, for the message.

    Raises
    ------
    FloatingPointError
        Naming the first non-finite state and the time.
    """
    for arr, name in zip(state, names):
        if not np.all(np.isfinite(arr)):
            raise FloatingPointError(
                f"state '{name}' became non-finite at t = {t:g}: reduce dt or the gains"
            )


def evolve(
    rhs: Callable[[State, float], State],
    state: State,
    names: Sequence[str],
    dt: float,
    steps: int,
    method: str,
    record: Callable[[float, State], None],
    record_every: int = 1,
    stop_tol: float | None = None,
    stop_after: float = 0.0,
) -> tuple[State, float]:
    """Integrate `steps` fixed steps of rhs(state, t), calling `record(t, state)` every
    `record_every` steps (and at the end). With `stop_tol`, stop early once t ≥ `stop_after`
    and every |d state/dt| < stop_tol (checked every 10 steps).

    Parameters
    ----------
    rhs : callable
        (state, t) → tuple of derivatives.
    state : tuple of numpy.ndarray
        Initial state.
    names : sequence of str
        Names of the state arrays (for error messages).
    dt : float
        Step size.
    steps : int
        Number of steps.
    method : str
        'euler' or 'rk4'.
    record : callable
        Called as record(t, state) at t = 0, every `record_every` steps and at the end.
    record_every : int
        Recording interval in steps.
    stop_tol : float, optional
        Early-stop tolerance on |d state/dt| (None: never stop early).
    stop_after : float
        No early stop before this time (e.g. while a cue is presented).

    Returns
    -------
    tuple
        (final state, final t).
    """
    check_method(method)
    t = 0.0
    record(t, state)
    for n in range(1, steps + 1):
        new = step(lambda s: rhs(s, t), state, dt, method)
        t = n * dt
        done = False
        if stop_tol is not None and t >= stop_after and n % 10 == 0:
            done = all(np.max(np.abs(a - b)) < stop_tol * dt for a, b in zip(new, state))
        state = new
        if n % 50 == 0:
            check_finite(state, names, t)
        if n % record_every == 0 or n == steps or done:
            record(t, state)
        if done:
            break
    check_finite(state, names, t)
    return state, t
