"""A notebook's parameters: read from its annotated ``parameters`` cell, checked before any run.

A parameters cell holds lines like ``epochs: int = 10  # [1, 1000] epochs per fold``. The comment
may start with the values the parameter accepts:

- a range for an int or float: ``[1, 1000]`` (both ends included), ``(0, 1]`` (0 excluded);
- choices for a str: ``{relu, tanh, sigmoid}``.

Papermill itself accepts any name and injects ``--set seed=0`` as a string; these functions
refuse unknown names, wrong types, values outside their range or choices, and nan or inf, with
a message that says what is valid, before a kernel is started.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

TYPES = {"int": int, "float": float, "str": str, "bool": bool}
TRUE = {"true", "yes", "1", "on"}
FALSE = {"false", "no", "0", "off"}
RANGE = re.compile(r"([\[(])\s*([^\s,\[\]()]+)\s*,\s*([^\s,\[\]()]+)\s*([\])])\s*(.*)", re.S)
CHOICES = re.compile(r"\{([^{}]*)\}\s*(.*)", re.S)


class ParameterError(ValueError):
    """A parameter name or value that the notebook does not accept."""


@dataclass(frozen=True)
class Range:
    """The numbers from ``low`` to ``high``; an open end excludes that bound."""

    low: int | float
    high: int | float
    low_open: bool = False
    high_open: bool = False

    def __contains__(self, value) -> bool:
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def __str__(self) -> str:
        low, high = _number(self.low), _number(self.high)
        return f"{'(' if self.low_open else '['}{low}, {high}{')' if self.high_open else ']'}"

    def words(self) -> str:
        """``from 1 to 1000``, ``greater than 0 and at most 1``, ..."""
        low, high = _number(self.low), _number(self.high)
        if not (self.low_open or self.high_open):
            return f"from {low} to {high}"
        low = f"greater than {low}" if self.low_open else f"at least {low}"
        high = f"less than {high}" if self.high_open else f"at most {high}"
        return f"{low} and {high}"


def _number(x) -> str:
    """1 for 1.0, 0.001 for 1e-3: a bound as one would write it."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(x)


def _a(kind: str) -> str:
    return f"an {kind}" if kind == "int" else f"a {kind}"


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: name, type, default, the comment that explains it (after the
    range), and what it accepts: a :class:`Range`, a tuple of choices, or None (any value)."""

    name: str
    type: str
    default: object
    help: str = ""
    accepts: Range | tuple | None = None

    def shown(self) -> str:
        """The range or choices as written in the cell: ``[1, 1000]``, ``{relu, tanh}``, or ``-``."""
        if isinstance(self.accepts, tuple):
            return "{" + ", ".join(self.accepts) + "}"
        return str(self.accepts) if self.accepts else "-"


def parameters_cell(nb) -> str:
    """The source of the cell tagged ``parameters``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source
    raise ParameterError("the notebook has no code cell tagged 'parameters'")


def _bound(name: str, kind: str, text: str):
    try:
        value = int(text) if kind == "int" else float(text)
    except ValueError:
        raise ParameterError(f"parameter {name}: the range bound {text!r} is not {_a(kind)}") from None
    if not math.isfinite(value):
        raise ParameterError(f"parameter {name}: the range bound {text!r} must be a finite number")
    return value


def accepts(name: str, kind: str, comment: str) -> tuple[Range | tuple | None, str]:
    """What the comment's leading ``[low, high]`` or ``{a, b}`` allows, and the help text after it."""
    found = RANGE.fullmatch(comment)
    if found:
        opening, low, high, closing, rest = found.groups()
        if kind not in ("int", "float"):
            raise ParameterError(f"parameter {name} is {_a(kind)}: only int and float parameters take a range")
        allowed = Range(_bound(name, kind, low), _bound(name, kind, high), opening == "(", closing == ")")
        if allowed.low > allowed.high or (allowed.low == allowed.high and (allowed.low_open or allowed.high_open)):
            raise ParameterError(f"parameter {name}: the range {allowed} holds no value")
        return allowed, rest.strip()
    found = CHOICES.fullmatch(comment)
    if found:
        if kind != "str":
            raise ParameterError(f"parameter {name} is {_a(kind)}: only str parameters take choices like {{a, b}}")
        choices = tuple(c.strip() for c in found.group(1).split(","))
        if not all(choices):
            raise ParameterError(f"parameter {name}: write its choices as {{a, b, c}}, got {{{found.group(1)}}}")
        return choices, found.group(2).strip()
    if comment.startswith(("[", "{")):
        raise ParameterError(f"parameter {name}: its comment starts with {comment[0]!r} but is not a range like "
                             f"[1, 100] or (0, 1], nor choices like {{a, b}}: {comment!r}")
    return None, comment


def declared(source: str) -> dict[str, Parameter]:
    """Parse ``name: type = value  # [range] help`` lines; every assignment must be annotated and
    every default must be accepted by its own range or choices."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        shown = f" `{exc.text.strip()}`" if exc.text and exc.text.strip() else ""
        raise ParameterError(f"the parameters cell is not valid Python: {exc.msg} in its line {exc.lineno}{shown}; "
                             f"write each parameter as `name: type = value  # [range] help`") from None
    lines = source.splitlines()
    params = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = ", ".join(ast.unparse(t) for t in node.targets)
            raise ParameterError(f"parameter {names} has no type annotation (write `{names}: int = ...`)")
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        name, kind = node.target.id, ast.unparse(node.annotation)
        if kind not in TYPES:
            raise ParameterError(f"parameter {name} has type {kind}; use one of {', '.join(TYPES)}")
        default = _default(name, kind, node.value, source)
        comment = lines[node.lineno - 1].partition("#")[2].strip()
        allowed, help_text = accepts(name, kind, comment)
        params[name] = Parameter(name, kind, default, help_text, allowed)
        check(params[name], default, "default in the parameters cell")
    return params


def _default(name: str, kind: str, node, source: str) -> object:
    """The default written after ``=``: a plain value of the declared type (the runner reads it
    without running the cell, and papermill replaces the whole line)."""
    if node is None:
        raise ParameterError(f"parameter {name} has no default; write `{name}: {kind} = <value>`")
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        text, hint = ast.get_source_segment(source, node) or ast.unparse(node), _arithmetic(node)
        fits = isinstance(hint, int) or (kind == "float" and isinstance(hint, float))
        fix = f"`{name}: {kind} = {hint!r}`" if fits else f"`{name}: {kind} = <value>`"
        raise ParameterError(f"parameter {name}: its default `{text}` is computed, not written out; "
                             f"write the value itself: {fix}") from None
    if kind == "bool":
        fits = isinstance(value, bool)
    elif kind == "float":
        fits = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        fits = isinstance(value, TYPES[kind]) and not isinstance(value, bool)
    if not fits:
        actual = type(value).__name__
        other = f", or declare it `{name}: {actual} = {value!r}`" if actual in TYPES else ""
        raise ParameterError(f"parameter {name}: its default {value!r} is {_a(actual)}, not {_a(kind)}; "
                             f"write {_a(kind)} value{other}")
    return value


def _arithmetic(node) -> int | float | None:
    """The value of plain arithmetic on numbers (``6*7`` -> 42), for the fix a message shows; else None."""
    allowed = (ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.USub, ast.UAdd)
    for part in ast.walk(node):
        number = isinstance(part, ast.Constant) and type(part.value) in (int, float) and abs(part.value) < 1e12
        if not (number or isinstance(part, allowed)):
            return None
    try:
        return eval(compile(ast.Expression(node), "<default>", "eval"), {"__builtins__": {}})
    except ArithmeticError:
        return None


def describe(params: dict[str, Parameter]) -> str:
    """A table of the valid parameters, for error messages and ``--help``."""
    width = max((len(p.name) for p in params.values()), default=4)
    span = max((len(p.shown()) for p in params.values()), default=1)
    return "\n".join(
        f"  {p.name:<{width}}  {p.type:<5}  default {p.default!r:<10}  {p.shown():<{span}}  {p.help}"
        for p in params.values()
    )


def coerce(param: Parameter, value):
    """``value`` as the parameter's type; strings (from the command line) are parsed."""
    kind = TYPES[param.type]
    if isinstance(value, str) and kind is not str:
        text = value.strip()
        try:
            if kind is bool:
                if text.lower() in TRUE:
                    return True
                if text.lower() in FALSE:
                    return False
                raise ValueError
            return kind(text)
        except ValueError:
            raise ParameterError(
                f"{param.name}={value!r} is not a valid {param.type} ({param.help or 'no description'})"
            ) from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise ParameterError(
            f"{param.name}={value!r} is a {type(value).__name__}, expected {param.type}"
            f" ({param.help or 'no description'})"
        )
    return value


def check(param: Parameter, value, origin: str) -> None:
    """Refuse nan and inf for a float, and a value outside the parameter's range or choices."""
    allowed, about = param.accepts, f" ({param.help})" if param.help else ""
    if isinstance(value, float) and not math.isfinite(value):
        valid = f" {allowed.words()}" if isinstance(allowed, Range) else ""
        raise ParameterError(f"{param.name}={value} ({origin}) is not a finite number: "
                             f"give a float{valid}{about}")
    if isinstance(allowed, Range) and isinstance(value, (int, float)) and value not in allowed:
        raise ParameterError(f"{param.name}={value!r} ({origin}) is outside its range {allowed}: "
                             f"give {_a(param.type)} {allowed.words()}{about}")
    if isinstance(allowed, tuple) and value not in allowed:
        raise ParameterError(f"{param.name}={value!r} ({origin}) is not one of {param.shown()}: "
                             f"give one of {', '.join(allowed)}{about}")


def resolve(params: dict[str, Parameter], *layers: tuple[str, dict]) -> dict:
    """Defaults overlaid by each ``(origin, values)`` layer in turn, every name, type and range checked."""
    values = {name: p.default for name, p in params.items()}
    for origin, layer in layers:
        for name, value in (layer or {}).items():
            if name not in params:
                raise ParameterError(
                    f"unknown parameter {name!r} (from {origin}). Valid parameters:\n{describe(params)}"
                )
            values[name] = coerce(params[name], value)
            check(params[name], values[name], f"from {origin}")
    return values


def parse_assignments(items: list[str]) -> dict[str, str]:
    """``["epochs=3", "seed=1"]`` -> ``{"epochs": "3", "seed": "1"}``."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--set takes name=value, got {item!r}")
        out[name.strip()] = value
    return out
