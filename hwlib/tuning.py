"""KerasTuner searches run quietly under one progress bar, and a readable table of their trials."""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from . import training


def _search(tuner, x, y, epochs: int, total: int | None, desc: str, **search_args):
    # Keras-tuner's console display floods notebooks and differs between runs; one bar counts the epochs.
    with training.progress(total, desc) as bar:
        tuner.search(x, y, epochs=epochs, verbose=0, callbacks=[training.EpochBar(bar)], **search_args)
    return tuner


def random_search(hypermodel, x, y, trials: int, epochs: int, seed: int, directory, project: str,
                  validation_split: float = 0.1, overwrite: bool = True, batch_size: int = 32):
    """Run a RandomSearch on ``val_accuracy`` in ``directory/project`` and return the tuner."""
    import keras_tuner as kt

    tuner = kt.RandomSearch(hypermodel, objective="val_accuracy", max_trials=trials, seed=seed,
                            directory=str(directory), project_name=project, overwrite=overwrite)
    return _search(tuner, x, y, epochs, trials * epochs, f"{project}: {trials} trials x {epochs} epochs",
                   validation_split=validation_split, batch_size=batch_size)


def hyperband(hypermodel, x, y, max_epochs: int, seed: int, directory, project: str, factor: int = 3,
              validation_split: float = 0.2, overwrite: bool = False, batch_size: int = 32):
    """Run a Hyperband search on ``val_accuracy`` and return the tuner; with ``overwrite=False`` a
    search found in ``directory/project`` is resumed (finished trials are kept, not trained again)."""
    import keras_tuner as kt

    tuner = kt.Hyperband(hypermodel, objective="val_accuracy", max_epochs=max_epochs, factor=factor, seed=seed,
                         directory=str(directory), project_name=project, overwrite=overwrite)
    return _search(tuner, x, y, max_epochs, None, f"{project}: Hyperband, max {max_epochs} epochs per model",
                   validation_split=validation_split, batch_size=batch_size)


def search_name(prefix: str, **settings) -> str:
    """A tuner project name that changes with the search settings, so a resumed search is the same search."""
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
