"""Remedies for imbalanced classes: oversampling of rare classes and training-time augmentation."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers


def oversample(x: np.ndarray, y: np.ndarray, target: int = 0, seed: int = 0
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top up every class with fewer than ``target`` examples to exactly ``target``.

    Every original example is kept once; a rare class gets ``target - n`` extra
    copies drawn uniformly with replacement from its own examples. Classes that
    already have ``target`` or more are kept as they are (nothing is removed).
    ``target <= 0`` means the size of the largest class, i.e. fully balanced.
    The result is shuffled; the same ``seed`` gives the same copies and order.
    Returns ``(x, y, index)`` with ``x == x_original[index]``.
    """
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    target = int(counts.max()) if target <= 0 else int(target)
    index = [np.arange(len(y))]
    for c, n in zip(classes, counts):
        if n < target:
            index.append(rng.choice(np.flatnonzero(y == c), size=target - n, replace=True))
    index = rng.permutation(np.concatenate(index))
    return x[index], y[index], index


def augmentation(flip: str = "horizontal_and_vertical", rotation: float = 0.05, shift: float = 0.1,
                 seed: int = 0) -> keras.Sequential:
    """Random flips, rotations by up to ``rotation`` of a full turn and shifts by up to ``shift`` of
    the image size, as Keras preprocessing layers: they change images only while training
    (``model.fit``), never in ``predict`` or ``evaluate``."""
    return keras.Sequential([
        layers.RandomFlip(flip, seed=seed),
        layers.RandomRotation(rotation, fill_mode="reflect", seed=seed + 1),
        layers.RandomTranslation(shift, shift, fill_mode="reflect", seed=seed + 2),
    ], name="augmentation")
