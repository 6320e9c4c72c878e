"""Metrics agree with scikit-learn and with Keras's own evaluation."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score

from hwlib import metrics

NAMES = ("a", "b", "c")


def test_report_matches_scikit_learn():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 3, 200)
    proba = rng.random((200, 3))
    y_pred = proba.argmax(1)
    ev = metrics.evaluate_predictions(y_true, proba, NAMES)
    assert ev.accuracy == pytest.approx(accuracy_score(y_true, y_pred))
    np.testing.assert_allclose(ev.report.loc[list(NAMES), "precision"], precision_score(y_true, y_pred, average=None))
    np.testing.assert_allclose(ev.report.loc[list(NAMES), "recall"], recall_score(y_true, y_pred, average=None))
    assert ev.report.loc["macro avg", "f1-score"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    np.testing.assert_array_equal(ev.confusion, confusion_matrix(y_true, y_pred))
    assert ev.report["support"].iloc[:3].sum() == 200


def test_one_hot_labels_and_integer_labels_agree():
    y = np.array([0, 1, 2, 2, 1])
    onehot = np.eye(3)[y]
    pred = np.array([0, 1, 1, 2, 1])
    assert metrics.evaluate_predictions(onehot, pred, NAMES).accuracy == metrics.evaluate_predictions(y, pred, NAMES).accuracy == 0.8


def test_misaligned_lengths_are_refused():
    with pytest.raises(ValueError, match="5 labels but 4 predictions"):
        metrics.evaluate_predictions(np.zeros(5), np.zeros(4), NAMES)


def test_report_accuracy_equals_keras_evaluation():
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((300, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 1).astype(int) + (x[:, 2] > 0.7).astype(int)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, np.eye(3)[y], epochs=3, verbose=0)
    ev = metrics.evaluate_model(model, x, np.eye(3)[y], NAMES)
    keras_acc = model.evaluate(x, np.eye(3)[y], verbose=0, return_dict=True)["accuracy"]
    assert ev.accuracy == pytest.approx(keras_acc, abs=1e-6)
    assert ev.accuracy == pytest.approx(np.trace(ev.confusion) / len(y))


def test_misaligned_labels_are_caught():
    """The defect of report 002: scoring predictions against labels in another order."""
    import keras

    class Shuffled(keras.Model):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def call(self, x):
            return self.inner(x)

        def predict(self, x, **kw):
            return super().predict(x, **kw)[::-1]

    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.random((200, 2)).astype("float32")
    y = (x[:, 0] > 0.5).astype(int)
    inner = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model = Shuffled(inner)
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, np.eye(2)[y], epochs=20, verbose=0)
    with pytest.raises(AssertionError, match="misaligned"):
        metrics.evaluate_model(model, x, np.eye(2)[y], ("neg", "pos"))
