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


def trials_table(tuner) -> pd.DataFrame:
    """One row per trial: its hyperparameter values and score, best first."""
    rows = []
    for trial in tuner.oracle.trials.values():
        rows.append({"trial": trial.trial_id, **trial.hyperparameters.values,
                     "val_accuracy": trial.score, "status": trial.status})
    frame = pd.DataFrame(rows).sort_values("val_accuracy", ascending=False, na_position="last")
    return frame.set_index("trial")
