"""Safe parsing of quantities written as text ("0.5 umolar/second", "1.5/umolar/second").

Numbers, Brian2 unit names, + − * / ** and parentheses are allowed; nothing else is evaluated
(no names beyond units, no calls, no attributes), so a model or protocol file never runs code.
"""

from __future__ import annotations

import ast
import operator
import re

import brian2.units as _units
import brian2.units.allunits as _allunits
from brian2.units.fundamentalunits import DIMENSIONLESS, Quantity, Unit, get_dimensions

from .errors import InputError

UNITS: dict[str, Unit] = {
    name: obj
    for module in (_allunits, _units)
    for name, obj in vars(module).items()
    if isinstance(obj, Unit) and not name.startswith("_")
}

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv, ast.Pow: operator.pow}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}


def _evaluate(node: ast.AST, field: str, text: str):
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, field, text)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in UNITS:
            raise InputError(field, f"a number with Brian2 units; '{node.id}' is not a Brian2 unit", text)
        return UNITS[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_evaluate(node.left, field, text), _evaluate(node.right, field, text))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand, field, text))
    raise InputError(field, "a number with Brian2 units such as '0.5 umolar/second'", text)


def parse_quantity(text: object, field: str) -> Quantity | float:
    """Parse '3.2 umolar/second' (a space means multiplication) into a Brian2 quantity.

    Plain numbers become floats (dimensionless). Raises InputError naming `field`.
    """
    if isinstance(text, bool):
        raise InputError(field, "a number or a quantity string", text)
    if isinstance(text, (int, float)):
        return float(text)
    if not isinstance(text, str) or not text.strip():
        raise InputError(field, "a number or a quantity string such as '0.5 umolar/second'", text)
    expr = re.sub(r"(?<=[0-9.])\s+(?=[A-Za-z(])", " * ", text.strip())
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise InputError(field, "a number with Brian2 units such as '0.5 umolar/second'", text) from None
    try:
        value = _evaluate(tree, field, text)
    except ZeroDivisionError:
        raise InputError(field, "a finite quantity", text) from None
    except Exception as err:  # dimension errors from adding incompatible units, etc.
        if isinstance(err, InputError):
            raise
        raise InputError(field, f"a dimensionally consistent quantity ({err})", text) from None
    if isinstance(value, Quantity) and get_dimensions(value) is DIMENSIONLESS:
        return float(value)
    return value


def require_dimensions(value: object, like: object, field: str) -> object:
    """Check that `value` has the dimensions of `like` (Brian2 style message otherwise)."""
    if get_dimensions(value) != get_dimensions(like):
        expected = "dimensionless" if get_dimensions(like) is DIMENSIONLESS else f"units of {Quantity(1, get_dimensions(like)).dim}"
        raise InputError(field, f"a quantity in {expected}", value)
    return value
