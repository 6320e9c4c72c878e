"""Batch normalization from scratch and the experiments of the batch-norm page (seven-question homework, Q6).

:class:`BatchNorm` follows the conventions of ``keras.layers.BatchNormalization``
(Keras 3) so that the two can be compared number for number: statistics over
every axis but the last, the *biased* batch variance (divided by the batch
size), ``moving = momentum * moving + (1 - momentum) * batch`` with
``momentum=0.99`` and ``epsilon=1e-3`` by default, moving mean starting at 0
and moving variance at 1, gamma at 1 and beta at 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from . import training
from .data import Dataset


class BatchNorm:
    """Batch normalization of the last axis in NumPy (float64), with its backward pass."""

    def __init__(self, features: int, momentum: float = 0.99, epsilon: float = 1e-3):
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.gamma = np.ones(features)
        self.beta = np.zeros(features)
        self.moving_mean = np.zeros(features)
        self.moving_variance = np.ones(features)
        self.grad_gamma = np.zeros(features)
        self.grad_beta = np.zeros(features)
        self._cache = None

    def __call__(self, x, training: bool = False) -> np.ndarray:
        """Training mode normalizes with the batch's statistics and updates the moving ones;
        inference mode normalizes with the moving statistics."""
        x = np.asarray(x, dtype=float)
        axes = tuple(range(x.ndim - 1))
        if training:
            mean, variance = x.mean(axis=axes), x.var(axis=axes)
            self.moving_mean = self.momentum * self.moving_mean + (1 - self.momentum) * mean
            self.moving_variance = self.momentum * self.moving_variance + (1 - self.momentum) * variance
        else:
            mean, variance = self.moving_mean, self.moving_variance
        inv_std = 1.0 / np.sqrt(variance + self.epsilon)
        x_hat = (x - mean) * inv_std
        self._cache = (x_hat, inv_std, axes, training)
        return self.gamma * x_hat + self.beta

    def backward(self, grad_out) -> np.ndarray:
        """Gradient with respect to the last call's input; stores those of gamma and beta."""
        if self._cache is None:
            raise RuntimeError("call the layer before asking for its gradient")
        x_hat, inv_std, axes, training = self._cache
        grad_out = np.asarray(grad_out, dtype=float)
        self.grad_gamma = np.sum(grad_out * x_hat, axis=axes)
        self.grad_beta = np.sum(grad_out, axis=axes)
        grad_x_hat = grad_out * self.gamma
        if not training:
            return grad_x_hat * inv_std
        n = np.prod([x_hat.shape[a] for a in axes])
        return inv_std / n * (n * grad_x_hat - grad_x_hat.sum(axis=axes)
                              - x_hat * np.sum(grad_x_hat * x_hat, axis=axes))

    def step(self, learning_rate: float) -> None:
        """One plain gradient-descent step on gamma and beta, the layer's learnable parameters."""
        self.gamma = self.gamma - learning_rate * self.grad_gamma
        self.beta = self.beta - learning_rate * self.grad_beta

    def load(self, layer: keras.layers.BatchNormalization) -> BatchNorm:
        """Copy gamma, beta and the moving statistics from a built Keras layer."""
        self.gamma, self.beta, self.moving_mean, self.moving_variance = (
            np.array(v.numpy(), dtype=float)
            for v in (layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance))
        return self


# --------------------------------------------------------------------------- against Keras


def compare_with_keras(features: int = 6, batch: int = 32, steps: int = 3, momentum: float = 0.99,
                       epsilon: float = 1e-3, seed: int = 0) -> pd.DataFrame:
    """Largest absolute difference between :class:`BatchNorm` and Keras's layer, quantity by quantity.

    Both start from the same random gamma, beta and moving statistics; ``steps``
    training-mode batches are passed through both, then one inference-mode
    batch, and the gradients of a random linear function of the output are
    compared in both modes.
    """
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon)
    layer.build((None, features))
    for variable in (layer.gamma, layer.beta, layer.moving_mean):
        variable.assign(rng.normal(size=features).astype("float32"))
    layer.moving_variance.assign(rng.uniform(0.5, 2.0, size=features).astype("float32"))
    mine = BatchNorm(features, momentum, epsilon).load(layer)
    rows = []

    def record(what, ours, theirs):
        rows.append({"quantity": what, "max |difference|": float(np.max(np.abs(np.asarray(ours) - np.asarray(theirs))))})

    for step in range(1, steps + 1):
        x = (rng.normal(size=(batch, features)) * rng.uniform(0.5, 3, features) + rng.normal(size=features) * 2)
        x = x.astype("float32")
        weights = rng.normal(size=(batch, features)).astype("float32")
        x_tf = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x_tf)
            out = layer(x_tf, training=True)
            loss = tf.reduce_sum(out * weights)
        grad_x, grad_gamma, grad_beta = tape.gradient(loss, [x_tf, layer.gamma.value, layer.beta.value])
        ours = mine(x, training=True)
        record(f"training output, batch {step}", ours, out.numpy())
        record(f"moving mean after batch {step}", mine.moving_mean, layer.moving_mean.numpy())
        record(f"moving variance after batch {step}", mine.moving_variance, layer.moving_variance.numpy())
        if step == 1:
            grad_ours = mine.backward(weights)
            record("training gradient wrt input", grad_ours, grad_x.numpy())
            record("gradient wrt gamma", mine.grad_gamma, grad_gamma.numpy())
            record("gradient wrt beta", mine.grad_beta, grad_beta.numpy())
    x = rng.normal(size=(batch, features)).astype("float32")
    record("inference output", mine(x, training=False), layer(x, training=False).numpy())
    return pd.DataFrame(rows)


def moving_average_by_hand(x, momentum: float = 0.99, moving_mean=0.0, moving_variance=1.0) -> tuple:
    """The moving mean and variance after one training batch ``x``, written out feature by feature."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    mean = x.sum(axis=0) / n
    variance = ((x - mean) ** 2).sum(axis=0) / n
    return (momentum * moving_mean + (1 - momentum) * mean,
            momentum * moving_variance + (1 - momentum) * variance)


# --------------------------------------------------------------------------- epsilon and tiny batches


def epsilon_demo(epsilon: float = 1e-3) -> pd.DataFrame:
    """Training-mode output of one feature over a small batch, without and with epsilon."""
    batches = {
        "varied feature": np.array([1.0, 2.0, 3.0, 4.0]),
        "constant feature (variance 0)": np.array([5.0, 5.0, 5.0, 5.0]),
        "near-constant feature (variance ~1e-12)": np.array([5.0, 5.0, 5.0, 5.000004]),
        "a batch of one sample": np.array([5.0]),
    }
    rows = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, values in batches.items():
            row = {"feature": name, "batch variance": float(values.var())}
            for eps in (0.0, epsilon):
                out = BatchNorm(1, epsilon=eps)(values[:, None], training=True)[:, 0]
                row[f"output with epsilon={eps:g}"] = np.array2string(out, precision=3, separator=", ")
            rows.append(row)
    return pd.DataFrame(rows)


def digits_data(seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """scikit-learn's bundled handwritten digits, pixels scaled to [0, 1], stratified train/test split."""
    import sklearn
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=test_fraction,
                                                        stratify=digits.target, random_state=seed)
    provenance = (f"real handwritten digits (UCI optical recognition of handwritten digits), "
                  f"{len(x):,} 8x8 images as shipped in scikit-learn {sklearn.__version__} "
                  f"(sklearn.datasets.load_digits); stratified split {len(x_train):,} train / "
                  f"{len(x_test):,} test, seed {seed}")
    return Dataset(x_train, y_train, x_test, y_test, tuple(str(d) for d in range(10)), provenance)


def mlp(inputs: int, hidden: int = 64, depth: int = 1, batchnorm: bool = True, activation: str = "relu",
        optimizer: str = "adam", learning_rate: float = 1e-3) -> keras.Model:
    """``depth`` blocks Dense(hidden) [-> BatchNormalization] -> activation, then Dense(10, softmax);
    the first block's layers are named ``fc1`` and ``bn1``."""
    x = inp = keras.Input((inputs,))
    for i in range(1, depth + 1):
        x = keras.layers.Dense(hidden, name=f"fc{i}")(x)
        if batchnorm:
            x = keras.layers.BatchNormalization(name=f"bn{i}")(x)
        x = keras.layers.Activation(activation)(x)
    out = keras.layers.Dense(10, activation="softmax", name="out")(x)
    model = keras.Model(inp, out, name=f"mlp{depth}x{hidden}{'_bn' if batchnorm else ''}")
    opt = keras.optimizers.get({"class_name": optimizer, "config": {"learning_rate": learning_rate}})
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def training_mode_accuracy(model: keras.Model, x, y, batch_size: int) -> float:
    """Accuracy with batch norm in training mode (each batch normalized by its own statistics),
    computed with ``stateless_call`` so the model's moving statistics stay untouched."""
    trainable = [v.value for v in model.trainable_variables]
    frozen = [v.value for v in model.non_trainable_variables]
    correct = 0
    for start in range(0, len(x), batch_size):
        out, _ = model.stateless_call(trainable, frozen, x[start:start + batch_size], training=True)
        correct += int(np.sum(np.argmax(keras.ops.convert_to_numpy(out), axis=1) == y[start:start + batch_size]))
    return correct / len(x)


def inference_accuracy(model: keras.Model, x, y) -> float:
    """Accuracy with batch norm in inference mode (moving statistics)."""
    out = keras.ops.convert_to_numpy(model(x, training=False))
    return float(np.mean(np.argmax(out, axis=1) == y))


def batch_size_study(ds: Dataset, batch_sizes, epochs: int, min_steps: int, seed: int,
                     hidden: int = 64) -> pd.DataFrame:
    """Train the one-block MLP with batch norm once per batch size and compare its two modes.

    Each run gets ``epochs`` epochs, more if needed to reach ``min_steps``
    training steps, so that the moving statistics (which forget with a time
    constant of 1 / (1 - momentum) = 100 steps) have settled. Columns: test accuracy in training mode (test batches of the training batch
    size) and in inference mode, their gap, and the ratio of the first batch-norm
    layer's moving variance to the variance of its input over the whole training
    set (median over features), beside the expected ratio (b - 1) / b of a
    biased variance over batches of b samples.
    """
    rows = []
    steps_per_epoch = {b: int(np.ceil(len(ds.y_train) / b)) for b in batch_sizes}
    runs = {b: max(epochs, int(np.ceil(min_steps / steps_per_epoch[b]))) for b in batch_sizes}
    with training.progress(sum(runs.values()), "batch sizes") as bar:
        for b in batch_sizes:
            training.seed_everything(seed)
            model = mlp(ds.x_train.shape[1], hidden)
            start = time.perf_counter()
            history = model.fit(ds.x_train, ds.y_train, batch_size=b, epochs=runs[b], verbose=0,
                                callbacks=[training.EpochBar(bar)])
            seconds = time.perf_counter() - start
            features = keras.ops.convert_to_numpy(model.get_layer("fc1")(ds.x_train))
            moving = model.get_layer("bn1").moving_variance.numpy()
            train_mode = training_mode_accuracy(model, ds.x_test, ds.y_test, b)
            infer = inference_accuracy(model, ds.x_test, ds.y_test)
            rows.append({
                "batch size": b,
                "epochs": runs[b],
                "training steps": runs[b] * steps_per_epoch[b],
                "last-epoch training accuracy": float(history.history["accuracy"][-1]),
                "test accuracy, training mode": train_mode,
                "test accuracy, inference mode": infer,
                "gap (training - inference)": train_mode - infer,
                "moving / true variance": float(np.median(moving / features.var(axis=0))),
                "expected (b - 1) / b": (b - 1) / b,
                "seconds": seconds,
            })
    return pd.DataFrame(rows).set_index("batch size")


@dataclass
class Convergence:
    """Validation accuracy per epoch and seconds per epoch of one model."""

    val_accuracy: list[float]
    seconds_per_epoch: float


def convergence_study(ds: Dataset, epochs: int, seed: int, depth: int = 4, hidden: int = 64,
                      activation: str = "sigmoid", optimizer: str = "SGD", learning_rate: float = 0.1,
                      batch_size: int = 32) -> dict[str, Convergence]:
    """The same deep MLP trained without and with batch norm, scored on the test set after every epoch."""
    results = {}
    with training.progress(2 * epochs, f"{activation}, {optimizer}: without and with batch norm") as bar:
        for label, bn in (("without batch norm", False), ("with batch norm", True)):
            training.seed_everything(seed)
            model = mlp(ds.x_train.shape[1], hidden, depth, bn, activation, optimizer, learning_rate)
            start = time.perf_counter()
            history = model.fit(ds.x_train, ds.y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                                validation_data=(ds.x_test, ds.y_test), callbacks=[training.EpochBar(bar)])
            results[label] = Convergence([float(v) for v in history.history["val_accuracy"]],
                                         (time.perf_counter() - start) / epochs)
    return results


def step_time(model: keras.Model, x, y, batch_size: int, repeats: int = 50) -> float:
    """Median seconds of one training step on one batch (after a warm-up step)."""
    xb, yb = x[:batch_size], y[:batch_size]
    model.train_on_batch(xb, yb)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.train_on_batch(xb, yb)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def fc_bn_parameters(inputs: int = 10, units: int = 20, bias: bool = True) -> dict[str, int]:
    """Parameters Keras counts for Dense(inputs -> units) followed by BatchNormalization, by kind."""
    layer_in = keras.Input((inputs,))
    dense = keras.layers.Dense(units, use_bias=bias)
    bn = keras.layers.BatchNormalization()
    model = keras.Model(layer_in, bn(dense(layer_in)))
    count = lambda variables: int(sum(np.prod(v.shape) for v in variables))  # noqa: E731
    return {
        "dense": dense.count_params(),
        "bn trainable (gamma, beta)": count(bn.trainable_variables),
        "bn non-trainable (moving mean, variance)": count(bn.non_trainable_variables),
        "total": model.count_params(),
        "trainable": count(model.trainable_variables),
        "non-trainable": count(model.non_trainable_variables),
    }
