"""A JsonLogic evaluator (https://jsonlogic.com) for form conditions and computed values.

Written for the forms engine: rules come from form definitions that designers write, so
evaluation never executes code, never recurses without bound (``MAX_DEPTH``), and an unknown
operator is a definition error found when the definition is checked, not at a citizen's submit.
The server's result is the source of truth; the browser evaluates the same rules only for
instant feedback.
"""

from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from functools import reduce as fold
from itertools import pairwise
from typing import Any

MAX_DEPTH = 64


class LogicError(ValueError):
    """A rule is malformed (unknown operator, wrong arguments)."""


def _number(value: Any) -> int | Decimal:
    """Numbers as exact decimals (money must not drift), booleans as 0/1, text parsed."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    try:
        return Decimal(str(value).strip()) if value not in (None, "") else 0
    except InvalidOperation:
        return Decimal("NaN")


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: empty arrays are false, "0" is true."""
    if isinstance(value, list):
        return len(value) > 0
    return bool(value)


def _loose_equal(first: Any, second: Any) -> bool:
    if isinstance(first, str) and isinstance(second, int | float | Decimal | bool):
        return _number(first) == _number(second)
    if isinstance(second, str) and isinstance(first, int | float | Decimal | bool):
        return _number(first) == _number(second)
    return first == second


def resolve_var(data: Any, path: Any, default: Any = None) -> Any:
    """Look up a dotted path (``"dogs.0.name"``) in nested dicts and lists."""
    if path in (None, ""):
        return data
    current = data
    for part in str(path).split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return default
    return current


def _ordered(operator: Callable[[Any, Any], bool], first: Any, second: Any) -> bool:
    """Compare like JsonLogic: two texts as texts (so ISO dates order correctly), else as
    numbers; anything that is not a number compares false."""
    if isinstance(first, str) and isinstance(second, str):
        return operator(first, second)
    a, b = _number(first), _number(second)
    if any(isinstance(x, Decimal) and x.is_nan() for x in (a, b)):
        return False
    return operator(a, b)


def _compare(operator: Callable[[Any, Any], bool], values: list[Any]) -> bool:
    return all(_ordered(operator, a, b) for a, b in pairwise(values))


def _divide(a: Any, b: Any) -> Any:
    divisor = _number(b)
    return _number(a) / divisor if divisor else None


_SIMPLE: dict[str, Callable[..., Any]] = {
    "==": _loose_equal,
    "===": lambda a, b: a == b and type(a) is type(b),
    "!=": lambda a, b: not _loose_equal(a, b),
    "!==": lambda a, b: not (a == b and type(a) is type(b)),
    "!": lambda a=None: not truthy(a),
    "!!": lambda a=None: truthy(a),
    ">": lambda *v: _compare(lambda a, b: a > b, list(v)),
    ">=": lambda *v: _compare(lambda a, b: a >= b, list(v)),
    "<": lambda *v: _compare(lambda a, b: a < b, list(v)),
    "<=": lambda *v: _compare(lambda a, b: a <= b, list(v)),
    "+": lambda *v: sum((_number(x) for x in v), 0),
    "*": lambda *v: fold(lambda a, b: a * b, (_number(x) for x in v), 1),
    "-": lambda a, b=None: -_number(a) if b is None else _number(a) - _number(b),
    "/": _divide,
    "%": lambda a, b: _number(a) % _number(b) if _number(b) else None,
    "min": lambda *v: min((_number(x) for x in v), default=None),
    "max": lambda *v: max((_number(x) for x in v), default=None),
    "in": lambda a, b: a in b if isinstance(b, list | str) else False,
    "cat": lambda *v: "".join("" if x is None else str(x) for x in v),
    "substr": lambda s, start, length=None: _substr(str(s), int(start), length),
    "merge": lambda *v: [x for item in v for x in (item if isinstance(item, list) else [item])],
    "count": lambda v=None: len(v) if isinstance(v, list | str | dict) else 0,
}
_SPECIAL = {
    "var",
    "missing",
    "missing_some",
    "if",
    "?:",
    "and",
    "or",
    "map",
    "filter",
    "all",
    "some",
    "none",
    "reduce",
}
OPERATORS = frozenset(_SIMPLE) | _SPECIAL


def _substr(text: str, start: int, length: Any) -> str:
    begin = start if start >= 0 else max(len(text) + start, 0)
    if length is None:
        return text[begin:]
    length = int(length)
    return text[begin : begin + length] if length >= 0 else text[begin:length]


def evaluate(rule: Any, data: Any, _depth: int = 0) -> Any:
    """Evaluate ``rule`` against ``data``; plain values evaluate to themselves."""
    if _depth > MAX_DEPTH:
        raise LogicError("The rule is nested too deeply.")
    if isinstance(rule, list):
        return [evaluate(item, data, _depth + 1) for item in rule]
    if not isinstance(rule, dict) or len(rule) != 1:
        return rule
    operator, raw_args = next(iter(rule.items()))
    args = raw_args if isinstance(raw_args, list) else [raw_args]
    depth = _depth + 1
    if operator in _SIMPLE:
        values = [evaluate(arg, data, depth) for arg in args]
        try:
            return _SIMPLE[operator](*values)
        except TypeError as error:
            raise LogicError(f"Wrong arguments for {operator!r}: {error}") from None
    if operator == "var":
        values = [evaluate(arg, data, depth) for arg in args]
        return resolve_var(data, values[0] if values else None, *values[1:2])
    if operator in ("if", "?:"):
        for position in range(0, len(args) - 1, 2):
            if truthy(evaluate(args[position], data, depth)):
                return evaluate(args[position + 1], data, depth)
        return evaluate(args[-1], data, depth) if len(args) % 2 else None
    if operator in ("and", "or"):
        value = None
        for arg in args:
            value = evaluate(arg, data, depth)
            if truthy(value) != (operator == "and"):
                return value
        return value
    if operator == "missing":
        keys = evaluate(args, data, depth)
        keys = keys[0] if len(keys) == 1 and isinstance(keys[0], list) else keys
        return [key for key in keys if resolve_var(data, key) in (None, "", [])]
    if operator == "missing_some":
        needed, keys = evaluate(args[0], data, depth), evaluate(args[1], data, depth)
        missing = [key for key in keys if resolve_var(data, key) in (None, "", [])]
        return missing if len(keys) - len(missing) < needed else []
    return _iterate(operator, args, data, depth)


def _iterate(operator: str, args: list[Any], data: Any, depth: int) -> Any:
    if operator not in _SPECIAL:
        raise LogicError(f"Unknown operator {operator!r}.")
    items = evaluate(args[0], data, depth) if args else []
    items = items if isinstance(items, list) else []
    body = args[1] if len(args) > 1 else None
    if operator == "map":
        return [evaluate(body, item, depth) for item in items]
    if operator == "filter":
        return [item for item in items if truthy(evaluate(body, item, depth))]
    if operator == "all":
        return bool(items) and all(truthy(evaluate(body, item, depth)) for item in items)
    if operator == "some":
        return any(truthy(evaluate(body, item, depth)) for item in items)
    if operator == "none":
        return not any(truthy(evaluate(body, item, depth)) for item in items)
    initial = evaluate(args[2], data, depth) if len(args) > 2 else None
    return fold(
        lambda total, item: evaluate(body, {"current": item, "accumulator": total}, depth),
        items,
        initial,
    )


def check_rule(rule: Any) -> list[str]:
    """Problems with a rule's operators, for the designer (empty when the rule is well formed)."""
    problems = []
    for operator, _args in _walk(rule):
        if operator not in OPERATORS:
            problems.append(f"unknown operator {operator!r}")
    return problems


def variables(rule: Any) -> set[str]:
    """The data paths a rule reads (literal ``var`` arguments), for dependency checks."""
    found = set()
    for operator, args in _walk(rule):
        if operator == "var":
            first = args[0] if isinstance(args, list) and args else args
            if isinstance(first, str) and first:
                found.add(first)
        elif operator == "missing":
            found.update(
                arg for arg in (args if isinstance(args, list) else [args]) if isinstance(arg, str)
            )
    return found


def _walk(rule: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if depth > MAX_DEPTH:
        raise LogicError("The rule is nested too deeply.")
    if isinstance(rule, list):
        for item in rule:
            yield from _walk(item, depth + 1)
    elif isinstance(rule, dict) and len(rule) == 1:
        operator, args = next(iter(rule.items()))
        yield operator, args
        if operator not in ("map", "filter", "all", "some", "none", "reduce"):
            yield from _walk(args, depth + 1)
        elif isinstance(args, list) and args:
            yield from _walk(args[0], depth + 1)
