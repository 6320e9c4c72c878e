"""Part D, question 2: a small CIFAR-10 CNN and its ablations, described once as data.

:data:`DEFAULT` holds every setting of the default model and its training;
each entry of :data:`VARIANTS` names the settings it changes, and
:func:`settings` merges them.  :func:`run_configurations` trains any list of
configurations with early stopping on the validation loss and returns one
results table and the per-epoch histories.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from . import training

# Every setting of the default model (report 004, question 2) and of its training.
DEFAULT = {
    "arch": "cnn",
    "convs": ((7, 3, "same"), (9, 3, "valid")),  # (filters, kernel size, padding) per conv layer
    "pool": 2,
    "activation": "relu",
    "batch_norm": False,  # a BatchNormalization layer in front of the first convolution
    "dropout": 0.3,
    "optimizer": "adam",
    "learning_rate": 0.01,
    "batch_size": 32,
    "max_epochs": None,  # None: the run's epoch limit
}


@dataclass(frozen=True)
class Config:
    """One model of the ablation: a name, what it changes relative to :data:`DEFAULT`, and why."""

    name: str
    changes: dict = field(default_factory=dict)
    description: str = ""


VARIANTS = (
    Config("default", {}, "Conv(7, 3x3, same) -> Conv(9, 3x3) -> MaxPool 2x2 -> Dropout 0.3 -> Dense(10)"),
    Config("3 conv layers", {"convs": ((7, 3, "same"), (7, 3, "valid"), (9, 3, "valid"))},
           "one more Conv(7, 3x3) before the last convolution"),
    Config("4 conv layers", {"convs": ((7, 3, "same"), (7, 3, "valid"), (7, 3, "valid"), (9, 3, "valid"))},
           "two more Conv(7, 3x3) before the last convolution"),
    Config("first kernel 5x5", {"convs": ((7, 5, "same"), (9, 3, "valid"))}, "first convolution 5x5"),
    Config("first kernel 7x7", {"convs": ((7, 7, "same"), (9, 3, "valid"))}, "first convolution 7x7"),
    Config("one 5x5 conv, pool 5x5", {"convs": ((7, 5, "same"),), "pool": 5},
           "a single Conv(7, 5x5, same), then MaxPool 5x5"),
    Config("lr 0.1", {"learning_rate": 0.1}, "Adam with learning rate 0.1"),
    Config("lr 0.001", {"learning_rate": 0.001}, "Adam with learning rate 0.001"),
    Config("lr 0.0001", {"learning_rate": 0.0001}, "Adam with learning rate 0.0001"),
    Config("tanh", {"activation": "tanh"}, "tanh instead of ReLU in the convolutions"),
    Config("LeakyReLU", {"activation": "leaky_relu"}, "LeakyReLU (slope 0.2) instead of ReLU"),
    Config("SGD", {"optimizer": "sgd"}, "plain SGD (no momentum) with learning rate 0.01"),
    Config("BatchNorm", {"batch_norm": True}, "a BatchNormalization layer in front of the first convolution"),
    Config("batch 4", {"batch_size": 4}, "batches of 4 images"),
    Config("batch 128", {"batch_size": 128}, "batches of 128 images"),
    Config("MobileNetV2", {"arch": "mobilenetv2", "max_epochs": 20},
           "MobileNetV2 without its top, global average pooling, Dense(10); at most 20 epochs"),
)

RESULT_COLUMNS = ("min train loss", "min val loss", "epochs run", "best epoch", "seconds",
                  "best val accuracy", "val accuracy (kept)", "test accuracy")

# Where Keras keeps MobileNetV2's ImageNet weights (alpha 1.0, without the top, 96x96 input,
# the smallest size published); the run never downloads them.
MOBILENET_WEIGHTS = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5"


def settings(config: Config) -> dict:
    """The complete settings of ``config``: :data:`DEFAULT` with its changes applied."""
    unknown = set(config.changes) - set(DEFAULT)
    if unknown:
        raise ValueError(f"{config.name}: unknown setting(s) {', '.join(sorted(unknown))}")
    return {**DEFAULT, **config.changes}


def by_name(names) -> list[Config]:
    """The configurations called ``names`` (all of them when ``names`` is empty), in list order."""
    known = {c.name: c for c in VARIANTS}
    wanted = list(names) or list(known)
    missing = [n for n in wanted if n not in known]
    if missing:
        raise ValueError(f"unknown configuration(s) {missing}; known: {list(known)}")
    return [c for c in VARIANTS if c.name in wanted]


def config_table(configs=VARIANTS) -> pd.DataFrame:
    """One row per configuration: what it changes, its layers and its training settings."""
    rows = []
    for c in configs:
        s = settings(c)
        rows.append({
            "configuration": c.name,
            "changes": c.description,
            "conv layers": "MobileNetV2" if s["arch"] == "mobilenetv2" else " -> ".join(
                f"{f}@{k}x{k}" for f, k, _ in s["convs"]),
            "activation": s["activation"],
            "optimizer": f"{s['optimizer']} {s['learning_rate']:g}",
            "batch": s["batch_size"],
            "max epochs": s["max_epochs"] or "run's limit",
        })
    return pd.DataFrame(rows).set_index("configuration")


def mobilenet_weights_path() -> Path | None:
    """The local MobileNetV2 ImageNet weights file, if Keras has cached it."""
    path = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "models" / MOBILENET_WEIGHTS
    return path if path.is_file() else None


def _activation(name: str):
    if name == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=0.2)
    return keras.layers.Activation(name)


def build(config: Config, input_shape=(32, 32, 3), n_classes: int = 10) -> keras.Model:
    """The compiled model of ``config`` (pixels are expected in [0, 1])."""
    s = settings(config)
    inputs = keras.Input(input_shape)
    x = inputs
    if s["arch"] == "mobilenetv2":
        weights = mobilenet_weights_path()
        base = keras.applications.MobileNetV2(input_shape=input_shape, include_top=False,
                                              weights=str(weights) if weights else None)
        x = base(keras.layers.Rescaling(2.0, offset=-1.0)(x))
        x = keras.layers.GlobalAveragePooling2D()(x)
    else:
        if s["batch_norm"]:
            x = keras.layers.BatchNormalization()(x)
        for i, (filters, kernel, padding) in enumerate(s["convs"]):
            x = keras.layers.Conv2D(filters, kernel, padding=padding, name=f"conv{i + 1}")(x)
            x = _activation(s["activation"])(x)
        x = keras.layers.MaxPooling2D(s["pool"])(x)
        x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(s["dropout"])(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name=config.name.replace(" ", "_").replace(",", ""))
    optimizer = (keras.optimizers.Adam(s["learning_rate"]) if s["optimizer"] == "adam"
                 else keras.optimizers.SGD(s["learning_rate"]))
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def first_conv(model: keras.Model) -> keras.layers.Layer:
    """The model's first convolution layer."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            return layer
        if isinstance(layer, keras.Model):
            return first_conv(layer)
    raise ValueError(f"{model.name} has no convolution layer")


def validation_split(x, y, fraction: float, seed: int):
    """``(x_train, y_train, x_val, y_val)``: a stratified ``fraction`` of the data held out."""
    from sklearn.model_selection import train_test_split

    x_tr, x_val, y_tr, y_val = train_test_split(x, y, test_size=fraction, stratify=y, random_state=seed)
    return x_tr, y_tr, x_val, y_val


def early_stopping_summary(history: dict) -> dict:
    """Epochs run, the best epoch (lowest validation loss, counted from 1) and the minima."""
    val_loss = np.asarray(history["val_loss"], dtype=float)
    best = int(np.argmin(val_loss))
    return {
        "min train loss": float(np.min(history["loss"])),
        "min val loss": float(val_loss[best]),
        "epochs run": len(val_loss),
        "best epoch": best + 1,
        "best val accuracy": float(np.max(history["val_accuracy"])),
        "val accuracy (kept)": float(history["val_accuracy"][best]),
    }


@dataclass
class Run:
    """What :func:`run_configurations` produced."""

    table: pd.DataFrame
    histories: dict[str, dict[str, list[float]]]
    models: dict[str, keras.Model]

    def best(self, plain_cnn: bool = False) -> str:
        """The configuration whose kept model has the highest validation accuracy (among the
        small CNNs only, without MobileNetV2, when ``plain_cnn``)."""
        table = self.table
        if plain_cnn:
            cnn = [n for n in table.index if settings(by_name([n])[0])["arch"] == "cnn"]
            table = table.loc[cnn]
        return str(table["val accuracy (kept)"].idxmax())


def run_configurations(configs, x, y, x_test, y_test, *, epochs: int = 50, patience: int = 3,
                       val_fraction: float = 0.15, max_steps: int = 0, seed: int = 0,
                       n_classes: int = 10) -> Run:
    """Train each configuration on ``x, y`` (uint8 images, integer labels) with early stopping.

    A stratified ``val_fraction`` is held out for validation; training stops
    when the validation loss has not improved for ``patience`` epochs and the
    best weights are restored, then the test set is scored.  ``max_steps`` > 0
    caps the steps of an epoch by training on the first ``max_steps`` batches'
    worth of (shuffled) training images, for the slow small-batch runs of a
    quick profile.
    """
    x_tr, y_tr, x_val, y_val = validation_split(x, y, val_fraction, seed)
    scale = lambda a: a.astype("float32") / 255.0  # noqa: E731
    x_tr, x_val, x_te = scale(x_tr), scale(x_val), scale(x_test)
    onehot = lambda a: keras.utils.to_categorical(a, n_classes)  # noqa: E731
    y_tr1, y_val1, y_te1 = onehot(y_tr), onehot(y_val), onehot(y_test)
    limits = {c.name: min(epochs, settings(c)["max_epochs"] or epochs) for c in configs}
    rows, histories, trained = [], {}, {}
    with training.progress(sum(limits.values()), "ablation") as bar:
        for config in configs:
            s = settings(config)
            n = len(y_tr)
            if max_steps > 0 and math.ceil(n / s["batch_size"]) > max_steps:
                n = max_steps * s["batch_size"]
            keras.utils.set_random_seed(seed)
            model = build(config, x_tr.shape[1:], n_classes)
            stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                                 restore_best_weights=True)
            bar.set_description(config.name)
            start = time.perf_counter()
            history = model.fit(x_tr[:n], y_tr1[:n], validation_data=(x_val, y_val1),
                                epochs=limits[config.name], batch_size=s["batch_size"], verbose=0,
                                callbacks=[stop, training.EpochBar(bar)])
            seconds = time.perf_counter() - start
            bar.update(limits[config.name] - len(history.history["loss"]))
            hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
            _, test_acc = model.evaluate(x_te, y_te1, verbose=0, batch_size=256)
            rows.append({"configuration": config.name, **early_stopping_summary(hist),
                         "seconds": seconds, "test accuracy": float(test_acc), "train images": n})
            histories[config.name] = hist
            trained[config.name] = model
    table = pd.DataFrame(rows).set_index("configuration")
    return Run(table[list(RESULT_COLUMNS) + ["train images"]], histories, trained)


def feature_maps(model: keras.Model, image: np.ndarray) -> np.ndarray:
    """What the first convolution and its activation make of one uint8 image of a small CNN
    built by :func:`build`: an array (height, width, filters)."""
    conv = first_conv(model)
    if conv not in model.layers:
        raise ValueError(f"{model.name}: the first convolution sits inside a nested model")
    after = model.layers[model.layers.index(conv) + 1]
    probe = keras.Model(model.inputs, after.output)
    return probe.predict(image[np.newaxis].astype("float32") / 255.0, verbose=0)[0]


def kernels(model: keras.Model) -> np.ndarray:
    """The first convolution's kernels, shape (kernel, kernel, in channels, filters)."""
    return np.asarray(first_conv(model).get_weights()[0])


def slug(name: str) -> str:
    """A configuration name as an identifier (for glue keys): "lr 0.1" -> "lr_0_1"."""
    import re

    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_")


def report_table(table: pd.DataFrame, data_label: str) -> pd.DataFrame:
    """This run's test accuracy of the default model and MobileNetV2 beside report 004's best
    accuracies and the TensorFlow CIFAR-10 tutorial (settings differ; see the page)."""
    from . import reference

    rows = []
    for name, reported in reference.SC3_ABLATION_REPORT.items():
        mine = table.loc[name, "test accuracy"] if name in table.index else float("nan")
        rows.append({"model": name, f"this run, test ({data_label})": round(float(mine), 3),
                     "report 004 (CIFAR-10, 50 epochs)": reported,
                     "TF CNN tutorial (CIFAR-10, 10 epochs)": "—"})
    rows.append({"model": "Conv32-64-64 + Dense64", f"this run, test ({data_label})": "—",
                 "report 004 (CIFAR-10, 50 epochs)": "—",
                 "TF CNN tutorial (CIFAR-10, 10 epochs)": reference.CIFAR10_TF_TUTORIAL_ACCURACY})
    return pd.DataFrame(rows).set_index("model").astype(object)
