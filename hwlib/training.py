"""The book's one training vocabulary: seeding, ``fit`` with a progress bar, k-fold cross-validation."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import keras
import numpy as np
from sklearn.model_selection import KFold
from tqdm import tqdm


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow and make TensorFlow's ops deterministic."""
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


class EpochBar(keras.callbacks.Callback):
    """One tqdm bar tick per epoch, showing the latest loss and accuracy (stderr, so pages stay clean)."""

    def __init__(self, bar: tqdm):
        super().__init__()
        self.bar = bar

    def __deepcopy__(self, memo):
        return self  # keras-tuner copies callbacks per trial; all trials share the one bar

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        shown = {k: f"{v:.4f}" for k, v in logs.items() if k in ("loss", "accuracy", "val_loss", "val_accuracy")}
        self.bar.set_postfix(shown, refresh=False)
        self.bar.update(1)


def progress(total: int, desc: str) -> tqdm:
    """A plain-text tqdm bar on stderr, readable in a terminal, a notebook and a papermill log."""
    return tqdm(total=total, desc=desc, file=sys.stderr, ascii=True, mininterval=1.0, leave=True)


@dataclass
class FoldResult:
    """What one fold produced."""

    fold: int
    accuracy: float
    loss: float
    history: dict[str, list[float]]
    seconds: float


@dataclass
class CVResult:
    """All folds of a cross-validation run."""

    name: str
    folds: list[FoldResult] = field(default_factory=list)

    @property
    def accuracies(self) -> np.ndarray:
        return np.array([f.accuracy for f in self.folds])

    @property
    def mean(self) -> float:
        return float(self.accuracies.mean())

    @property
    def std(self) -> float:
        """Population standard deviation over folds (numpy's default, as the report used)."""
        return float(self.accuracies.std())

    def as_dict(self) -> dict:
        """The folds' numbers, without wall times: the same training gives the same dict (pages read it)."""
        return {
            "name": self.name,
            "fold_accuracy": [f.accuracy for f in self.folds],
            "fold_loss": [f.loss for f in self.folds],
            "mean": self.mean,
            "std": self.std,
            "histories": [f.history for f in self.folds],
        }


def fit(model: keras.Model, x, y=None, *, epochs: int, batch_size: int | None = 32, name: str = "model",
        bar: tqdm | None = None, **fit_args) -> dict[str, list[float]]:
    """Train ``model`` quietly with a progress bar and return its history as plain floats.

    Everything else (``validation_data``, ``validation_split``, ``callbacks``,
    ``shuffle``, ...) goes to ``model.fit``. With ``bar`` the epochs tick an
    existing bar (several fits under one bar); otherwise the fit gets its own,
    labelled ``name``. The history ends early if a callback stops training.
    """
    if epochs < 1:
        raise ValueError(f"{name}: epochs must be at least 1, got {epochs}")
    callbacks = list(fit_args.pop("callbacks", []))
    own = bar is None
    bar = progress(epochs, name) if own else bar
    try:
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                            callbacks=callbacks + [EpochBar(bar)], **fit_args)
    finally:
        if own:
            bar.close()
    return {key: [float(v) for v in values] for key, values in history.history.items()}


def cross_validate(
    build_model: Callable[[], keras.Model],
    x: np.ndarray,
    y_onehot: np.ndarray,
    folds: int = 5,
    epochs: int = 10,
    batch_size: int = 32,
    seed: int = 0,
    name: str = "model",
) -> CVResult:
    """Train a fresh model on each of ``folds`` shuffled folds and score it on the held-out part."""
    if folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {folds}")
    result = CVResult(name)
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    with progress(folds * epochs, f"{name}: {folds}-fold CV") as bar:
        for k, (train_idx, val_idx) in enumerate(splitter.split(x), start=1):
            keras.utils.set_random_seed(seed + k)
            model = build_model()
            start = time.perf_counter()
            history = fit(model, x[train_idx], y_onehot[train_idx], epochs=epochs, batch_size=batch_size,
                          bar=bar, validation_data=(x[val_idx], y_onehot[val_idx]))
            loss, accuracy = model.evaluate(x[val_idx], y_onehot[val_idx], verbose=0)
            result.folds.append(FoldResult(k, float(accuracy), float(loss), history, time.perf_counter() - start))
            keras.backend.clear_session()
    return result
