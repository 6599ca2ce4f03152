"""The one error type users see for bad input: it names the field and the expected form."""

from __future__ import annotations

import numpy as np


class InputError(ValueError):
    """Bad user input: `field` is the offending parameter, `expected` its valid form."""

    def __init__(self, field: str, expected: str, got: object = None):
        self.field = field
        self.expected = expected
        self.got = got
        msg = f"{field}: expected {expected}"
        if got is not None:
            msg += f", got {got!r}"
        super().__init__(msg)


def require_positive_int(field: str, value: object, minimum: int = 1) -> int:
    """Return `value` as an int ≥ `minimum`, or raise InputError naming `field`.

    Parameters
    ----------
    field : str
        The name given in the error.
    value : object
        An int or anything with __index__ (NumPy integers); booleans are refused.
    minimum : int
        The smallest value allowed.

    Returns
    -------
    int
    """
    if isinstance(value, bool) or not isinstance(value, (int,)) and not (
        hasattr(value, "__index__")
    ):
        raise InputError(field, f"an integer ≥ {minimum}", value)
    value = int(value)
    if value < minimum:
        raise InputError(field, f"an integer ≥ {minimum}", value)
    return value


def require_positive(field: str, value: object, allow_zero: bool = False) -> float:
    """Return `value` as a finite float > 0 (or ≥ 0), or raise InputError naming `field`.

    Parameters
    ----------
    field : str
        The name given in the error.
    value : object
        Anything float() accepts.
    allow_zero : bool
        Accept 0 as well.

    Returns
    -------
    float
    """
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(field, "a finite number", value) from None
    if not (v == v) or v in (float("inf"), float("-inf")):
        raise InputError(field, "a finite number", value)
    if v < 0 or (v == 0 and not allow_zero):
        raise InputError(field, "a number ≥ 0" if allow_zero else "a number > 0", value)
    return v


def require_fraction(field: str, value: object) -> float:
    """Return `value` as a float in [0, 1], or raise InputError naming `field`."""
    v = require_positive(field, value, allow_zero=True)
    if v > 1:
        raise InputError(field, "a fraction in [0, 1]", value)
    return v


def require_switch(field: str, value: object) -> bool:
    """Return `value` as a bool (true or false only, not 0/1 or text), or raise InputError naming `field`."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(field, "true or false", value)
    return bool(value)


class NumericalInstability(FloatingPointError):
    """A running network's state became NaN or blew up: names the group, the variable and when."""

    def __init__(self, group: str, variable: str, when: str):
        self.group, self.variable, self.when = group, variable, when
        super().__init__(f"{group}.{variable} became NaN or blew up (|value| > 1e50) {when}; the run was stopped "
                         "(an unstable parameter set or time step)")
