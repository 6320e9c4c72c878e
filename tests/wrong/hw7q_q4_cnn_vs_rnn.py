"""Wrong versions of Q4's exercises (notebooks/hw7q/q4_cnn_vs_rnn.md)."""

PAGE = "hw7q/q4_cnn_vs_rnn"

WRONG = {
    "conv1d_params": {
        "no bias": 'def conv1d_params(kernel, channels_in, filters):\n    return kernel * channels_in * filters\n',
        "input channels left out": 'def conv1d_params(kernel, channels_in, filters):\n    return kernel * filters + filters\n',
    },
    "simple_rnn_params": {
        "no recurrent weights": 'def simple_rnn_params(features, units):\n    return units * (features + 1)\n',
        "no bias": 'def simple_rnn_params(features, units):\n    return units * (features + units)\n',
    },
    "lstm_params": {
        "three gates, no candidate": 'def lstm_params(features, units):\n    return 3 * simple_rnn_params(features, units)\n',
        "one bias for all four blocks": 'def lstm_params(features, units):\n    return 4 * units * (features + units) + units\n',
    },
    "gru_params": {
        "one bias per block (reset_after=False)": 'def gru_params(features, units):\n    return 3 * units * (features + units + 1)\n',
        "four blocks, as the LSTM": 'def gru_params(features, units):\n    return 4 * units * (features + units + 2)\n',
    },
    "dense_on_flattened_params": {
        "the time steps left out": 'def dense_on_flattened_params(steps, features, units):\n    return (features + 1) * units\n',
        "one bias per step": 'def dense_on_flattened_params(steps, features, units):\n    return steps * (features + 1) * units\n',
    },
    "dependence": {
        # one flag per unit of the output, not per time step
        "any over the wrong axis": '''
def dependence(layers, steps, features, position, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((steps, features)), *layers])
    x = np.random.default_rng(seed).normal(size=(1, steps, features)).astype("float32")
    nudged = x.copy()
    nudged[0, position] += 1.0
    before = keras.ops.convert_to_numpy(model(x))[0]
    after = keras.ops.convert_to_numpy(model(nudged))[0]
    return np.any(np.abs(after - before) > 1e-7, axis=0)
''',
        # changes the input one step later than asked
        "nudges the next step": '''
def dependence(layers, steps, features, position, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((steps, features)), *layers])
    x = np.random.default_rng(seed).normal(size=(1, steps, features)).astype("float32")
    nudged = x.copy()
    nudged[0, position + 1] += 1.0
    before = keras.ops.convert_to_numpy(model(x))[0]
    after = keras.ops.convert_to_numpy(model(nudged))[0]
    return np.any(np.abs(after - before) > 1e-7, axis=-1)
''',
    },
    "sequential_depth": {
        # right except when T is a power of the kernel: one dilated layer too many
        "<= in the dilated branch": '''
def sequential_depth(steps, kernel, dilated=False):
    if not dilated:
        layers = math.ceil((steps - 1) / (kernel - 1))
    else:
        layers, seen = 0, 1
        while seen <= steps:
            layers, seen = layers + 1, seen * kernel
    return {"RNN": steps, "Conv1D stack": layers}
''',
        # right whenever kernel - 1 divides T - 1
        "floor instead of ceiling": '''
def sequential_depth(steps, kernel, dilated=False):
    if not dilated:
        layers = (steps - 1) // (kernel - 1)
    else:
        layers, seen = 0, 1
        while seen < steps:
            layers, seen = layers + 1, seen * kernel
    return {"RNN": steps, "Conv1D stack": layers}
''',
        # counts T instead of the T - 1 steps between the first input and the last output
        "T instead of T - 1": '''
def sequential_depth(steps, kernel, dilated=False):
    if not dilated:
        layers = math.ceil(steps / (kernel - 1))
    else:
        layers, seen = 0, 1
        while seen < steps:
            layers, seen = layers + 1, seen * kernel
    return {"RNN": steps, "Conv1D stack": layers}
''',
    },
}
