"""Dated series for the LSTM regression page (seven-question homework, Q3).

Loading (with provenance), windowing to ``[samples, time steps, features]``, a
chronological split that cannot leak, shuffling whole windows, the naive
last-value forecast, R² and MAE, and the two ways of framing the data that
reproduce the report's negative R².

The no-leakage guarantee of :func:`chronological_split`, for a series of
length ``n`` cut at index ``cut`` (the first value of the test part):

* every training window, inputs and target, uses only positions ``< cut``;
* every test window, inputs and target, uses only positions ``>= cut``, so the
  first test target is at ``cut + lookback`` and no value is seen by both parts;
* the scaler's minimum and maximum are those of ``values[:cut]``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from . import provenance as provenance_log
from . import training
from .data import DataError


@dataclass
class TimeSeries:
    """One dated, univariate series with its unit and where it came from."""

    name: str
    dates: pd.DatetimeIndex
    values: np.ndarray
    unit: str
    provenance: str
    step: str

    def __post_init__(self):
        provenance_log.record(self.provenance, real=True)


# name: (statsmodels module, value column, date column or None when the index holds dates, unit,
#        step, description, source)
SERIES = {
    "sunspots": ("sunspots", "SUNACTIVITY", "YEAR", "mean sunspot number", "year",
                 "yearly mean sunspot numbers", "NOAA National Geophysical Data Center"),
    "co2": ("co2", "co2", None, "ppm", "week",
            "weekly mean atmospheric CO₂ at Mauna Loa", "Scripps Institution of Oceanography (Keeling & Whorf)"),
}


def load_series(name: str = "sunspots") -> TimeSeries:
    """A dated series shipped inside statsmodels (no download): ``sunspots`` or ``co2``.

    Missing weeks of ``co2`` are filled by linear interpolation, and the
    provenance line says how many.
    """
    if name not in SERIES:
        raise ValueError(f"unknown series {name!r}; choose one of {', '.join(SERIES)}")
    try:
        import statsmodels
        import statsmodels.api as sm
    except ImportError as exc:
        raise DataError("the time series come with statsmodels, which is not installed: "
                        "pip install 'statsmodels>=0.15,<0.16' (a dependency in pyproject.toml)") from exc
    module, column, date_column, unit, step, what, source = SERIES[name]
    dataset = getattr(sm.datasets, module)
    frame = dataset.load_pandas().data
    csv = Path(dataset.__file__).parent / f"{module}.csv"
    if date_column:
        dates = pd.DatetimeIndex(pd.to_datetime(frame[date_column].astype(int).astype(str), format="%Y"))
    else:
        dates = pd.DatetimeIndex(frame.index)
    raw = frame[column].astype(float)
    missing = int(raw.isna().sum())
    values = raw.interpolate(limit_direction="both").to_numpy() if missing else raw.to_numpy()
    filled = f"; {missing} missing values filled by linear interpolation" if missing else ""
    digest = hashlib.sha256(csv.read_bytes()).hexdigest()[:12] if csv.is_file() else "n/a"
    provenance = (f"{what}, {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d} ({len(values):,} values{filled}), "
                  f"from {source}, as shipped in statsmodels {statsmodels.__version__} "
                  f"(sm.datasets.{module}, {csv.name} sha256 {digest}…)")
    return TimeSeries(name, dates, values, unit, provenance, step)


# --------------------------------------------------------------------------- scaling and windows


@dataclass
class MinMaxScaler:
    """Maps ``[low, high]`` to ``[0, 1]``; values outside that range map outside ``[0, 1]``."""

    low: float
    high: float

    @classmethod
    def fit(cls, values) -> MinMaxScaler:
        values = np.asarray(values, dtype=float)
        low, high = float(values.min()), float(values.max())
        if not high > low:
            raise ValueError("cannot scale a constant series (its minimum equals its maximum)")
        return cls(low, high)

    def transform(self, values) -> np.ndarray:
        return (np.asarray(values, dtype=float) - self.low) / (self.high - self.low)

    def inverse(self, values) -> np.ndarray:
        return np.asarray(values, dtype=float) * (self.high - self.low) + self.low


def make_windows(values, lookback: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every window of ``lookback`` consecutive steps and the value that follows it.

    ``values`` is ``(time,)`` or ``(time, features)``; the target is feature 0.
    Returns ``x`` of shape ``(samples, lookback, features)``, ``y`` of shape
    ``(samples,)`` and the position of each target, shifted by ``offset`` (the
    position of ``values[0]`` in the whole series).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if lookback < 1:
        raise ValueError(f"lookback must be at least 1, got {lookback}")
    n = len(values) - lookback
    if n < 1:
        raise ValueError(f"{len(values)} values are too few for windows of {lookback} steps and a target")
    starts = np.arange(n)
    x = values[starts[:, None] + np.arange(lookback)[None, :]]
    y = values[starts + lookback, 0]
    return x, y, starts + lookback + offset


@dataclass
class Split:
    """Training and test windows of one series, ready for a model, with what maps predictions back.

    With ``relative=False`` inputs and targets are min-max scaled values.  With
    ``relative=True`` every window is expressed relative to its own last value
    (inputs minus that value, target = change from it), divided by ``spread``,
    the standard deviation of the training targets' changes.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    train_index: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    test_index: np.ndarray
    scaler: MinMaxScaler
    cut: int
    lookback: int
    relative: bool = False
    spread: float = 1.0
    test_last: np.ndarray | None = None

    def to_unit(self, predictions) -> np.ndarray:
        """Model outputs for the test windows, in the series' own unit."""
        predictions = np.asarray(predictions, dtype=float).ravel()
        if self.relative:
            predictions = self.test_last + predictions * self.spread
        return self.scaler.inverse(predictions)


def chronological_split(values, lookback: int, test_fraction: float = 0.2, relative: bool = False) -> Split:
    """Cut the series at one date, fit the scaling on the earlier part and window each part on its own.

    See the module docstring for exactly what cannot leak; ``relative`` is
    described in :class:`Split` (its ``spread`` also comes from the training part).
    """
    values = np.asarray(values, dtype=float)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie between 0 and 1, got {test_fraction}")
    cut = len(values) - int(round(test_fraction * len(values)))
    if cut <= lookback or len(values) - cut <= lookback:
        raise ValueError(f"a series of {len(values)} values cut at {cut} leaves a part too short "
                         f"for windows of {lookback} steps")
    scaler = MinMaxScaler.fit(values[:cut])
    scaled = scaler.transform(values)
    x_train, y_train, train_index = make_windows(scaled[:cut], lookback, offset=0)
    x_test, y_test, test_index = make_windows(scaled[cut:], lookback, offset=cut)
    split = Split(x_train, y_train, train_index, x_test, y_test, test_index, scaler, cut, lookback)
    if relative:
        train_last, test_last = x_train[:, -1:, :1], x_test[:, -1:, :1]
        spread = float(np.std(y_train - train_last[:, 0, 0]))
        if spread == 0:
            raise ValueError("the training part never changes: there is nothing to scale the changes by")
        split.x_train, split.x_test = (x_train - train_last) / spread, (x_test - test_last) / spread
        split.y_train = (y_train - train_last[:, 0, 0]) / spread
        split.y_test = (y_test - test_last[:, 0, 0]) / spread
        split.relative, split.spread, split.test_last = True, spread, test_last[:, 0, 0]
    return split


def shuffle_windows(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Permute whole samples (axis 0); the time steps inside each window keep their order."""
    order = np.random.default_rng(seed).permutation(len(y))
    return x[order], y[order], order


# --------------------------------------------------------------------------- baselines and scores


def naive_last_value(values, target_index) -> np.ndarray:
    """Forecast each target with the value just before it (the 'tomorrow equals today' baseline)."""
    target_index = np.asarray(target_index)
    if target_index.min() < 1:
        raise ValueError("the first value of a series has no previous value to repeat")
    return np.asarray(values, dtype=float)[target_index - 1]


def r2(y_true, y_pred) -> float:
    """Coefficient of determination: 1 - SS_res / SS_tot (0 for predicting the mean, negative when worse)."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{y_true.shape} targets but {y_pred.shape} predictions")
    total = np.sum((y_true - y_true.mean()) ** 2)
    if total == 0:
        raise ValueError("R² is undefined for constant targets")
    return float(1 - np.sum((y_true - y_pred) ** 2) / total)


def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the series' unit."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{y_true.shape} targets but {y_pred.shape} predictions")
    return float(np.mean(np.abs(y_true - y_pred)))


def scores(y_true, y_pred) -> dict[str, float]:
    """R² and MAE of one set of predictions."""
    return {"r2": r2(y_true, y_pred), "mae": mae(y_true, y_pred)}


# --------------------------------------------------------------------------- the report's framing


@dataclass
class Framing:
    """Raw (unscaled) inputs of shape ``(samples, 1, 1)`` and targets, for training and test."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def one_step_framings(series: TimeSeries, split: Split) -> list[Framing]:
    """The report's failing setups, on the same chronological cut and the same test targets as ``split``.

    * previous value: each time step is an independent sample, ``x = values[t-1]``
      as shape ``(n, 1, 1)``, unscaled;
    * date: the sample's date (its decimal year) is the only feature, unscaled.
    """
    values = series.values
    train_index = np.arange(1, split.cut)
    test_index = split.test_index
    year = (series.dates.year + (series.dates.day_of_year - 1) / 365.25).to_numpy(dtype=float)
    framings = []
    for name, feature, shift in (("previous value, unscaled", values, 1), ("date as the feature, unscaled", year, 0)):
        framings.append(Framing(name, feature[train_index - shift].reshape(-1, 1, 1), values[train_index],
                                feature[test_index - shift].reshape(-1, 1, 1), values[test_index]))
    return framings


# --------------------------------------------------------------------------- the model


def lstm_regressor(lookback: int, features: int = 1, units: int = 32, learning_rate: float = 1e-3) -> keras.Model:
    """LSTM(units) -> Dense(1), mean squared error, Adam."""
    model = keras.Sequential([keras.Input((lookback, features)), keras.layers.LSTM(units), keras.layers.Dense(1)],
                             name=f"lstm{units}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model


@dataclass
class Fit:
    """A trained regressor, its test predictions (in the series' unit) and how long training took."""

    model: keras.Model
    predictions: np.ndarray
    history: dict[str, list[float]]
    seconds: float


def fit_and_predict(x_train, y_train, x_test, epochs: int, batch_size: int, seed: int, desc: str,
                    units: int = 32, learning_rate: float = 1e-3, to_unit=None) -> Fit:
    """Train a fresh :func:`lstm_regressor` on windows shuffled whole (Keras reshuffles them again every
    epoch, always along the sample axis) and predict ``x_test``.

    ``to_unit`` maps predictions back to the series' unit (e.g. :meth:`Split.to_unit`).
    """
    training.seed_everything(seed)
    x_train, y_train, _ = shuffle_windows(x_train, y_train, seed)
    model = lstm_regressor(x_train.shape[1], x_train.shape[2], units, learning_rate)
    start = time.perf_counter()
    with training.progress(epochs, desc) as bar:
        history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0,
                            callbacks=[training.EpochBar(bar)])
    seconds = time.perf_counter() - start
    predictions = keras.ops.convert_to_numpy(model(np.asarray(x_test, dtype="float32"), training=False)).ravel()
    if to_unit is not None:
        predictions = to_unit(predictions)
    return Fit(model, predictions, {k: [float(v) for v in vals] for k, vals in history.history.items()}, seconds)


def linear_autoregression(x_train, y_train, x_test) -> np.ndarray:
    """Least-squares linear forecast from the same windows (every input step a feature, plus an intercept)."""
    def design(x):
        flat = np.asarray(x, dtype=float).reshape(len(x), -1)
        return np.hstack([flat, np.ones((len(flat), 1))])

    coef, *_ = np.linalg.lstsq(design(x_train), np.asarray(y_train, dtype=float), rcond=None)
    return design(x_test) @ coef
