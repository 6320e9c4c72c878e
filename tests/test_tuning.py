"""hwlib.tuning (quiet searches, trial tables, resumable Hyperband) and the search spaces of the pages
that use it, where they live: Q1's on notebooks/hw7q/q1_keras_tuner.md, HW14 B4's on hw14/04_hyperband.md."""

import sys
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from hwlib import training, tuning

sys.path.insert(0, str(Path(__file__).parent))
from pagecode import page_definitions  # noqa: E402

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
    assert (tmp_path / "rs").is_dir()


def test_hyperband_resumes_instead_of_starting_over(tmp_path):
    training.seed_everything(0)
    x, y = toy_data(120)
    first = tuning.hyperband(tiny_hypermodel, x, y, 2, 0, tmp_path, "hb")
    table = tuning.trials_table(first)
    assert len(table) >= 2 and {"units", "learning_rate", "val_accuracy", "epochs"} <= set(table.columns)
    assert not any(c.startswith("tuner/") for c in table.columns)
    assert table["val_accuracy"].is_monotonic_decreasing
    # Other labels: a search that trained again would score differently; a resumed one trains nothing.
    again = tuning.hyperband(tiny_hypermodel, x, (y + 1) % 3, 2, 0, tmp_path, "hb")
    assert tuning.trials_table(again)["val_accuracy"].tolist() == table["val_accuracy"].tolist()


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


def test_q1_table_keeps_only_the_dense_layers_a_trial_built():
    table = pd.DataFrame({"num_dense_layers": [1, 3], "dense_0_units": [64, 32], "dense_1_units": [128, 96],
                          "dense_2_units": [float("nan"), 160.0], "val_accuracy": [0.9, 0.8]})
    joined = page_definitions(Q1).used_dense_units(table)
    assert list(joined.columns) == ["num_dense_layers", "dense_units", "val_accuracy"]
    assert list(joined["dense_units"]) == ["64", "32-96-160"]
