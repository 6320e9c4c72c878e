"""The Fashion-MNIST CNNs of HW1 (part A), each a small function returning a compiled model."""

from __future__ import annotations

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)


def conv_classifier(
    filters=(32,),
    dense_units: int = 128,
    conv_dropout=None,
    dense_dropout: float | None = None,
    n_classes: int = 10,
    input_shape=INPUT_SHAPE,
    learning_rate: float = 1e-3,
    name: str = "cnn",
) -> keras.Model:
    """Conv blocks (3x3 'same' conv, LeakyReLU(0.1), 2x2 'same' max-pool, optional dropout),
    then Dense + LeakyReLU(0.1), optional dropout and a softmax layer; Adam and
    categorical cross-entropy on one-hot labels, as in report 002."""
    conv_dropout = conv_dropout or (None,) * len(filters)
    if len(conv_dropout) != len(filters):
        raise ValueError(f"conv_dropout has {len(conv_dropout)} rates for {len(filters)} conv blocks")
    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=input_shape))
    for i, (n_filters, rate) in enumerate(zip(filters, conv_dropout), start=1):
        model.add(layers.Conv2D(n_filters, 3, padding="same", name=f"conv{i}"))
        model.add(layers.LeakyReLU(negative_slope=0.1, name=f"leaky{i}"))
        model.add(layers.MaxPooling2D(2, padding="same", name=f"pool{i}"))
        if rate:
            model.add(layers.Dropout(rate, name=f"drop{i}"))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dense(dense_units, name="dense"))
    model.add(layers.LeakyReLU(negative_slope=0.1, name="leaky_dense"))
    if dense_dropout:
        model.add(layers.Dropout(dense_dropout, name="drop_dense"))
    model.add(layers.Dense(n_classes, activation="softmax", name="output"))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def baseline() -> keras.Model:
    """Item 2: one conv block (32 filters) and Dense(128)."""
    return conv_classifier((32,), 128, name="baseline")


def deep_same() -> keras.Model:
    """Item 5a: three conv blocks of 32 filters each and Dense(100)."""
    return conv_classifier((32, 32, 32), 100, name="deep_32_32_32")


def deep_wide() -> keras.Model:
    """Item 5b: three conv blocks of 32/64/128 filters and Dense(128)."""
    return conv_classifier((32, 64, 128), 128, name="deep_32_64_128")


def baseline_dropout() -> keras.Model:
    """Item 6a: the baseline with Dropout(0.25) after pooling and Dropout(0.3) after the dense layer."""
    return conv_classifier((32,), 128, conv_dropout=(0.25,), dense_dropout=0.3, name="baseline_dropout")


def deep_wide_dropout() -> keras.Model:
    """Item 6b: the 32/64/128 model with dropout 0.25/0.25/0.4 after the conv blocks and 0.3 after dense."""
    return conv_classifier((32, 64, 128), 128, conv_dropout=(0.25, 0.25, 0.4), dense_dropout=0.3,
                           name="deep_32_64_128_dropout")


ARCHITECTURES = {
    "baseline": baseline,
    "deep_same": deep_same,
    "deep_wide": deep_wide,
    "baseline_dropout": baseline_dropout,
    "deep_wide_dropout": deep_wide_dropout,
}


def build(name: str) -> keras.Model:
    """One of :data:`ARCHITECTURES` by name, with a clear error for an unknown one."""
    try:
        return ARCHITECTURES[name]()
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; choose one of {', '.join(ARCHITECTURES)}") from None


def tuner_hypermodel(hp) -> keras.Model:
    """Item 7's search space: two unpadded ReLU convs, Dense, softmax; sparse labels."""
    model = keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.Conv2D(hp.Int("conv_1_filter", 32, 128, step=16),
                      hp.Choice("conv_1_kernel", [3, 5]), activation="relu"),
        layers.Conv2D(hp.Int("conv_2_filter", 32, 128, step=16),
                      hp.Choice("conv_2_kernel", [3, 5]), activation="relu"),
        layers.Flatten(),
        layers.Dense(hp.Int("dense_1_units", 32, 128, step=16), activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(
        optimizer=keras.optimizers.Adam(hp.Choice("learning_rate", [1e-2, 1e-3])),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def mlp(units: int = 512, learning_rate: float = 0.01, n_classes: int = 10) -> keras.Model:
    """HW14 B4's baseline: Flatten, one ReLU hidden layer, softmax; Adam; integer labels."""
    model = keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.Flatten(),
        layers.Dense(units, activation="relu"),
        layers.Dense(n_classes, activation="softmax"),
    ], name=f"mlp_{units}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def mlp_hypermodel(hp) -> keras.Model:
    """HW14 B4's search space: hidden units 16..512 (step 16) and five learning rates."""
    return mlp(hp.Int("hidden_units", 16, 512, step=16),
               hp.Choice("learning_rate", [1e-4, 5e-4, 1e-3, 5e-3, 1e-2]))
