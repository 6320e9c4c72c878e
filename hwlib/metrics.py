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
