"""Part D's ablation: the configuration grid, the models' sizes, early-stopping accounting, the table."""

import keras
import numpy as np
import pytest

from hwlib import ablation

# What each variant's name promises to change, and nothing else.
PROMISED = {
    "default": set(),
    "3 conv layers": {"convs"},
    "4 conv layers": {"convs"},
    "first kernel 5x5": {"convs"},
    "first kernel 7x7": {"convs"},
    "one 5x5 conv, pool 5x5": {"convs", "pool"},
    "lr 0.1": {"learning_rate"},
    "lr 0.001": {"learning_rate"},
    "lr 0.0001": {"learning_rate"},
    "tanh": {"activation"},
    "LeakyReLU": {"activation"},
    "SGD": {"optimizer"},
    "BatchNorm": {"batch_norm"},
    "batch 4": {"batch_size"},
    "batch 128": {"batch_size"},
    "MobileNetV2": {"arch", "max_epochs"},
}


def test_every_variant_changes_exactly_what_its_name_says():
    assert [c.name for c in ablation.VARIANTS] == list(PROMISED)
    default = ablation.settings(ablation.VARIANTS[0])
    assert default == ablation.DEFAULT
    for config in ablation.VARIANTS:
        s = ablation.settings(config)
        changed = {k for k in s if s[k] != default[k]}
        assert changed == PROMISED[config.name], config.name


def test_the_changed_values():
    s = {c.name: ablation.settings(c) for c in ablation.VARIANTS}
    assert len(s["3 conv layers"]["convs"]) == 3 and len(s["4 conv layers"]["convs"]) == 4
    assert s["first kernel 5x5"]["convs"][0][1] == 5 and s["first kernel 7x7"]["convs"][0][1] == 7
    assert s["first kernel 5x5"]["convs"][1:] == ablation.DEFAULT["convs"][1:]
    assert s["one 5x5 conv, pool 5x5"]["convs"] == ((7, 5, "same"),) and s["one 5x5 conv, pool 5x5"]["pool"] == 5
    assert [s[f"lr {v}"]["learning_rate"] for v in ("0.1", "0.001", "0.0001")] == [0.1, 0.001, 0.0001]
    assert ablation.DEFAULT["learning_rate"] == 0.01 and ablation.DEFAULT["batch_size"] == 32
    assert s["batch 4"]["batch_size"] == 4 and s["batch 128"]["batch_size"] == 128
    assert s["MobileNetV2"]["max_epochs"] == 20


def test_unknown_setting_and_name_are_refused():
    with pytest.raises(ValueError, match="unknown setting"):
        ablation.settings(ablation.Config("bad", {"lr": 1}))
    with pytest.raises(ValueError, match="unknown configuration"):
        ablation.by_name(["nope"])
    assert [c.name for c in ablation.by_name(["tanh", "default"])] == ["default", "tanh"]


def test_default_parameter_count_by_hand():
    conv1 = 3 * 3 * 3 * 7 + 7  # 32x32x3 -> 32x32x7 (same)
    conv2 = 3 * 3 * 7 * 9 + 9  # -> 30x30x9 (valid)
    dense = 15 * 15 * 9 * 10 + 10  # max-pooled to 15x15x9, flattened
    assert conv1 + conv2 + dense == 21_032
    model = ablation.build(ablation.VARIANTS[0])
    assert model.count_params() == 21_032
    assert model.output_shape == (None, 10)
    single = ablation.build(ablation.by_name(["one 5x5 conv, pool 5x5"])[0])
    assert single.count_params() == (5 * 5 * 3 * 7 + 7) + (6 * 6 * 7 * 10 + 10)
    bn = ablation.build(ablation.by_name(["BatchNorm"])[0])
    assert bn.count_params() == 21_032 + 4 * 3


def test_optimizer_and_activation_follow_the_settings():
    sgd = ablation.build(ablation.by_name(["SGD"])[0])
    assert isinstance(sgd.optimizer, keras.optimizers.SGD)
    assert float(sgd.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    leaky = ablation.build(ablation.by_name(["LeakyReLU"])[0])
    assert any(isinstance(layer, keras.layers.LeakyReLU) for layer in leaky.layers)


def test_early_stopping_summary_counts_epochs_from_one():
    history = {"loss": [2.0, 1.5, 1.2, 1.0, 0.9], "val_loss": [1.8, 1.4, 1.6, 1.7, 1.9],
               "val_accuracy": [0.3, 0.5, 0.55, 0.4, 0.35], "accuracy": [0.1] * 5}
    s = ablation.early_stopping_summary(history)
    assert s["epochs run"] == 5 and s["best epoch"] == 2
    assert s["min val loss"] == 1.4 and s["min train loss"] == 0.9
    assert s["best val accuracy"] == 0.55 and s["val accuracy (kept)"] == 0.5


class ScriptedValLoss(keras.callbacks.Callback):
    """Overwrites the validation loss with a script, before early stopping sees it."""

    def __init__(self, script):
        super().__init__()
        self.script = script

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.script[epoch]


def test_keras_early_stopping_matches_our_accounting():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    y = keras.utils.to_categorical(np.arange(16) % 2, 2)
    script = [1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.6]
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    history = model.fit(x, y, validation_data=(x, y), epochs=len(script), verbose=0,
                        callbacks=[ScriptedValLoss(script), stop])
    s = ablation.early_stopping_summary(history.history)
    assert s["epochs run"] == 5  # epochs 3, 4, 5 brought no improvement on 0.8
    assert s["best epoch"] == 2 == stop.best_epoch + 1
    assert s["min val loss"] == 0.8


def test_run_table_columns_and_restored_weights():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (80, 32, 32, 3)).astype(np.uint8)
    y = np.arange(80) % 10
    configs = ablation.by_name(["one 5x5 conv, pool 5x5", "batch 4"])
    run = ablation.run_configurations(configs, x, y, x[:10], y[:10], epochs=2, max_steps=3, seed=0)
    assert tuple(run.table.columns[: len(ablation.RESULT_COLUMNS)]) == ablation.RESULT_COLUMNS
    assert list(run.table.index) == [c.name for c in configs]
    assert run.table.loc["batch 4", "train images"] == 12  # 3 steps of 4 images
    assert run.table.loc["one 5x5 conv, pool 5x5", "train images"] == 68  # 85 % of 80
    for name, hist in run.histories.items():
        assert run.table.loc[name, "epochs run"] == len(hist["loss"]) <= 2
        assert 1 <= run.table.loc[name, "best epoch"] <= run.table.loc[name, "epochs run"]
    assert run.best() in run.table.index
    model = run.models[run.best()]
    assert ablation.kernels(model).shape[-1] == 7
    maps = ablation.feature_maps(model, x[0])
    assert maps.shape[-1] == 7 and maps.ndim == 3


def test_slug_and_report_table():
    assert ablation.slug("one 5x5 conv, pool 5x5") == "one_5x5_conv_pool_5x5"
    assert ablation.slug("lr 0.0001") == "lr_0_0001"
    assert len({ablation.slug(c.name) for c in ablation.VARIANTS}) == len(ablation.VARIANTS)
    import pandas as pd

    table = pd.DataFrame({"test accuracy": [0.5]}, index=pd.Index(["default"], name="configuration"))
    report = ablation.report_table(table, "stand-in")
    assert report.loc["default", "this run, test (stand-in)"] == 0.5
    assert report.loc["default", "report 004 (CIFAR-10, 50 epochs)"] == 0.62
    assert report.loc["MobileNetV2", "report 004 (CIFAR-10, 50 epochs)"] == 0.55
