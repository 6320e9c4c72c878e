"""Imbalance-aware metrics (HW14 B3) agree with scikit-learn and catch misaligned labels; the plots draw."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score, roc_auc_score

from hwlib import metrics, plots

NAMES = ("a", "b", "c")


def toy(seed=0, n=300):
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    proba = rng.random((n, 3)) + np.eye(3)[y] * rng.random((n, 1))  # informative, imperfect
    return y, proba / proba.sum(axis=1, keepdims=True)


def test_scores_match_scikit_learn():
    y, proba = toy()
    pred = proba.argmax(1)
    scores = metrics.multiclass_scores(y, proba)
    assert scores["accuracy"] == pytest.approx(np.mean(pred == y))
    assert scores["balanced accuracy"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert scores["macro recall"] == pytest.approx(recall_score(y, pred, average="macro"))
    assert scores["macro F1"] == pytest.approx(f1_score(y, pred, average="macro"))
    assert scores["weighted F1"] == pytest.approx(f1_score(y, pred, average="weighted"))
    assert scores["macro AUC"] == pytest.approx(roc_auc_score(y, proba, multi_class="ovr", average="macro"))
    per_class = [roc_auc_score(y == k, proba[:, k]) for k in range(3)]
    np.testing.assert_allclose(metrics.auc_per_class(y, proba), per_class)


def test_auc_belongs_to_the_right_class():
    # Column k scores class k: class 0 ranked perfectly (AUC 1), class 1 in 5 of 8 pairs, class 2 never.
    y = np.array([0, 0, 1, 1, 2, 2])
    proba = np.array([
        [0.90, 0.30, 0.50], [0.80, 0.10, 0.60],
        [0.10, 0.40, 0.40], [0.20, 0.20, 0.30],
        [0.30, 0.50, 0.01], [0.40, 0.15, 0.02],
    ])
    np.testing.assert_allclose(metrics.auc_per_class(y, proba), [1.0, 0.625, 0.0])
    assert metrics.multiclass_scores(y, proba)["macro AUC"] == pytest.approx(0.5416666)
    assert not np.allclose(metrics.auc_per_class(np.roll(y, 2), proba), [1.0, 0.625, 0.0]), \
        "labels shifted against the predictions must change the AUCs"


def test_absent_class_gives_nan_and_is_left_out_of_the_mean():
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1]])
    aucs = metrics.auc_per_class(y, proba)
    assert np.isnan(aucs[2]) and aucs[0] == aucs[1] == 1.0
    assert metrics.multiclass_scores(y, proba)["macro AUC"] == 1.0


def test_split_report_has_auc_column_and_averages():
    y, proba = toy(1)
    result = metrics.evaluate_split("test", y, proba, NAMES)
    report = result.report
    assert list(report.columns) == ["precision", "recall", "f1-score", "support", "ROC AUC"]
    assert list(report.index) == [*NAMES, "macro avg", "weighted avg"]
    assert report.loc["macro avg", "ROC AUC"] == pytest.approx(result.scores["macro AUC"])
    support = np.bincount(y)
    weighted = np.average(result.auc, weights=support)
    assert report.loc["weighted avg", "ROC AUC"] == pytest.approx(weighted)
    assert report.loc["macro avg", "recall"] == pytest.approx(result.scores["macro recall"])


class MisalignedModel:
    """predict() returns the rows in reverse order; evaluate() scores them correctly."""

    def __init__(self, proba):
        self.proba = proba

    def predict(self, x, batch_size=None, verbose=0):
        return self.proba[::-1]

    def evaluate(self, x, y, batch_size=None, verbose=0, return_dict=True):
        return {"accuracy": float(np.mean(self.proba.argmax(1) == y))}


class AlignedModel(MisalignedModel):
    def predict(self, x, batch_size=None, verbose=0):
        return self.proba


def test_evaluate_splits_refuses_misaligned_predictions():
    y, proba = toy(2)
    x = np.zeros((len(y), 1))
    results = metrics.evaluate_splits(AlignedModel(proba), {"val": (x, y)}, NAMES)
    assert results["val"].scores["accuracy"] == pytest.approx(np.mean(proba.argmax(1) == y))
    with pytest.raises(AssertionError, match="misaligned"):
        metrics.evaluate_splits(MisalignedModel(proba), {"val": (x, y)}, NAMES)
    table = metrics.scores_table(results)
    assert list(table.index) == ["val"] and list(table.columns) == list(metrics.SCORE_NAMES)


def test_majority_baseline():
    scores = metrics.majority_baseline(np.array([0, 1, 1, 1, 1, 1, 2, 2]), np.array([1, 1, 0, 2]), 3)
    assert scores["accuracy"] == 0.5
    assert scores["balanced accuracy"] == pytest.approx(1 / 3)
    assert scores["macro F1"] == pytest.approx((2 * 0.5 * 1 / 1.5) / 3)
    assert scores["macro AUC"] == 0.5


def test_plots_draw_every_class_with_its_score():
    y, proba = toy(3)
    roc = plots.curves_by_split({"train": (y, proba), "test": (y, proba)}, NAMES, kind="roc")
    labels = [t.get_text() for t in roc.axes[0].get_legend().get_texts()]
    auc_a = roc_auc_score(y == 0, proba[:, 0])
    assert len(roc.axes) == 2 and labels[0] == f"a (AUC {auc_a:.3f})" and len(labels) == 3
    pr = plots.curves_by_split({"test": (y, proba)}, NAMES, kind="pr")
    assert "AP" in pr.axes[0].get_legend().get_texts()[1].get_text()
    with pytest.raises(ValueError, match="kind"):
        plots.curves_by_split({"test": (y, proba)}, NAMES, kind="det")
    matrices = {"train": np.array([[5, 1, 0], [2, 3, 0], [0, 0, 0]]), "test": np.eye(3, dtype=int)}
    fig = plots.confusion_by_split(matrices, NAMES)
    assert len(fig.axes) == 2 and fig.axes[0].texts[0].get_text() == "5"
    import pandas as pd

    counts = pd.DataFrame({"train": [10, 2], "val": [3, 1], "test": [4, 1]}, index=["x", "y"])
    assert len(plots.class_counts(counts).axes[0].patches) == 6
