"""Parameter formulas, dependence and depth of convolutions against recurrences."""

import pytest

from hwlib import seqcompare as S


def test_formulas_on_hand_computed_cases():
    assert S.conv1d_params(3, 8, 32) == 3 * 8 * 32 + 32 == 800
    assert S.simple_rnn_params(8, 32) == 32 * 8 + 32 * 32 + 32 == 1312
    assert S.lstm_params(8, 32) == 4 * 1312
    assert S.gru_params(8, 32) == 3 * (32 * 8 + 32 * 32 + 2 * 32)
    assert S.dense_on_flattened_params(16, 8, 32) == (16 * 8 + 1) * 32


def test_keras_counts_agree_with_the_formulas_and_only_dense_depends_on_length():
    table = S.parameter_table(features=3, units=5, kernel=4, lengths=(7, 50))
    assert table["agree"].all()
    grows = table["Keras, T=50"] != table["Keras, T=7"]
    assert list(table.index[grows]) == ["Dense(5) on the flattened sequence"]


def test_a_convolution_sees_a_window_and_a_recurrence_sees_everything_after():
    lines = S.dependence_lines(steps=20, features=2, units=4, kernel=3, position=5)
    conv1, conv3, rnn, lstm = lines.values()
    assert conv1 == "·" * 5 + "█" * 3 + "·" * 12
    assert conv3 == "·" * 5 + "█" * 7 + "·" * 8
    assert rnn == lstm == "·" * 5 + "█" * 15


def test_sequential_depth():
    assert S.sequential_depth(1024, 3) == {"RNN": 1024, "Conv1D stack": 512}
    assert S.sequential_depth(1024, 2, dilated=True)["Conv1D stack"] == 10
    assert S.sequential_depth(243, 3, dilated=True)["Conv1D stack"] == 5  # 3**5 = 243 steps seen
    assert S.sequential_depth(244, 3, dilated=True)["Conv1D stack"] == 6
    with pytest.raises(ValueError, match="never widens"):
        S.sequential_depth(10, 1)


def test_forward_times_table():
    table = S.forward_times([8, 16], features=2, units=4, repeats=2)
    assert list(table.index) == [8, 16] and list(table.columns) == ["Conv1D ×2", "LSTM"]
    assert (table > 0).all().all()
