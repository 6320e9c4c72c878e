"""The sc3 Q2 page's methods where they live (its definition cells): the configuration table, the
builder, the models' sizes, the history summary against Keras's early stopping, the feature maps."""

import keras
import numpy as np
import pytest

from pagecode import page_definitions

P = page_definitions("sc3/q2_cifar10_ablation")

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
    "MobileNetV2": {"mobilenet", "max_epochs", "dropout"},  # the report's head has no dropout
}


def test_every_variant_changes_exactly_what_its_name_says():
    assert list(P.VARIANTS) == list(PROMISED)
    assert P.settings("default") == P.DEFAULT
    for name in P.VARIANTS:
        s = P.settings(name)
        assert set(s) == set(P.DEFAULT), name  # no unknown setting
        assert {k for k in s if s[k] != P.DEFAULT[k]} == PROMISED[name], name


def test_the_changed_values():
    s = {name: P.settings(name) for name in P.VARIANTS}
    assert len(s["3 conv layers"]["convs"]) == 3 and len(s["4 conv layers"]["convs"]) == 4
    assert s["first kernel 5x5"]["convs"][0][1] == 5 and s["first kernel 7x7"]["convs"][0][1] == 7
    assert s["first kernel 5x5"]["convs"][1:] == P.DEFAULT["convs"][1:]
    assert s["one 5x5 conv, pool 5x5"]["convs"] == ((7, 5, "same"),) and s["one 5x5 conv, pool 5x5"]["pool"] == 5
    assert [s[f"lr {v}"]["learning_rate"] for v in ("0.1", "0.001", "0.0001")] == [0.1, 0.001, 0.0001]
    assert P.DEFAULT["learning_rate"] == 0.01 and P.DEFAULT["batch_size"] == 32
    assert s["batch 4"]["batch_size"] == 4 and s["batch 128"]["batch_size"] == 128
    assert s["MobileNetV2"]["max_epochs"] == 20 and s["MobileNetV2"]["dropout"] == 0


def test_default_parameter_count_by_hand():
    conv1 = 3 * 3 * 3 * 7 + 7  # 32x32x3 -> 32x32x7 (same)
    conv2 = 3 * 3 * 7 * 9 + 9  # -> 30x30x9 (valid)
    dense = 15 * 15 * 9 * 10 + 10  # max-pooled to 15x15x9, flattened
    assert conv1 + conv2 + dense == 21_032
    model = P.build("default")
    assert model.count_params() == 21_032
    assert model.output_shape == (None, 10)
    assert P.build("one 5x5 conv, pool 5x5").count_params() == (5 * 5 * 3 * 7 + 7) + (6 * 6 * 7 * 10 + 10)
    assert P.build("BatchNorm").count_params() == 21_032 + 4 * 3
    assert P.build("3 conv layers").count_params() < 21_032  # unpadded convolutions shrink the dense layer


def test_optimizer_and_activation_follow_the_settings():
    sgd = P.build("SGD")
    assert isinstance(sgd.optimizer, keras.optimizers.SGD)
    assert float(sgd.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    leaky = [layer for layer in P.build("LeakyReLU").layers if isinstance(layer, keras.layers.LeakyReLU)]
    assert len(leaky) == 2 and all(layer.negative_slope == pytest.approx(0.3) for layer in leaky)


def test_mobilenet_ends_in_one_position_per_image():
    model = P.build("MobileNetV2")
    assert model.output_shape == (None, 10)
    assert model.layers[-1].input.shape[-1] == 1280  # flattened 1 x 1 x 1280


def test_mobilenet_head_is_the_reports_flatten_and_dense():
    model = P.build("MobileNetV2")
    assert [type(layer).__name__ for layer in model.layers[-2:]] == ["Flatten", "Dense"]
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    assert model.loss == "sparse_categorical_crossentropy"
    assert any(isinstance(layer, keras.layers.Dropout) for layer in P.build("default").layers)


@pytest.mark.parametrize(("name", "k"), [("default", 3), ("first kernel 5x5", 5), ("first kernel 7x7", 7)])
def test_weights_per_first_layer_filter(name, k):
    kernel = P.first_conv(P.build(name)).kernel
    assert kernel.shape == (k, k, 3, 7)
    assert int(np.prod(kernel.shape[:3])) == {3: 27, 5: 75, 7: 147}[k]  # a k x k window on each of 3 channels


def test_summary_counts_epochs_from_one():
    history = {"loss": [2.0, 1.5, 1.2, 1.0, 0.9], "val_loss": [1.8, 1.4, 1.6, 1.7, 1.9],
               "val_accuracy": [0.3, 0.5, 0.55, 0.4, 0.35], "accuracy": [0.1] * 5}
    s = P.summarise(history)
    assert s["epochs run"] == 5 and s["lowest val loss at"] == 2
    assert s["min val loss"] == 1.4 and s["min train loss"] == 0.9
    assert s["best val accuracy"] == 0.55 and s["final val accuracy"] == 0.35
    assert s["epochs val < train"] == 2  # epochs 1 and 2: 1.8 < 2.0 and 1.4 < 1.5


class ScriptedLoss(keras.callbacks.Callback):
    """Overwrites the training loss with a script, before early stopping sees it."""

    def __init__(self, script):
        super().__init__()
        self.script = script

    def on_epoch_end(self, epoch, logs=None):
        logs["loss"] = self.script[epoch]


def test_keras_early_stopping_on_the_training_loss_matches_the_summary():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    y = np.arange(16) % 2
    script = [1.0, 0.8, 0.9, 0.85, 0.95, 0.7, 0.6]
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=3)  # as on the page
    history = model.fit(x, y, validation_data=(x, y), epochs=len(script), verbose=0,
                        callbacks=[ScriptedLoss(script), stop])
    s = P.summarise(history.history)
    assert s["epochs run"] == 5  # epochs 3, 4, 5 brought no improvement on 0.8
    assert s["min train loss"] == 0.8 and stop.best_epoch == 1


def test_feature_maps_match_the_convolution_by_hand():
    keras.utils.set_random_seed(0)
    model = P.build("first kernel 5x5")
    assert P.first_conv(model) is model.layers[1]
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3)).astype(np.uint8)
    maps = P.feature_maps(model, image)
    assert maps.shape == (32, 32, 7)
    kernel, bias = P.first_conv(model).get_weights()
    patch = image[8:13, 4:9].astype("float32") / 255.0  # the 5x5 window centred on pixel (10, 6)
    assert np.allclose(maps[10, 6], np.maximum(np.einsum("hwc,hwcf->f", patch, kernel) + bias, 0), atol=1e-5)
