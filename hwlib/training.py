"""Seeded training: k-fold cross-validation and the final fit, with a compact progress bar."""

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
        return {
            "name": self.name,
            "fold_accuracy": [f.accuracy for f in self.folds],
            "fold_loss": [f.loss for f in self.folds],
            "mean": self.mean,
            "std": self.std,
            "histories": [f.history for f in self.folds],
            "seconds": [f.seconds for f in self.folds],
        }


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
            history = model.fit(
                x[train_idx], y_onehot[train_idx],
                validation_data=(x[val_idx], y_onehot[val_idx]),
                epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[EpochBar(bar)],
            )
            loss, accuracy = model.evaluate(x[val_idx], y_onehot[val_idx], verbose=0)
            result.folds.append(FoldResult(
                k, float(accuracy), float(loss),
                {key: [float(v) for v in values] for key, values in history.history.items()},
                time.perf_counter() - start,
            ))
            keras.backend.clear_session()
    return result


def fit_final(
    build_model: Callable[[], keras.Model],
    x: np.ndarray,
    y_onehot: np.ndarray,
    epochs: int = 10,
    batch_size: int = 32,
    seed: int = 0,
    name: str = "model",
) -> tuple[keras.Model, dict[str, list[float]]]:
    """Train one model on all of ``x`` and return it with its history."""
    keras.utils.set_random_seed(seed)
    model = build_model()
    with progress(epochs, f"{name}: final fit") as bar:
        history = model.fit(x, y_onehot, epochs=epochs, batch_size=batch_size, verbose=0,
                            callbacks=[EpochBar(bar)])
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}
