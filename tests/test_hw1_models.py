"""HW1's models where their pages define them, counted by hand; the shared study pipeline."""

import keras
import numpy as np
import pytest
from pagecode import page_definitions

from hwlib import data, studies, training


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def dense(n_in, n_out):
    return n_in * n_out + n_out


@pytest.mark.parametrize("page, name, expected", [
    ("hw1/02_baseline_cnn", "baseline", conv(3, 1, 32) + dense(14 * 14 * 32, 128) + dense(128, 10)),
    ("hw1/03_depth", "deep_same", conv(3, 1, 32) + 2 * conv(3, 32, 32) + dense(4 * 4 * 32, 100) + dense(100, 10)),
    ("hw1/03_depth", "deep_wide",
     conv(3, 1, 32) + conv(3, 32, 64) + conv(3, 64, 128) + dense(4 * 4 * 128, 128) + dense(128, 10)),
])
def test_parameter_counts(page, name, expected):
    assert getattr(page_definitions(page), name)().count_params() == expected


@pytest.mark.parametrize("page, plain, dropped, rates", [
    ("hw1/02_baseline_cnn", "baseline", "baseline_dropout", [0.25, 0.3]),
    ("hw1/03_depth", "deep_wide", "deep_wide_dropout", [0.25, 0.25, 0.4, 0.3]),
])
def test_dropout_variants_only_add_dropout(page, plain, dropped, rates):
    a = getattr(page_definitions(page), plain)()
    b = getattr(page_definitions("hw1/04_dropout"), dropped)()
    assert a.count_params() == b.count_params()
    assert [layer.rate for layer in b.layers if isinstance(layer, keras.layers.Dropout)] == rates
    kept = [layer for layer in b.layers if not isinstance(layer, keras.layers.Dropout)]
    assert [layer.output.shape for layer in kept] == [layer.output.shape for layer in a.layers]


def test_tuner_hypermodel_uses_the_search_space():
    import keras_tuner as kt

    hp = kt.HyperParameters()
    model = page_definitions("hw1/05_tuner").tuner_hypermodel(hp)
    assert set(hp.values) == {"conv_1_filter", "conv_1_kernel", "conv_2_filter", "conv_2_kernel",
                              "dense_1_units", "learning_rate"}
    assert model.output_shape == (None, 10)


def tiny_data(n=120):
    rng = np.random.default_rng(0)
    y = np.arange(n) % 10
    x = rng.random((n, 28, 28, 1)).astype("float32") * 0.2
    for i, label in enumerate(y):  # a learnable pattern: a bright column per class
        x[i, :, 2 * label + 4, 0] = 1.0
    return data.Dataset(x, y, x[:30], y[:30], tuple(f"c{i}" for i in range(10)), "synthetic", real=False)


def test_study_is_reproducible_from_a_seed():
    ds, baseline = tiny_data(), page_definitions("hw1/02_baseline_cnn").baseline
    runs = []
    for _ in range(2):
        training.seed_everything(3)
        runs.append(studies.study(baseline, ds, folds=2, epochs=2, batch_size=16, seed=3)["summary"])
    assert runs[0]["name"] == "baseline"
    assert runs[0]["cv"]["fold_accuracy"] == runs[1]["cv"]["fold_accuracy"]
    assert runs[0]["test_accuracy"] == runs[1]["test_accuracy"]
    assert len(runs[0]["cv"]["histories"]) == 2 and len(runs[0]["cv"]["histories"][0]["val_loss"]) == 2


def test_cross_validation_needs_two_folds():
    baseline = page_definitions("hw1/02_baseline_cnn").baseline
    with pytest.raises(ValueError, match="at least 2 folds"):
        training.cross_validate(baseline, np.zeros((4, 28, 28, 1)), np.zeros((4, 10)), folds=1)



def test_gap_and_best_epoch_summaries():
    histories = [{"accuracy": [0.70, 0.90], "val_accuracy": [0.80, 0.85], "val_loss": [0.5, 0.4]},
                 {"accuracy": [0.60, 0.80], "val_accuracy": [0.70, 0.75], "val_loss": [0.3, 0.6]}]
    summary = {"cv": {"histories": histories}}
    train, val, gap = studies.final_accuracies(summary)
    assert (train, val, gap) == pytest.approx((85.0, 80.0, 5.0))
    assert studies.first_epoch_gap(summary) == pytest.approx(-10.0)
    assert studies.best_epoch(summary) == pytest.approx(1.5)  # epoch 2 in the first fold, epoch 1 in the second


def test_weakest_class_names_the_class_of_lowest_recall_and_its_main_confusion():
    from hwlib import metrics

    names = ("a", "b", "c")
    y_true = np.array([0] * 4 + [1] * 4 + [2] * 4)
    y_pred = np.array([0, 0, 0, 0, 1, 2, 2, 0, 2, 2, 2, 1])
    weakest = studies.weakest_class(metrics.evaluate_predictions(y_true, y_pred, names))
    assert weakest == {"name": "b", "recall": 0.25, "confused_with": "c", "count": 2}
    assert set(studies.UPPER_BODY) <= set(data.FASHION_CLASSES)
