"""Gradient experiments of the soft-computing Q1 page: per-layer gradient norms at initialisation,
gradient clipping on a loss with a cliff, L1 against L2 weight penalties, and symmetry breaking."""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np
import pandas as pd

from .data import Dataset

# Activation and kernel initialiser of each deep network whose gradients are measured at initialisation.
INIT_SETTINGS = {
    "sigmoid, Glorot": ("sigmoid", "glorot_uniform"),
    "tanh, Glorot": ("tanh", "glorot_uniform"),
    "ReLU, He": ("relu", "he_normal"),
    "ReLU, N(0, 1)": ("relu", "normal_1"),
}


def clip_by_value(gradient, threshold: float) -> np.ndarray:
    """Every component clamped to [-threshold, threshold]."""
    return np.clip(np.asarray(gradient, dtype=float), -threshold, threshold)


def clip_by_norm(gradient, threshold: float) -> np.ndarray:
    """The gradient rescaled to Euclidean norm ``threshold`` if its norm exceeds it, else unchanged."""
    g = np.asarray(gradient, dtype=float)
    norm = np.linalg.norm(g)
    return g * (threshold / norm) if norm > threshold else g


def clip_by_global_norm(gradients, threshold: float) -> list[np.ndarray]:
    """Several tensors rescaled by one common factor so that their joint norm is at most ``threshold``."""
    arrays = [np.asarray(g, dtype=float) for g in gradients]
    norm = np.sqrt(sum(float(np.sum(a ** 2)) for a in arrays))
    scale = threshold / norm if norm > threshold else 1.0
    return [a * scale for a in arrays]


def _initializer(name: str, seed: int):
    if name == "normal_1":
        return keras.initializers.RandomNormal(stddev=1.0, seed=seed)
    return keras.initializers.get({"class_name": name, "config": {"seed": seed}})


def deep_mlp(inputs: int, depth: int, width: int, activation: str, initializer: str, seed: int = 0,
             classes: int = 10) -> keras.Model:
    """``depth`` hidden Dense(width, activation) layers and a linear Dense(classes) output (logits),
    every kernel drawn from ``initializer`` (a Keras name or ``normal_1`` for N(0, 1)), biases zero."""
    x = inp = keras.Input((inputs,))
    for i in range(depth):
        x = keras.layers.Dense(width, activation=activation, kernel_initializer=_initializer(initializer, seed + i),
                               name=f"dense_{i + 1}")(x)
    out = keras.layers.Dense(classes, kernel_initializer=_initializer(initializer, seed + depth),
                             name=f"dense_{depth + 1}")(x)
    return keras.Model(inp, out, name=f"mlp_{activation}_{depth}x{width}")


def dense_kernels(model: keras.Model) -> list:
    """The kernels of the model's Dense layers, input side first."""
    return [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def layer_gradient_norms(model: keras.Model, x, y) -> np.ndarray:
    """Euclidean (Frobenius) norm of the gradient of the mean cross-entropy (model outputs logits,
    ``y`` integer labels) with respect to each Dense kernel, input side first."""
    import tensorflow as tf

    kernels = dense_kernels(model)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=False))
    grads = tape.gradient(loss, kernels)
    return np.array([float(tf.norm(g)) for g in grads])


def gradient_norm_study(x, y, depth: int, width: int, seed: int, settings: dict | None = None) -> pd.DataFrame:
    """Per-layer kernel gradient norms at initialisation, one column per setting, rows = layers 1..depth+1."""
    settings = settings or INIT_SETTINGS
    table = {}
    for label, (activation, initializer) in settings.items():
        keras.utils.set_random_seed(seed)
        model = deep_mlp(x.shape[1], depth, width, activation, initializer, seed)
        table[label] = layer_gradient_norms(model, x, y)
        keras.backend.clear_session()
    frame = pd.DataFrame(table, index=pd.RangeIndex(1, depth + 2, name="layer"))
    return frame


# The cliff: a gentle bowl centred past a wall; the wall rises by CLIFF_HEIGHT over a width of about
# 1/CLIFF_SHARPNESS along a line tilted in (x, y), so its gradient has both components.
CLIFF_CENTRE = (2.0, 0.0)
CLIFF_AT = 1.0
CLIFF_TILT = 0.5
CLIFF_HEIGHT = 8.0
CLIFF_SHARPNESS = 20.0


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _wall_argument(x, y):
    return CLIFF_SHARPNESS * (x - CLIFF_AT - CLIFF_TILT * y)


def cliff_loss(x, y):
    """A shallow quadratic valley (minimum beyond the wall) plus a steep sigmoid wall across it."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    bowl = 0.1 * (x - CLIFF_CENTRE[0]) ** 2 + 0.5 * (y - CLIFF_CENTRE[1]) ** 2
    return bowl + CLIFF_HEIGHT * _sigmoid(_wall_argument(x, y))


def cliff_gradient(x: float, y: float) -> np.ndarray:
    """Analytic gradient of :func:`cliff_loss` at one point."""
    s = _sigmoid(_wall_argument(x, y))
    wall = CLIFF_HEIGHT * CLIFF_SHARPNESS * s * (1.0 - s)
    return np.array([0.2 * (x - CLIFF_CENTRE[0]) + wall, (y - CLIFF_CENTRE[1]) - CLIFF_TILT * wall])


def descend(start, steps: int, learning_rate: float, clip: str = "none", threshold: float = 1.0) -> np.ndarray:
    """Plain gradient descent on the cliff loss; ``clip`` is "none", "value" or "norm".
    Returns the visited points, shape (steps + 1, 2)."""
    if clip not in ("none", "value", "norm"):
        raise ValueError(f"clip must be 'none', 'value' or 'norm', got {clip!r}")
    points = [np.asarray(start, dtype=float)]
    for _ in range(steps):
        g = cliff_gradient(*points[-1])
        if clip == "value":
            g = clip_by_value(g, threshold)
        elif clip == "norm":
            g = clip_by_norm(g, threshold)
        points.append(points[-1] - learning_rate * g)
    return np.array(points)


def _cosine(a, b) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def clipping_study(start, steps: int, learning_rate: float, threshold: float) -> tuple[dict, pd.DataFrame]:
    """Trajectories without, with value and with norm clipping, and a table per method: final loss,
    longest step, number of clipped steps, and the smallest cosine between a clipped and a raw gradient."""
    paths, rows = {}, {}
    for clip in ("none", "value", "norm"):
        path = descend(start, steps, learning_rate, clip, threshold)
        raw = [cliff_gradient(*p) for p in path[:-1]]
        moves = -(path[1:] - path[:-1]) / learning_rate
        clipped = [not np.allclose(m, g) for m, g in zip(moves, raw)]
        paths[clip] = path
        rows[clip] = {
            "final loss": float(cliff_loss(*path[-1])),
            "longest step": float(np.max(np.linalg.norm(path[1:] - path[:-1], axis=1))),
            "farthest from start": float(np.max(np.linalg.norm(path - path[0], axis=1))),
            "steps clipped": int(sum(clipped)),
            "min cosine(update, gradient)": min(_cosine(m, g) for m, g in zip(moves, raw)),
        }
    table = pd.DataFrame(rows).T.astype({"steps clipped": int})
    table.index.name = "clipping"
    return paths, table


def keras_clipped_step(gradient, threshold: float, kind: str) -> np.ndarray:
    """The gradient Keras's SGD (learning rate 1, starting at 0) actually applies when built with
    ``clipnorm`` (``kind="norm"``), ``clipvalue`` (``"value"``) or ``global_clipnorm`` (``"global"``)."""
    key = {"norm": "clipnorm", "value": "clipvalue", "global": "global_clipnorm"}[kind]
    grads = gradient if kind == "global" else [gradient]
    variables = [keras.Variable(np.zeros(np.shape(g), dtype="float32")) for g in grads]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, **{key: threshold})
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(np.asarray(g, dtype="float32")), v)
                               for g, v in zip(grads, variables)])
    applied = [-np.asarray(v.numpy(), dtype=float) for v in variables]
    return applied if kind == "global" else applied[0]


def classifier(inputs: int, hidden: int, regularizer=None, activation: str = "relu", initializer="glorot_uniform",
               seed: int = 0, learning_rate: float = 1e-3) -> keras.Model:
    """Dense(hidden) -> Dense(10, softmax), Adam, sparse cross-entropy; ``regularizer`` and ``initializer``
    apply to both kernels."""
    def init(offset):
        if isinstance(initializer, str):
            return keras.initializers.get({"class_name": initializer, "config": {"seed": seed + offset}})
        return initializer

    inp = keras.Input((inputs,))
    h = keras.layers.Dense(hidden, activation=activation, kernel_regularizer=regularizer,
                           kernel_initializer=init(0), name="hidden")(inp)
    out = keras.layers.Dense(10, activation="softmax", kernel_regularizer=regularizer,
                             kernel_initializer=init(1), name="out")(h)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@dataclass
class Trained:
    """A trained classifier with its hidden kernel, test accuracy and training time."""

    model: keras.Model
    hidden_kernel: np.ndarray
    test_accuracy: float
    seconds: float


def train(ds: Dataset, model_fn, epochs: int, seed: int, batch_size: int = 32, bar=None) -> Trained:
    """Seed, build with ``model_fn()``, fit quietly and score the test set."""
    from .training import EpochBar

    keras.utils.set_random_seed(seed)
    model = model_fn()
    start = time.perf_counter()
    model.fit(ds.x_train, ds.y_train, epochs=epochs, batch_size=batch_size, verbose=0,
              callbacks=[EpochBar(bar)] if bar is not None else [])
    seconds = time.perf_counter() - start
    accuracy = float(model.evaluate(ds.x_test, ds.y_test, verbose=0)[1])
    return Trained(model, np.asarray(model.get_layer("hidden").kernel.numpy()), accuracy, seconds)


def near_zero_fraction(weights, threshold: float) -> float:
    """Share of weights whose magnitude is below ``threshold``."""
    return float(np.mean(np.abs(np.asarray(weights)) < threshold))


def penalty_study(ds: Dataset, hidden: int, strength: float, epochs: int, seed: int, threshold: float,
                  bar=None) -> tuple[dict[str, Trained], pd.DataFrame]:
    """The same classifier without a penalty, with L1 and with L2 of the same ``strength`` on its kernels."""
    penalties = {"none": None, "L1": keras.regularizers.L1(strength), "L2": keras.regularizers.L2(strength)}
    runs, rows = {}, {}
    for name, reg in penalties.items():
        run = train(ds, lambda: classifier(ds.x_train.shape[1], hidden, reg, seed=seed), epochs, seed, bar=bar)
        w = run.hidden_kernel
        runs[name] = run
        rows[name] = {
            "test accuracy": run.test_accuracy,
            f"share |w| < {threshold:g}": near_zero_fraction(w, threshold),
            "mean |w|": float(np.mean(np.abs(w))),
            "max |w|": float(np.max(np.abs(w))),
            "L1 norm": float(np.sum(np.abs(w))),
            "L2 norm": float(np.sqrt(np.sum(w ** 2))),
        }
        keras.backend.clear_session()
    table = pd.DataFrame(rows).T
    table.index.name = "penalty"
    return runs, table


def unit_spread(kernel) -> float:
    """Largest difference between any two hidden units' incoming weights (kernel columns), over all inputs:
    0 exactly when every unit has the same weight vector."""
    k = np.asarray(kernel, dtype=float)
    return float(np.max(k.max(axis=1) - k.min(axis=1)))


def numerical_rank(kernel, rtol: float = 1e-5) -> int:
    """Number of singular values above ``rtol`` times the largest."""
    s = np.linalg.svd(np.asarray(kernel, dtype=float), compute_uv=False)
    return int(np.sum(s > rtol * s[0])) if s.size and s[0] > 0 else 0


def symmetry_study(ds: Dataset, hidden: int, epochs: int, seed: int, constant: float = 0.05,
                   bar=None) -> tuple[dict[str, Trained], pd.DataFrame]:
    """One hidden layer trained from all-equal weights (both kernels constant) and from a random start:
    spread between units and rank of the hidden kernel before and after training, and test accuracy."""
    starts = {"constant": keras.initializers.Constant(constant), "random": "glorot_uniform"}
    runs, rows = {}, {}
    for name, init in starts.items():
        keras.utils.set_random_seed(seed)
        before = np.asarray(classifier(ds.x_train.shape[1], hidden, None, "tanh", init, seed)
                            .get_layer("hidden").kernel.numpy())
        run = train(ds, lambda: classifier(ds.x_train.shape[1], hidden, None, "tanh", init, seed), epochs, seed,
                    bar=bar)
        runs[name] = run
        rows[name] = {
            "spread before": unit_spread(before),
            "spread after": unit_spread(run.hidden_kernel),
            "rank before": numerical_rank(before),
            "rank after": numerical_rank(run.hidden_kernel),
            "test accuracy": run.test_accuracy,
        }
        keras.backend.clear_session()
    table = pd.DataFrame(rows).T.astype({"rank before": int, "rank after": int})
    table.index.name = "start"
    return runs, table
