"""KerasTuner searches run quietly, with a progress bar and a readable trials table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import training


def random_search(hypermodel, x, y, trials: int, epochs: int, seed: int, directory: Path,
                  project: str, validation_split: float = 0.1, overwrite: bool = True,
                  batch_size: int = 32):
    """Run a RandomSearch on ``val_accuracy`` and return the tuner.

    Keras-tuner's own console display is switched off (it floods notebooks and
    cannot be compared between runs); one progress bar counts the epochs instead.
    """
    import keras_tuner as kt

    tuner = kt.RandomSearch(
        hypermodel, objective="val_accuracy", max_trials=trials, seed=seed,
        directory=str(directory), project_name=project, overwrite=overwrite,
    )
    with training.progress(trials * epochs, f"{project}: {trials} trials x {epochs} epochs") as bar:
        tuner.search(x, y, epochs=epochs, validation_split=validation_split, batch_size=batch_size,
                     verbose=0, callbacks=[training.EpochBar(bar)])
    return tuner


def hyperband(hypermodel, x, y, max_epochs: int, seed: int, directory: Path, project: str,
              factor: int = 3, validation_split: float = 0.2, overwrite: bool = False,
              batch_size: int = 32):
    """Run a Hyperband search on ``val_accuracy`` and return the tuner.

    With ``overwrite=False`` a search found in ``directory/project`` is resumed:
    finished trials are kept and only the missing ones are trained.
    """
    import keras_tuner as kt

    tuner = kt.Hyperband(
        hypermodel, objective="val_accuracy", max_epochs=max_epochs, factor=factor, seed=seed,
        directory=str(directory), project_name=project, overwrite=overwrite,
    )
    with training.progress(None, f"{project}: Hyperband, max {max_epochs} epochs per model") as bar:
        tuner.search(x, y, epochs=max_epochs, validation_split=validation_split, batch_size=batch_size,
                     verbose=0, callbacks=[training.EpochBar(bar)])
    return tuner


def search_name(prefix: str, **settings) -> str:
    """A tuner project name that changes with the search settings, so a resumed search is the same search."""
    import hashlib
    import json

    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


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


def join_layer_columns(table: pd.DataFrame, count: str, pattern: str, name: str) -> pd.DataFrame:
    """Replace the per-layer columns ``pattern.format(j)`` by one column ``name`` listing only the
    first ``table[count]`` of them per trial ("64-32"): keras-tuner keeps values of layers a trial
    did not build."""
    columns = [c for c in table.columns if c.startswith(pattern.split("{")[0])]

    def used(row):
        values = [row[pattern.format(j)] for j in range(int(row[count]))]
        return "-".join(str(int(v)) for v in values)

    joined = table.drop(columns=columns)
    joined.insert(list(joined.columns).index(count) + 1, name, table.apply(used, axis=1))
    return joined
