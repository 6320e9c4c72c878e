"""Convolutions against recurrences on sequences (seven-question homework, Q4).

Parameter counts from their formulas and from Keras, which outputs depend on
which inputs, and how the time of a forward pass grows with the sequence length.
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np
import pandas as pd


def conv1d_params(kernel: int, channels_in: int, filters: int) -> int:
    """One weight per filter, kernel position and input channel, plus one bias per filter."""
    return kernel * channels_in * filters + filters


def simple_rnn_params(features: int, units: int) -> int:
    """Input weights, recurrent weights and a bias: units * (features + units + 1)."""
    return units * (features + units + 1)


def lstm_params(features: int, units: int) -> int:
    """Four gates (input, forget, cell, output), each a SimpleRNN-sized block."""
    return 4 * units * (features + units + 1)


def gru_params(features: int, units: int) -> int:
    """Three gates; Keras's default ``reset_after=True`` gives each gate a second bias."""
    return 3 * units * (features + units + 2)


def dense_on_flattened_params(steps: int, features: int, units: int) -> int:
    """A Dense layer on the flattened sequence: one weight per time step and feature."""
    return (steps * features + 1) * units


def _layers(features: int, units: int, kernel: int):
    return {
        f"Conv1D({units}, kernel {kernel})": (
            lambda: keras.layers.Conv1D(units, kernel, padding="causal"),
            f"k·c·f + f = {kernel}·{features}·{units} + {units}",
            lambda steps: conv1d_params(kernel, features, units)),
        f"SimpleRNN({units})": (
            lambda: keras.layers.SimpleRNN(units, return_sequences=True),
            f"u·(c + u + 1) = {units}·({features} + {units} + 1)",
            lambda steps: simple_rnn_params(features, units)),
        f"LSTM({units})": (
            lambda: keras.layers.LSTM(units, return_sequences=True),
            f"4·u·(c + u + 1) = 4·{units}·({features} + {units} + 1)",
            lambda steps: lstm_params(features, units)),
        f"GRU({units})": (
            lambda: keras.layers.GRU(units, return_sequences=True),
            f"3·u·(c + u + 2) = 3·{units}·({features} + {units} + 2)",
            lambda steps: gru_params(features, units)),
        f"Dense({units}) on the flattened sequence": (
            lambda: keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(units)]),
            f"(T·c + 1)·u = (T·{features} + 1)·{units}",
            lambda steps: dense_on_flattened_params(steps, features, units)),
    }


def parameter_table(features: int, units: int, kernel: int, lengths=(16, 256)) -> pd.DataFrame:
    """For each layer: its formula, the formula's value and Keras's count, at each sequence length."""
    rows = []
    for name, (make, formula, value) in _layers(features, units, kernel).items():
        row = {"layer": name, "formula": formula}
        for steps in lengths:
            model = keras.Sequential([keras.Input((steps, features)), make()])
            row[f"formula, T={steps}"] = value(steps)
            row[f"Keras, T={steps}"] = model.count_params()
        row["agree"] = all(row[f"formula, T={t}"] == row[f"Keras, T={t}"] for t in lengths)
        rows.append(row)
    return pd.DataFrame(rows).set_index("layer")


def dependence(layer_stack, steps: int, features: int, position: int, seed: int = 0) -> np.ndarray:
    """Which output time steps change when only the input at ``position`` changes (boolean per step)."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((steps, features)), *layer_stack])
    x = np.random.default_rng(seed).normal(size=(1, steps, features)).astype("float32")
    changed = x.copy()
    changed[0, position] += 1.0
    before = keras.ops.convert_to_numpy(model(x))[0]
    after = keras.ops.convert_to_numpy(model(changed))[0]
    return np.any(np.abs(after - before) > 1e-7, axis=-1)


def dependence_lines(steps: int = 24, features: int = 4, units: int = 8, kernel: int = 3,
                     position: int = 6, seed: int = 0) -> dict[str, str]:
    """One text line per model: '█' where an output step depends on the input at ``position``, '·' elsewhere."""
    stacks = {
        f"Conv1D, kernel {kernel}, 1 layer": [keras.layers.Conv1D(units, kernel, padding="causal")],
        f"Conv1D, kernel {kernel}, 3 layers": [keras.layers.Conv1D(units, kernel, padding="causal")
                                               for _ in range(3)],
        "SimpleRNN": [keras.layers.SimpleRNN(units, return_sequences=True)],
        "LSTM": [keras.layers.LSTM(units, return_sequences=True)],
    }
    return {name: "".join("█" if d else "·" for d in dependence(stack, steps, features, position, seed))
            for name, stack in stacks.items()}


def sequential_depth(steps: int, kernel: int, dilated: bool = False) -> dict[str, int]:
    """Operations that must run one after another to let the last output see the first input
    (with ``dilated``, the dilation grows by a factor of ``kernel`` per layer)."""
    if kernel < 2:
        raise ValueError("a kernel of one step never widens what a convolution sees")
    plain = math.ceil((steps - 1) / (kernel - 1))
    dilated_layers, seen = 0, 1
    while seen < steps:
        dilated_layers, seen = dilated_layers + 1, seen * kernel
    return {"RNN": steps, "Conv1D stack": dilated_layers if dilated else plain}


def forward_times(lengths, features: int = 8, units: int = 32, kernel: int = 3, batch: int = 32,
                  repeats: int = 5, seed: int = 0) -> pd.DataFrame:
    """Median seconds of one compiled forward pass of a batch, per sequence length:
    a two-layer causal Conv1D stack against a one-layer LSTM of the same width."""
    keras.utils.set_random_seed(seed)
    rows = []
    for steps in lengths:
        x = np.random.default_rng(seed).normal(size=(batch, steps, features)).astype("float32")
        models = {
            "Conv1D ×2": keras.Sequential([keras.Input((steps, features)),
                                           keras.layers.Conv1D(units, kernel, padding="causal"),
                                           keras.layers.Conv1D(units, kernel, padding="causal")]),
            "LSTM": keras.Sequential([keras.Input((steps, features)),
                                      keras.layers.LSTM(units, return_sequences=True)]),
        }
        row = {"steps": steps}
        for name, model in models.items():
            model.predict_on_batch(x)
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                model.predict_on_batch(x)
                times.append(time.perf_counter() - start)
            row[name] = float(np.median(times))
        rows.append(row)
    return pd.DataFrame(rows).set_index("steps")
