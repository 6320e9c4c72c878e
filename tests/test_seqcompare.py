"""Q4's parameter formulas, dependence and sequential depth of convolutions against recurrences, where
they live: the page notebooks/hw7q/q4_cnn_vs_rnn.md."""

import keras
import numpy as np
import pytest

from pagecode import page_definitions


@pytest.fixture(scope="module")
def S():
    return page_definitions("hw7q/q4_cnn_vs_rnn")


def test_formulas_on_hand_computed_cases(S):
    assert S.conv1d_params(3, 8, 32) == 3 * 8 * 32 + 32 == 800
    assert S.simple_rnn_params(8, 32) == 32 * 8 + 32 * 32 + 32 == 1312
    assert S.lstm_params(8, 32) == 4 * 1312
    assert S.gru_params(8, 32) == 3 * (32 * 8 + 32 * 32 + 2 * 32)
    assert S.dense_on_flattened_params(16, 8, 32) == (16 * 8 + 1) * 32


@pytest.mark.parametrize("steps", [7, 50])
def test_keras_counts_agree_with_the_formulas_and_only_dense_depends_on_length(S, steps):
    c, u, k = 3, 5, 4

    def count(layer):
        return keras.Sequential([keras.Input((steps, c)), layer]).count_params()

    assert count(keras.layers.Conv1D(u, k, padding="causal")) == S.conv1d_params(k, c, u)
    assert count(keras.layers.SimpleRNN(u)) == S.simple_rnn_params(c, u)
    assert count(keras.layers.LSTM(u)) == S.lstm_params(c, u)
    assert count(keras.layers.GRU(u)) == S.gru_params(c, u)
    flat_dense = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(u)])
    assert count(flat_dense) == S.dense_on_flattened_params(steps, c, u)


def test_a_convolution_sees_a_window_and_a_recurrence_sees_everything_after(S):
    def line(layers):
        return "".join("█" if d else "·" for d in S.dependence(layers, steps=20, features=2, position=5))

    conv = lambda: keras.layers.Conv1D(4, 3, padding="causal")  # noqa: E731
    assert line([conv()]) == "·" * 5 + "█" * 3 + "·" * 12
    assert line([conv(), conv(), conv()]) == "·" * 5 + "█" * 7 + "·" * 8
    assert line([keras.layers.SimpleRNN(4, return_sequences=True)]) == "·" * 5 + "█" * 15
    assert line([keras.layers.LSTM(4, return_sequences=True)]) == "·" * 5 + "█" * 15


def test_sequential_depth(S):
    assert S.sequential_depth(1024, 3) == {"RNN": 1024, "Conv1D stack": 512}
    assert S.sequential_depth(1024, 2, dilated=True)["Conv1D stack"] == 10
    assert S.sequential_depth(243, 3, dilated=True)["Conv1D stack"] == 5  # 3**5 = 243 steps seen
    assert S.sequential_depth(244, 3, dilated=True)["Conv1D stack"] == 6
    with pytest.raises(ValueError, match="never widens"):
        S.sequential_depth(10, 1)


def test_forward_time_is_a_positive_number_of_seconds(S):
    model = keras.Sequential([keras.Input((8, 2)), keras.layers.LSTM(4, return_sequences=True)])
    seconds = S.forward_time(model, np.zeros((4, 8, 2), dtype="float32"), repeats=2)
    assert isinstance(seconds, float) and 0 < seconds < 60
