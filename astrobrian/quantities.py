"""Safe parsing of quantities written as text ("0.5 umolar/second", "1.5/umolar/second").

Numbers, Brian2 unit names (the full names such as `second` or `mvolt` and the short names
Brian2 prints, such as `s`, `mV`, `F`), + − * / ** and parentheses are allowed; nothing else is
evaluated (no names beyond units, no calls, no attributes), so a model or protocol file never
runs code. Every result must be finite: inf, nan and overflow are refused.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings

import brian2.units as _units
import brian2.units.allunits as _allunits
import numpy as np
from brian2.units.fundamentalunits import DIMENSIONLESS, Dimension, Quantity, Unit, get_dimensions, get_unit

from .errors import InputError


def _unit_names() -> dict[str, Unit]:
    """Every unit by its Brian2 name (`msecond`, `mmolar`) and by the short name Brian2 prints
    (`ms`, `mM`, `s`, `F`); a short name is kept only where it names a single unit."""
    by_name = {
        name: obj
        for module in (_allunits, _units)
        for name, obj in vars(module).items()
        if isinstance(obj, Unit) and not name.startswith("_")
    }
    short: dict[str, Unit] = {}
    clashes: set[str] = set()
    for unit in by_name.values():
        name = str(unit.dispname)
        if not name.isidentifier() or name in by_name:
            continue
        if name in short and (float(short[name]), short[name].dim) != (float(unit), unit.dim):
            clashes.add(name)
        short.setdefault(name, unit)
    return {**by_name, **{k: v for k, v in short.items() if k not in clashes}}


UNITS: dict[str, Unit] = _unit_names()

MAX_CHARS = 500  # a quantity string longer than this is refused before it is parsed
MAX_DEPTH = 60  # deepest nesting of operations a quantity string may have

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_EXAMPLE = "a number with Brian2 units such as '0.5 umolar/second'"

# names of the physical quantities users meet in the model files, by their SI unit
_NAMED = {
    "second": "a time", "volt": "a voltage", "amp": "a current", "farad": "a capacitance",
    "siemens": "a conductance", "ohm": "a resistance", "coulomb": "a charge", "hertz": "a rate",
    "mmolar": "a concentration", "mole": "an amount of substance", "metre": "a length",
    "metre2": "an area", "metre3": "a volume", "kelvin": "a temperature", "kilogram": "a mass",
    "joule": "an energy", "watt": "a power", "mmolar / second": "a concentration rate",
    "volt / second": "a voltage rate", "amp / second": "a current rate",
}


def describe_dimensions(like: object) -> str:
    """'a capacitance (farad)', 'a quantity in units of mmolar / second' or 'a dimensionless
    number': the dimensions of `like` (a quantity, unit or Dimension) in words."""
    dim = like if isinstance(like, Dimension) else get_dimensions(like)
    if dim is DIMENSIONLESS:
        return "a dimensionless number"
    unit = repr(get_unit(dim))
    if unit in _NAMED:
        return f"{_NAMED[unit]} ({unit})"
    return f"a quantity in units of {unit}"


def _depth(tree: ast.AST) -> int:
    """Nesting depth of an AST, measured without recursion."""
    deepest, todo = 0, [(tree, 1)]
    while todo:
        node, depth = todo.pop()
        deepest = max(deepest, depth)
        todo.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _evaluate(node: ast.AST, field: str, text: str):
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, field, text)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        if not math.isfinite(float(node.value)):  # a literal beyond the float range, e.g. 1e400
            raise OverflowError(node.value)
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in UNITS:
            raise InputError(field, f"a number with Brian2 units; '{node.id}' is not a Brian2 unit", text)
        return UNITS[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_evaluate(node.left, field, text), _evaluate(node.right, field, text))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand, field, text))
    raise InputError(field, _EXAMPLE, text)


def is_finite(value: object) -> bool:
    """True for a finite number or quantity (every element finite, for an array)."""
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        return False


def _short(text: str) -> str:
    """A long input shown as its length and its start, to keep the message on one line."""
    return f"{len(text)} characters: {text[:40]}…"


def parse_quantity(text: object, field: str) -> Quantity | float:
    """Parse '3.2 umolar/second' (a space means multiplication) into a finite Brian2 quantity.

    Plain numbers become floats (dimensionless). Raises InputError naming `field`.
    """
    if isinstance(text, bool):
        raise InputError(field, "a number or a quantity string", text)
    if isinstance(text, (int, float)):
        if not math.isfinite(text):
            raise InputError(field, "a finite quantity", text)
        return float(text)
    if not isinstance(text, str) or not text.strip():
        raise InputError(field, "a number or a quantity string such as '0.5 umolar/second'", text)
    if len(text) > MAX_CHARS:
        raise InputError(field, f"a quantity string of at most {MAX_CHARS} characters", _short(text))
    expr = re.sub(r"(?<=[0-9.])\s+(?=[A-Za-z(])", " * ", text.strip())
    try:
        tree = ast.parse(expr, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise InputError(field, _EXAMPLE, text) from None
    if _depth(tree) > MAX_DEPTH:
        raise InputError(field, f"a quantity string nested at most {MAX_DEPTH} operations deep", _short(text))
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # overflow is reported below as a non-finite result
            value = _evaluate(tree, field, text)
    except (ZeroDivisionError, OverflowError):
        raise InputError(field, "a finite quantity", text) from None
    except Exception as err:  # dimension errors from adding incompatible units, etc.
        if isinstance(err, InputError):
            raise
        raise InputError(field, f"a dimensionally consistent quantity ({err})", text) from None
    if not is_finite(value):
        raise InputError(field, "a finite quantity", text)
    if isinstance(value, Quantity) and get_dimensions(value) is DIMENSIONLESS:
        return float(value)
    return value


def require_dimensions(value: object, like: object, field: str, got: object = None) -> object:
    """Check that `value` has the dimensions of `like`; the message says which in words.

    Parameters
    ----------
    value : object
        A Brian2 quantity or a number.
    like : object
        Anything with the dimensions required.
    field : str
        The name given in the error.
    got : object, optional
        What the error shows as given (default `value`).

    Returns
    -------
    object
        `value` unchanged.
    """
    if get_dimensions(value) != get_dimensions(like):
        raise InputError(field, describe_dimensions(like), value if got is None else got)
    return value
