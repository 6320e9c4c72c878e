"""The tuning helpers: search spaces, readable trial tables, and a Hyperband search that resumes."""

import numpy as np

from hwlib import models, training, tuning


def test_mlp_parameter_count_and_space():
    import keras_tuner as kt

    assert models.mlp(512).count_params() == 28 * 28 * 512 + 512 + 512 * 10 + 10
    hp = kt.HyperParameters()
    models.mlp_hypermodel(hp)
    assert set(hp.values) == {"hidden_units", "learning_rate"}
    assert hp.space[0].min_value == 16 and hp.space[0].max_value == 512 and hp.space[0].step == 16
    assert list(hp.space[1].values) == [1e-4, 5e-4, 1e-3, 5e-3, 1e-2]


def test_search_name_follows_the_settings():
    a = tuning.search_name("hb", max_epochs=3, seed=1)
    assert a == tuning.search_name("hb", seed=1, max_epochs=3)
    assert a != tuning.search_name("hb", max_epochs=10, seed=1)


def test_hyperband_resumes_instead_of_starting_over(tmp_path):
    training.seed_everything(0)
    rng = np.random.default_rng(0)
    x = rng.random((120, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, 120)
    first = tuning.hyperband(models.mlp_hypermodel, x, y, 2, 0, tmp_path, "hb")
    table = tuning.trials_table(first)
    assert len(table) >= 2 and {"hidden_units", "learning_rate", "val_accuracy"} <= set(table.columns)
    assert not any(c.startswith("tuner/") for c in table.columns)
    assert table["val_accuracy"].is_monotonic_decreasing
    # Other labels: a search that trained again would score differently; a resumed one trains nothing.
    again = tuning.hyperband(models.mlp_hypermodel, x, (y + 1) % 10, 2, 0, tmp_path, "hb")
    assert tuning.trials_table(again)["val_accuracy"].tolist() == table["val_accuracy"].tolist()


def test_join_layer_columns_keeps_only_the_layers_a_trial_built():
    import pandas as pd

    from hwlib import tuning

    table = pd.DataFrame({"num_dense_layers": [1, 3], "dense_0_units": [64, 32], "dense_1_units": [128, 96],
                          "dense_2_units": [float("nan"), 160.0], "val_accuracy": [0.9, 0.8]})
    joined = tuning.join_layer_columns(table, "num_dense_layers", "dense_{}_units", "dense_units")
    assert list(joined.columns) == ["num_dense_layers", "dense_units", "val_accuracy"]
    assert list(joined["dense_units"]) == ["64", "32-96-160"]
