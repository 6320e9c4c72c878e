"""HW1 architectures: parameter counts checked against hand computation, and the study pipeline."""

import numpy as np
import pytest

from hwlib import experiments, models, training


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def dense(n_in, n_out):
    return n_in * n_out + n_out


@pytest.mark.parametrize("name, expected", [
    ("baseline", conv(3, 1, 32) + dense(14 * 14 * 32, 128) + dense(128, 10)),
    ("deep_same", conv(3, 1, 32) + 2 * conv(3, 32, 32) + dense(4 * 4 * 32, 100) + dense(100, 10)),
    ("deep_wide", conv(3, 1, 32) + conv(3, 32, 64) + conv(3, 64, 128) + dense(4 * 4 * 128, 128) + dense(128, 10)),
])
def test_parameter_counts(name, expected):
    assert models.build(name).count_params() == expected


def test_dropout_variants_only_add_dropout():
    for plain, dropped, rates in (("baseline", "baseline_dropout", [0.25, 0.3]),
                                  ("deep_wide", "deep_wide_dropout", [0.25, 0.25, 0.4, 0.3])):
        a, b = models.build(plain), models.build(dropped)
        assert a.count_params() == b.count_params()
        assert [layer.rate for layer in b.layers if "drop" in layer.name] == rates


def test_unknown_architecture():
    with pytest.raises(ValueError, match="unknown architecture 'resnet'"):
        models.build("resnet")


def test_tuner_hypermodel_uses_the_search_space():
    import keras_tuner as kt

    hp = kt.HyperParameters()
    model = models.tuner_hypermodel(hp)
    assert set(hp.values) == {"conv_1_filter", "conv_1_kernel", "conv_2_filter", "conv_2_kernel",
                              "dense_1_units", "learning_rate"}
    assert model.output_shape == (None, 10)


def tiny_data(n=120):
    rng = np.random.default_rng(0)
    y = np.arange(n) % 10
    x = rng.random((n, 28, 28, 1)).astype("float32") * 0.2
    for i, label in enumerate(y):  # a learnable pattern: a bright column per class
        x[i, :, 2 * label + 4, 0] = 1.0
    return experiments.FashionData(x, y, x[:30], y[:30], tuple(f"c{i}" for i in range(10)), "synthetic")


def test_study_is_reproducible_from_a_seed():
    fd = tiny_data()
    runs = []
    for _ in range(2):
        training.seed_everything(3)
        runs.append(experiments.study("baseline", fd, folds=2, epochs=2, batch_size=16, seed=3, profile="test")["summary"])
    assert runs[0]["cv"]["fold_accuracy"] == runs[1]["cv"]["fold_accuracy"]
    assert runs[0]["test_accuracy"] == runs[1]["test_accuracy"]
    assert len(runs[0]["cv"]["histories"]) == 2 and len(runs[0]["cv"]["histories"][0]["val_loss"]) == 2


def test_cross_validation_needs_two_folds():
    with pytest.raises(ValueError, match="at least 2 folds"):
        training.cross_validate(models.baseline, np.zeros((4, 28, 28, 1)), np.zeros((4, 10)), folds=1)


def test_mnist_cnn_has_the_reported_parameter_count():
    # conv 3x3: (9 * c_in + 1) * c_out; 'same' padding 28 -> pool 14 -> 7 -> 3, so 3 * 3 * 64 = 576 inputs
    by_hand = (9 + 1) * 32 + (9 * 32 + 1) * 64 + (9 * 64 + 1) * 64 + (576 + 1) * 128 + (128 + 1) * 10
    assert by_hand == 130_890
    assert models.mnist_cnn().count_params() == by_hand


def test_mnist_tuner_cnn_rebuilds_the_reported_best_model():
    # 3 unpadded convs of 225 filters: 28 -> 26, pool 13 -> 11 -> 9; dense 64-64
    conv = (9 + 1) * 225 + 2 * (9 * 225 + 1) * 225
    dense = (9 * 9 * 225 + 1) * 64 + (64 + 1) * 64 + (64 + 1) * 10
    assert models.mnist_tuner_cnn(3, 225, [64, 64], 1e-3).count_params() == conv + dense == 2_085_224


def test_mnist_tuner_cnn_fits_five_conv_layers():
    model = models.mnist_tuner_cnn(5, 17, [32], 1e-3)
    assert model.get_layer("conv5").output.shape[1:3] == (2, 2)  # 28-26, /2 13-11-9, /2 4-2, then 'same'


def test_mnist_tuner_hypermodel_space():
    import keras_tuner as kt

    hp = kt.HyperParameters()
    models.mnist_tuner_hypermodel(hp)
    space = {p.name: p for p in hp.space}
    assert (space["num_conv_layers"].min_value, space["num_conv_layers"].max_value) == (1, 5)
    assert (space["conv_filters"].min_value, space["conv_filters"].max_value, space["conv_filters"].step) == (1, 256, 16)
    assert list(space["learning_rate"].values) == [1e-3, 5e-4, 1e-4]
