"""Q3's windows, leak-free chronological split, baselines and LSTM, where they live (the page
notebooks/hw7q/q3_lstm_regression.md), and the series loader of hwlib.timeseries."""

import numpy as np
import pandas as pd
import pytest

from hwlib import timeseries

from pagecode import page_definitions


@pytest.fixture(scope="module")
def T():
    return page_definitions("hw7q/q3_lstm_regression")


def positions(n, start=100.0):
    """A series whose value tells its position: value = start + position."""
    return start + np.arange(n, dtype=float)


def test_windows_have_shape_samples_steps_features_and_the_right_contents(T):
    x, y, index = T.make_windows(np.arange(10.0), lookback=3)
    assert x.shape == (7, 3, 1) and y.shape == (7,)
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(x[-1, :, 0], [6, 7, 8])
    np.testing.assert_array_equal(y, np.arange(3, 10))
    np.testing.assert_array_equal(index, np.arange(3, 10))


def test_windows_of_several_features_predict_feature_zero(T):
    values = np.stack([np.arange(6.0), -np.arange(6.0)], axis=1)
    x, y, index = T.make_windows(values, lookback=2, offset=10)
    assert x.shape == (4, 2, 2)
    np.testing.assert_array_equal(x[1], [[1, -1], [2, -2]])
    np.testing.assert_array_equal(y, [2, 3, 4, 5])
    np.testing.assert_array_equal(index, [12, 13, 14, 15])


def test_too_short_a_series_is_refused(T):
    with pytest.raises(ValueError, match="too few"):
        T.make_windows(np.arange(3.0), lookback=3)
    with pytest.raises(ValueError, match="cannot cut"):
        T.chronological_split(np.arange(10.0), lookback=3)


def test_chronological_split_never_mixes_the_two_parts(T):
    n, lookback = 50, 4
    split = T.chronological_split(positions(n), lookback, test_fraction=0.2)
    assert split.cut == 40
    to_position = lambda a: np.rint(split.scaler.inverse(a) - 100).astype(int)  # noqa: E731
    train_inputs, test_inputs = to_position(split.x_train), to_position(split.x_test)
    # every training window, inputs and target, lies before the cut
    assert train_inputs.max() < split.cut and split.train_index.max() < split.cut
    # every test window, inputs and target, lies at or after the cut
    assert test_inputs.min() >= split.cut and split.test_index.min() == split.cut + lookback
    assert set(train_inputs.ravel()) | set(split.train_index) <= set(range(split.cut))
    # windows are consecutive positions followed by their target
    np.testing.assert_array_equal(test_inputs[:, -1, 0] + 1, split.test_index)
    np.testing.assert_array_equal(to_position(split.y_test), split.test_index)
    assert len(split.y_train) == split.cut - lookback and len(split.y_test) == n - split.cut - lookback


def test_scaler_is_fitted_on_the_training_part_only(T):
    values = positions(50)
    split = T.chronological_split(values, 4)
    assert (split.scaler.low, split.scaler.high) == (values[:40].min(), values[:40].max())
    changed = values.copy()
    changed[40:] *= 1000
    other = T.chronological_split(changed, 4)
    assert other.scaler == split.scaler
    np.testing.assert_array_equal(other.x_train, split.x_train)
    np.testing.assert_array_equal(other.y_train, split.y_train)
    assert split.x_test.max() > 1  # test values above the training range stay above 1
    np.testing.assert_allclose(split.to_unit(split.y_test), values[split.test_index])


def test_relative_windows_map_back_to_the_series_and_learn_their_spread_from_training(T):
    rng = np.random.default_rng(0)
    values = np.cumsum(rng.normal(size=80)) + 50
    split = T.chronological_split(values, 5, relative=True)
    np.testing.assert_allclose(split.to_unit(split.y_test), values[split.test_index])
    np.testing.assert_allclose(split.x_test[:, -1, 0], 0)
    changed = values.copy()
    changed[split.cut:] += rng.normal(scale=10, size=len(values) - split.cut)
    assert T.chronological_split(changed, 5, relative=True).spread == split.spread


def test_shuffling_moves_whole_windows(T):
    x, y, _ = T.make_windows(np.arange(30.0), lookback=4)
    xs, ys, order = T.shuffle_windows(x, y, seed=1)
    assert not np.array_equal(order, np.arange(len(y)))
    assert np.all(np.diff(xs[:, :, 0], axis=1) == 1)  # time steps inside each window keep their order
    np.testing.assert_array_equal(xs[:, -1, 0] + 1, ys)  # each window keeps its own target
    assert sorted(ys) == sorted(y)


def test_naive_baseline_repeats_the_previous_value(T):
    values = np.array([3.0, 5.0, 4.0, 8.0, 6.0, 7.0, 9.0, 1.0, 2.0, 5.0])
    np.testing.assert_array_equal(T.naive_last_value(values, [1, 4, 9]), [3.0, 8.0, 2.0])
    split = T.chronological_split(values, 2, test_fraction=0.4)
    np.testing.assert_allclose(T.naive_last_value(values, split.test_index),
                               split.scaler.inverse(split.x_test[:, -1, 0]))
    with pytest.raises(ValueError, match="no previous value"):
        T.naive_last_value(values, [0, 1])


def test_scores_on_known_cases(T):
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert T.scores(y, np.array([1.0, 2.0, 3.0, 5.0]))["r2"] == pytest.approx(1 - 1 / 5)
    assert T.scores(y, np.full(4, y.mean()))["r2"] == pytest.approx(0.0)
    assert T.scores(y, y + 10)["r2"] < 0
    assert T.scores(y, y + np.array([1, -1, 2, 0]))["mae"] == pytest.approx(1.0)


def test_the_reports_framings_use_the_same_cut_and_test_targets(T):
    values = positions(60)
    dates = pd.date_range("1900", periods=60, freq="YS")
    split = T.chronological_split(values, 6)
    previous, date = T.one_step_framings(dates, values, split).values()
    for x_train, y_train, x_test, y_test in (previous, date):
        assert x_train.shape[1:] == (1, 1) and x_test.shape[1:] == (1, 1)
        np.testing.assert_array_equal(y_test, values[split.test_index])
        assert y_train.max() < values[split.cut]
    np.testing.assert_array_equal(previous[2][:, 0, 0], values[split.test_index - 1])
    assert previous[2].min() >= values[split.cut]
    np.testing.assert_array_equal(date[2][:, 0, 0], 1900 + split.test_index)


def test_bundled_series_load_offline_with_provenance():
    sunspots = timeseries.load_series("sunspots")
    assert len(sunspots.values) == 309 and sunspots.dates[0].year == 1700
    assert "statsmodels" in sunspots.provenance and "309 values" in sunspots.provenance
    co2 = timeseries.load_series("co2")
    assert not np.isnan(co2.values).any() and co2.dates.is_monotonic_increasing
    assert "filled by linear interpolation" in co2.provenance
    with pytest.raises(ValueError, match="unknown series"):
        timeseries.load_series("nile")


def test_fit_and_predict_returns_one_prediction_per_test_window_in_the_series_unit(T):
    values = 10 + np.sin(np.arange(80) / 3)
    split = T.chronological_split(values, 5)
    predictions = T.fit_and_predict(split.x_train, split.y_train, split.x_test, epochs=2, batch_size=16, seed=0,
                                    name="test", units=4, to_unit=split.to_unit)
    assert predictions.shape == split.y_test.shape and np.isfinite(predictions).all()
    assert T.lstm_regressor(5, units=4).input_shape == (None, 5, 1)


def test_linear_autoregression_recovers_an_exact_linear_recurrence(T):
    values = [1.0, 5.0]
    for _ in range(60):
        values.append(1.6 * values[-1] - 0.9 * values[-2] + 2.0)
    x, y, _ = T.make_windows(np.array(values), lookback=2)
    np.testing.assert_allclose(T.linear_autoregression(x[:40], y[:40], x[40:]), y[40:], atol=1e-6)
