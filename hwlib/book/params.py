"""A notebook's parameters: read from its annotated ``parameters`` cell, checked before any run.

A parameters cell holds lines like ``epochs: int = 10  # epochs per fold``.
Papermill itself accepts any name and injects ``--set seed=0`` as a string; these
functions refuse unknown names and wrong types with a message that lists what
is valid, before a kernel is started.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

TYPES = {"int": int, "float": float, "str": str, "bool": bool}
TRUE = {"true", "yes", "1", "on"}
FALSE = {"false", "no", "0", "off"}


class ParameterError(ValueError):
    """A parameter name or value that the notebook does not accept."""


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: name, type, default value and the comment that explains it."""

    name: str
    type: str
    default: object
    help: str = ""


def parameters_cell(nb) -> str:
    """The source of the cell tagged ``parameters``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source
    raise ParameterError("the notebook has no code cell tagged 'parameters'")


def declared(source: str) -> dict[str, Parameter]:
    """Parse ``name: type = value  # help`` lines; every assignment must be annotated."""
    tree = ast.parse(source)
    lines = source.splitlines()
    params = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = ", ".join(ast.unparse(t) for t in node.targets)
            raise ParameterError(f"parameter {names} has no type annotation (write `{names}: int = ...`)")
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        kind = ast.unparse(node.annotation)
        if kind not in TYPES:
            raise ParameterError(f"parameter {node.target.id} has type {kind}; use one of {', '.join(TYPES)}")
        default = ast.literal_eval(node.value) if node.value is not None else None
        comment = lines[node.lineno - 1].partition("#")[2].strip()
        params[node.target.id] = Parameter(node.target.id, kind, default, comment)
    return params


def describe(params: dict[str, Parameter]) -> str:
    """A table of the valid parameters, for error messages and ``--help``."""
    width = max((len(p.name) for p in params.values()), default=4)
    return "\n".join(
        f"  {p.name:<{width}}  {p.type:<5}  default {p.default!r:<10}  {p.help}" for p in params.values()
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


def resolve(params: dict[str, Parameter], *layers: tuple[str, dict]) -> dict:
    """Defaults overlaid by each ``(origin, values)`` layer in turn, every name and type checked."""
    values = {name: p.default for name, p in params.items()}
    for origin, layer in layers:
        for name, value in (layer or {}).items():
            if name not in params:
                raise ParameterError(
                    f"unknown parameter {name!r} (from {origin}). Valid parameters:\n{describe(params)}"
                )
            values[name] = coerce(params[name], value)
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
