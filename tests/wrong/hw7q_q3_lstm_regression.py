"""Wrong versions of Q3's exercises (notebooks/hw7q/q3_lstm_regression.md)."""

PAGE = "hw7q/q3_lstm_regression"

WRONG = {
    "make_windows": {
        # off by one: the target is the window's own last step, so the model only has to copy it
        "target is the window's last step": '''
def make_windows(values, lookback, offset=0):
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    starts = np.arange(len(values) - lookback)
    x = values[starts[:, None] + np.arange(lookback)]
    return x, values[starts + lookback - 1, 0], starts + lookback - 1 + offset
''',
        "one window too few": '''
def make_windows(values, lookback, offset=0):
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    starts = np.arange(len(values) - lookback - 1)
    x = values[starts[:, None] + np.arange(lookback)]
    return x, values[starts + lookback, 0], starts + lookback + offset
''',
        "[samples, features, time steps]": '''
def make_windows(values, lookback, offset=0):
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    starts = np.arange(len(values) - lookback)
    x = values[starts[:, None] + np.arange(lookback)].transpose(0, 2, 1)
    return x, values[starts + lookback, 0], starts + lookback + offset
''',
    },
    "chronological_split": {
        # the leak of issue 25: the unit of the changes taken from the test part
        "relative: change scale from the test part": '''
def chronological_split(values, lookback, test_fraction=0.2, relative=False):
    values = np.asarray(values, dtype=float)
    cut = len(values) - int(round(test_fraction * len(values)))
    scaler = MinMaxScaler.fit(values[:cut])
    scaled = scaler.transform(values)
    x_train, y_train, train_index = make_windows(scaled[:cut], lookback)
    x_test, y_test, test_index = make_windows(scaled[cut:], lookback, offset=cut)
    if not relative:
        return Split(x_train, y_train, train_index, x_test, y_test, test_index, scaler, cut)
    train_last, test_last = x_train[:, -1, 0], x_test[:, -1, 0]
    spread = float(np.std(y_test - test_last))
    return Split((x_train - train_last[:, None, None]) / spread, (y_train - train_last) / spread, train_index,
                 (x_test - test_last[:, None, None]) / spread, (y_test - test_last) / spread, test_index,
                 scaler, cut, spread, test_last)
''',
        "relative: change scale from the whole series": '''
def chronological_split(values, lookback, test_fraction=0.2, relative=False):
    values = np.asarray(values, dtype=float)
    cut = len(values) - int(round(test_fraction * len(values)))
    scaler = MinMaxScaler.fit(values[:cut])
    scaled = scaler.transform(values)
    x_train, y_train, train_index = make_windows(scaled[:cut], lookback)
    x_test, y_test, test_index = make_windows(scaled[cut:], lookback, offset=cut)
    if not relative:
        return Split(x_train, y_train, train_index, x_test, y_test, test_index, scaler, cut)
    train_last, test_last = x_train[:, -1, 0], x_test[:, -1, 0]
    spread = float(np.std(np.diff(scaled)))
    return Split((x_train - train_last[:, None, None]) / spread, (y_train - train_last) / spread, train_index,
                 (x_test - test_last[:, None, None]) / spread, (y_test - test_last) / spread, test_index,
                 scaler, cut, spread, test_last)
''',
        "scaling fitted on all data": '''
def chronological_split(values, lookback, test_fraction=0.2, relative=False):
    values = np.asarray(values, dtype=float)
    cut = len(values) - int(round(test_fraction * len(values)))
    scaler = MinMaxScaler.fit(values)
    scaled = scaler.transform(values)
    x_train, y_train, train_index = make_windows(scaled[:cut], lookback)
    x_test, y_test, test_index = make_windows(scaled[cut:], lookback, offset=cut)
    if not relative:
        return Split(x_train, y_train, train_index, x_test, y_test, test_index, scaler, cut)
    train_last, test_last = x_train[:, -1, 0], x_test[:, -1, 0]
    spread = float(np.std(y_train - train_last))
    return Split((x_train - train_last[:, None, None]) / spread, (y_train - train_last) / spread, train_index,
                 (x_test - test_last[:, None, None]) / spread, (y_test - test_last) / spread, test_index,
                 scaler, cut, spread, test_last)
''',
        # the report's advice done before the split: neighbouring, overlapping windows end up in both parts
        "windows shuffled before the split": '''
def chronological_split(values, lookback, test_fraction=0.2, relative=False):
    values = np.asarray(values, dtype=float)
    cut = len(values) - int(round(test_fraction * len(values)))
    scaler = MinMaxScaler.fit(values[:cut])
    x, y, index = make_windows(scaler.transform(values), lookback)
    order = np.random.default_rng(0).permutation(len(y))
    x, y, index = x[order], y[order], index[order]
    n_test = len(values) - cut
    return Split(x[:-n_test], y[:-n_test], index[:-n_test], x[-n_test:], y[-n_test:], index[-n_test:], scaler, cut)
''',
        # off by one at the boundary: the last training target is the first test value
        "training windows run one step past the cut": '''
def chronological_split(values, lookback, test_fraction=0.2, relative=False):
    values = np.asarray(values, dtype=float)
    cut = len(values) - int(round(test_fraction * len(values)))
    scaler = MinMaxScaler.fit(values[:cut])
    scaled = scaler.transform(values)
    x_train, y_train, train_index = make_windows(scaled[:cut + 1], lookback)
    x_test, y_test, test_index = make_windows(scaled[cut:], lookback, offset=cut)
    if not relative:
        return Split(x_train, y_train, train_index, x_test, y_test, test_index, scaler, cut)
    train_last, test_last = x_train[:, -1, 0], x_test[:, -1, 0]
    spread = float(np.std(y_train - train_last))
    return Split((x_train - train_last[:, None, None]) / spread, (y_train - train_last) / spread, train_index,
                 (x_test - test_last[:, None, None]) / spread, (y_test - test_last) / spread, test_index,
                 scaler, cut, spread, test_last)
''',
    },
    "naive_last_value": {
        "repeats the target itself": '''
def naive_last_value(values, target_index):
    return np.asarray(values, dtype=float)[np.asarray(target_index)]
''',
        "shifts the whole series, ignoring the targets asked for": '''
def naive_last_value(values, target_index):
    return np.asarray(values, dtype=float)[:-1]
''',
    },
    "linear_autoregression": {
        "no intercept": '''
def linear_autoregression(x_train, y_train, x_test):
    coef, *_ = np.linalg.lstsq(np.reshape(x_train, (len(x_train), -1)), np.asarray(y_train, dtype=float), rcond=None)
    return np.reshape(x_test, (len(x_test), -1)) @ coef
''',
        "only the window's last step as feature": '''
def linear_autoregression(x_train, y_train, x_test):
    def design(x):
        return np.hstack([np.asarray(x)[:, -1, :], np.ones((len(x), 1))])

    coef, *_ = np.linalg.lstsq(design(x_train), np.asarray(y_train, dtype=float), rcond=None)
    return design(x_test) @ coef
''',
    },
    "lstm_regressor": {
        # same parameter count and output shape; the output cannot leave [0, 1]
        "sigmoid output": '''
def lstm_regressor(lookback, features=1, units=32, learning_rate=1e-3):
    model = keras.Sequential([keras.Input((lookback, features)), keras.layers.LSTM(units),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model
''',
        "trained on the mean absolute error": '''
def lstm_regressor(lookback, features=1, units=32, learning_rate=1e-3):
    model = keras.Sequential([keras.Input((lookback, features)), keras.layers.LSTM(units), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mae")
    return model
''',
        "GRU in place of LSTM": '''
def lstm_regressor(lookback, features=1, units=32, learning_rate=1e-3):
    model = keras.Sequential([keras.Input((lookback, features)), keras.layers.GRU(units), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model
''',
    },
    "one_step_framings": {
        # the input is the target itself: a perfect fit that forecasts nothing
        "previous value without the shift": '''
def one_step_framings(dates, values, split):
    train_index, test_index = np.arange(1, split.cut), split.test_index
    year = (dates.year + (dates.day_of_year - 1) / 365.25).to_numpy(dtype=float)
    framings = {}
    for name, feature, shift in (("previous value, unscaled", values, 0), ("date as the feature, unscaled", year, 0)):
        framings[name] = (feature[train_index - shift].reshape(-1, 1, 1), values[train_index],
                          feature[test_index - shift].reshape(-1, 1, 1), values[test_index])
    return framings
''',
        "training targets from the first value": '''
def one_step_framings(dates, values, split):
    train_index, test_index = np.arange(0, split.cut), split.test_index
    year = (dates.year + (dates.day_of_year - 1) / 365.25).to_numpy(dtype=float)
    framings = {}
    for name, feature, shift in (("previous value, unscaled", values, 1), ("date as the feature, unscaled", year, 0)):
        framings[name] = (feature[train_index - shift].reshape(-1, 1, 1), values[train_index],
                          feature[test_index - shift].reshape(-1, 1, 1), values[test_index])
    return framings
''',
    },
}
