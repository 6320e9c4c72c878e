"""KerasTuner searches run quietly under one progress bar, and a readable table of their trials.

A search lives in ``directory/<project>-<key>``: :func:`search_key` digests the training arrays
(the validation split is taken from them), the hypermodel's code and the search settings, so a
search is resumed (``overwrite=False``) only when data, search space and code are the same; any
change starts a new search in a new folder and leaves the old one as it was.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import types
from pathlib import Path

import numpy as np
import pandas as pd

from . import results, training


def _search(tuner, x, y, epochs: int, total: int | None, desc: str, **search_args):
    # Keras-tuner's console display floods notebooks and differs between runs; one bar counts the epochs.
    with training.progress(total, desc) as bar:
        tuner.search(x, y, epochs=epochs, verbose=0, callbacks=[training.EpochBar(bar)], **search_args)
    return tuner


def _announce(tuner, overwrite: bool) -> None:
    done = sum(t.status == "COMPLETED" for t in tuner.oracle.trials.values())
    state = ("a new search" if overwrite or not tuner.oracle.trials else
             f"resumed: {done} finished trial(s) of this search (same data, search space and code) are kept")
    folder = Path(tuner.project_dir).resolve()
    if folder.is_relative_to(results.outputs_dir()):  # the runner's staging folder is plumbing: name it as published
        folder = Path("<outputs>") / folder.relative_to(results.outputs_dir())
    print(f"tuner folder: {folder} ({state})")


def random_search(hypermodel, x, y, trials: int, epochs: int, seed: int, directory, project: str,
                  validation_split: float = 0.1, overwrite: bool = True, batch_size: int = 32):
    """Run a RandomSearch on ``val_accuracy`` in ``directory/<project>-<key>`` (:func:`search_key`)
    and return the tuner."""
    import keras_tuner as kt

    key = search_key(hypermodel, x, y, tuner="random", trials=trials, epochs=epochs, seed=seed,
                     validation_split=validation_split, batch_size=batch_size)
    tuner = kt.RandomSearch(hypermodel, objective="val_accuracy", max_trials=trials, seed=seed,
                            directory=str(directory), project_name=f"{project}-{key}", overwrite=overwrite)
    _announce(tuner, overwrite)
    return _search(tuner, x, y, epochs, trials * epochs, f"{project}: {trials} trials x {epochs} epochs",
                   validation_split=validation_split, batch_size=batch_size)


def hyperband(hypermodel, x, y, max_epochs: int, seed: int, directory, project: str, factor: int = 3,
              validation_split: float = 0.2, overwrite: bool = False, batch_size: int = 32):
    """Run a Hyperband search on ``val_accuracy`` in ``directory/<project>-<key>`` (:func:`search_key`)
    and return the tuner; with ``overwrite=False`` a search found there, which had the same data,
    search space and code, is resumed (finished trials are kept, not trained again)."""
    import keras_tuner as kt

    key = search_key(hypermodel, x, y, tuner="hyperband", max_epochs=max_epochs, factor=factor, seed=seed,
                     validation_split=validation_split, batch_size=batch_size)
    tuner = kt.Hyperband(hypermodel, objective="val_accuracy", max_epochs=max_epochs, factor=factor, seed=seed,
                         directory=str(directory), project_name=f"{project}-{key}", overwrite=overwrite)
    _announce(tuner, overwrite)
    return _search(tuner, x, y, max_epochs, None, f"{project}: Hyperband, max {max_epochs} epochs per model",
                   validation_split=validation_split, batch_size=batch_size)


def search_name(prefix: str, **settings) -> str:
    """A tuner project name that changes with the search settings (the search functions add
    :func:`search_key`, which also covers the data and the hypermodel's code)."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


def search_key(hypermodel, x, y, **settings) -> str:
    """10 hex digits naming what a search's trials depend on: the bytes, dtype and shape of ``x`` and
    ``y``, the hypermodel's code (:func:`code_text`), ``settings`` and the Keras and KerasTuner versions."""
    from importlib import metadata

    digest = hashlib.sha256()
    for array in (x, y):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.reshape(-1).view(np.uint8) if array.size else b"")
    digest.update(code_text(hypermodel).encode())
    versions = {}
    for name in ("keras", "keras-tuner"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    digest.update(json.dumps({"settings": settings, "versions": versions}, sort_keys=True, default=repr).encode())
    return digest.hexdigest()[:10]


def code_text(hypermodel) -> str:
    """The code a hypermodel runs, as text: its source (a function, or a ``HyperModel``'s class and
    simple attributes) and that of the functions and classes it names from its own module or hwlib,
    followed recursively, with the simple values (numbers, strings, short lists) it reads from there.
    Where the source cannot be read (code made by ``exec``), its compiled code stands in."""
    parts, seen = [], set()
    if not (inspect.isfunction(hypermodel) or inspect.isclass(hypermodel)):
        parts.append(f"instance of {type(hypermodel).__qualname__}: " + repr(
            {k: v for k, v in sorted(getattr(hypermodel, "__dict__", {}).items()) if _simple(v)}))
        hypermodel = type(hypermodel)
    _collect(hypermodel, parts, seen)
    return "\n".join(parts)


def _collect(obj, parts: list[str], seen: set) -> None:
    if id(obj) in seen:
        return
    seen.add(id(obj))
    try:
        parts.append(inspect.getsource(obj))
    except (OSError, TypeError):  # defined by exec, or a class of a notebook's __main__
        parts.append(repr([_code_repr(c) for c in _codes(obj)]))
    functions = [obj] if inspect.isfunction(obj) else [v for v in vars(obj).values() if inspect.isfunction(v)]
    for function in functions:
        parts.append(repr((function.__defaults__, function.__kwdefaults__)))
        for cell in function.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            parts.append(repr(value) if _simple(value) else "")
            if _ours(value, function):
                _collect(value, parts, seen)
        module = function.__globals__
        for name in sorted(_names(function.__code__)):
            if name not in module:
                continue
            value = module[name]
            if _ours(value, function):
                _collect(value, parts, seen)
            elif _simple(value):
                parts.append(f"{name} = {value!r}")


def _ours(value, function) -> bool:
    """A function or class of ``function``'s own module or of hwlib (not a library's)."""
    if not (inspect.isfunction(value) or inspect.isclass(value)):
        return False
    module = getattr(value, "__module__", "") or ""
    return module == function.__module__ or module == "hwlib" or module.startswith("hwlib.")


def _simple(value, depth: int = 0) -> bool:
    """Numbers, strings and short containers of them: values whose repr is their content."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return not isinstance(value, (str, bytes)) or len(value) <= 1000
    if isinstance(value, (tuple, list, set, frozenset)) and depth < 3 and len(value) <= 100:
        return all(_simple(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < 3 and len(value) <= 100:
        return all(_simple(k, depth + 1) and _simple(v, depth + 1) for k, v in value.items())
    return False


def _codes(obj) -> list[types.CodeType]:
    if inspect.isfunction(obj):
        return [obj.__code__]
    return [v.__code__ for _, v in sorted(vars(obj).items()) if inspect.isfunction(v)]


def _names(code: types.CodeType) -> set[str]:
    """Global names a code object and the functions, lambdas and comprehensions inside it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _code_repr(code: types.CodeType):
    """A code object without its file name and line numbers (which change between kernels)."""
    return (code.co_code.hex(), code.co_names, code.co_varnames,
            [_code_repr(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts])


def trials_table(tuner) -> pd.DataFrame:
    """One row per trial: its hyperparameter values and score, best first."""
    rows = []
    for trial in tuner.oracle.trials.values():
        values = {k: v for k, v in trial.hyperparameters.values.items() if not k.startswith("tuner/")}
        epochs = trial.hyperparameters.values.get("tuner/epochs")
        rows.append({"trial": trial.trial_id, **values, **({"epochs": epochs} if epochs else {}),
                     "val_accuracy": trial.score, "status": trial.status})
    frame = pd.DataFrame(rows).sort_values("val_accuracy", ascending=False, na_position="last")
    return frame.set_index("trial")
