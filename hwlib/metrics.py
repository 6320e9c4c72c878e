"""Classification metrics computed once from one set of predictions, so they cannot disagree.

Report 002 printed classification reports with accuracy near 0.1 beside a
test accuracy of 91% (its predictions and labels were misaligned).  Here the
accuracy, the per-class report and the confusion matrix all come from the same
``(y_true, y_pred)`` pair, and :func:`evaluate_model` checks the result against
Keras's own evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import classification_report, confusion_matrix


@dataclass
class Evaluation:
    """Accuracy, per-class report and confusion matrix of one set of predictions."""

    accuracy: float
    report: pd.DataFrame
    confusion: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    class_names: tuple[str, ...]


def as_labels(y: np.ndarray) -> np.ndarray:
    """Integer labels from integer labels, one-hot rows or probability rows."""
    y = np.asarray(y)
    return y.argmax(axis=1) if y.ndim == 2 else y.astype(int)


def evaluate_predictions(y_true, y_pred_or_proba, class_names) -> Evaluation:
    """Accuracy, classification report and confusion matrix from the same predictions."""
    y_true = as_labels(y_true)
    y_pred = as_labels(y_pred_or_proba)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{len(y_true)} labels but {len(y_pred)} predictions")
    labels = list(range(len(class_names)))
    raw = classification_report(y_true, y_pred, labels=labels, target_names=list(class_names),
                                output_dict=True, zero_division=0)
    accuracy = float(np.mean(y_true == y_pred))
    rows = {name: raw[name] for name in class_names}
    rows["macro avg"] = raw["macro avg"]
    rows["weighted avg"] = raw["weighted avg"]
    report = pd.DataFrame(rows).T[["precision", "recall", "f1-score", "support"]]
    report["support"] = report["support"].astype(int)
    return Evaluation(accuracy, report, confusion_matrix(y_true, y_pred, labels=labels),
                      y_true, y_pred, tuple(class_names))


def evaluate_model(model, x, y_true, class_names, batch_size: int = 256) -> Evaluation:
    """Predict ``x`` once, evaluate those predictions, and check Keras's accuracy agrees."""
    proba = model.predict(x, batch_size=batch_size, verbose=0)
    evaluation = evaluate_predictions(y_true, proba, class_names)
    targets = y_true if np.ndim(y_true) == 2 else _one_hot(y_true, len(class_names))
    if "sparse" in str(getattr(model, "loss", "")):
        targets = as_labels(y_true)
    scores = model.evaluate(x, targets, batch_size=batch_size, verbose=0, return_dict=True)
    keras_accuracy = float(scores["accuracy"])
    if abs(keras_accuracy - evaluation.accuracy) > 1e-6:
        raise AssertionError(
            f"accuracy from predictions ({evaluation.accuracy:.6f}) differs from Keras's "
            f"evaluation ({keras_accuracy:.6f}): predictions and labels are misaligned"
        )
    return evaluation


def _one_hot(y, n):
    return np.eye(n, dtype="float32")[as_labels(y)]


def percent(value: float, digits: int = 2) -> str:
    """0.91473 -> '91.47'."""
    return f"{100 * value:.{digits}f}"


# --------------------------------------------------------------------------- imbalanced multi-class (HW14 B3)

SCORE_NAMES = ("accuracy", "balanced accuracy", "macro recall", "macro F1", "weighted F1", "macro AUC")


def auc_per_class(y_true, proba) -> np.ndarray:
    """One-vs-rest ROC AUC of each class (column ``k`` of ``proba`` scores class ``k``);
    NaN for a class that is absent from ``y_true`` (or is all of it)."""
    from sklearn.metrics import roc_auc_score

    y_true = as_labels(y_true)
    proba = np.asarray(proba)
    if proba.ndim != 2 or len(proba) != len(y_true):
        raise ValueError(f"{len(y_true)} labels but probabilities of shape {proba.shape}")
    aucs = np.full(proba.shape[1], np.nan)
    for k in range(proba.shape[1]):
        positive = y_true == k
        if 0 < positive.sum() < len(y_true):
            aucs[k] = roc_auc_score(positive, proba[:, k])
    return aucs


def multiclass_scores(y_true, proba, n_classes: int | None = None) -> dict[str, float]:
    """Accuracy and the imbalance-aware scores of one set of class probabilities.

    Balanced accuracy is the mean recall over the classes present in ``y_true``;
    macro recall and macro F1 average over all ``n_classes`` (a class never
    predicted counts with F1 0); macro AUC is the mean one-vs-rest AUC over the
    classes present.
    """
    from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score

    y_true = as_labels(y_true)
    proba = np.asarray(proba)
    y_pred = proba.argmax(axis=1)
    labels = list(range(n_classes or proba.shape[1]))
    return {
        "accuracy": float(np.mean(y_true == y_pred)),
        "balanced accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "macro recall": float(recall_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "macro F1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "weighted F1": float(f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)),
        "macro AUC": float(np.nanmean(auc_per_class(y_true, proba))),
    }


@dataclass
class SplitEvaluation:
    """One split's class probabilities and everything computed from them."""

    name: str
    proba: np.ndarray
    evaluation: Evaluation
    auc: np.ndarray
    scores: dict[str, float]

    @property
    def y_true(self) -> np.ndarray:
        return self.evaluation.y_true

    @property
    def report(self) -> pd.DataFrame:
        """Precision, recall, F1 and support per class with macro and weighted averages, plus each
        class's one-vs-rest ROC AUC (averaged plainly and by support in the two last rows)."""
        table = self.evaluation.report.copy()
        n = len(self.auc)
        support = table["support"].to_numpy()[:n]
        present = ~np.isnan(self.auc)
        table["ROC AUC"] = [*self.auc, np.nanmean(self.auc),
                            np.average(self.auc[present], weights=support[present])]
        return table


def evaluate_split(name: str, y_true, proba, class_names) -> SplitEvaluation:
    """Report, confusion matrix, per-class AUC and scores of one split, all from ``proba``."""
    evaluation = evaluate_predictions(y_true, proba, class_names)
    return SplitEvaluation(name, np.asarray(proba), evaluation, auc_per_class(evaluation.y_true, proba),
                           multiclass_scores(evaluation.y_true, proba, len(class_names)))


def evaluate_splits(model, splits: dict, class_names, batch_size: int = 512) -> dict[str, SplitEvaluation]:
    """Predict each ``name: (x, y)`` split once and evaluate it; Keras's own accuracy on the same
    images must agree, else predictions and labels are misaligned."""
    results = {}
    for name, (x, y) in splits.items():
        proba = model.predict(x, batch_size=batch_size, verbose=0)
        result = evaluate_split(name, y, proba, class_names)
        keras_accuracy = float(model.evaluate(x, as_labels(y), batch_size=batch_size, verbose=0,
                                              return_dict=True)["accuracy"])
        if abs(keras_accuracy - result.scores["accuracy"]) > 1e-6:
            raise AssertionError(f"{name}: accuracy from predictions ({result.scores['accuracy']:.6f}) "
                                 f"differs from Keras's ({keras_accuracy:.6f}): misaligned labels")
        results[name] = result
    return results


def majority_baseline(y_train, y_eval, n_classes: int) -> dict[str, float]:
    """Scores of always predicting the most frequent training class (with the training class
    shares as constant probabilities, so every AUC is 0.5)."""
    shares = np.bincount(as_labels(y_train), minlength=n_classes) / len(y_train)
    proba = np.tile(shares, (len(y_eval), 1))
    return multiclass_scores(y_eval, proba, n_classes)


def scores_table(results: dict[str, SplitEvaluation]) -> pd.DataFrame:
    """One row per split with :data:`SCORE_NAMES`."""
    return pd.DataFrame({name: r.scores for name, r in results.items()}).T[list(SCORE_NAMES)]
