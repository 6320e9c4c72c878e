"""The Fashion-MNIST CNN studies of HW1: data ready for a CNN, one model cross-validated then
scored on the test set, and the tables that put runs beside report 002."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from . import data, metrics, reference, results, training


def fashion_data(data_dir: str = "", train_size: int = 0, seed: int = 0) -> data.Dataset:
    """Fashion-MNIST as float32 in [0, 1] with a channel axis and integer labels; a class-balanced
    training subset when ``train_size`` > 0 (the test set is always complete)."""
    ds = data.load_fashion_mnist(data_dir or None)
    x, y = data.stratified_subset(ds.x_train, ds.y_train, train_size, seed)
    note = ds.provenance
    if len(y) < len(ds.y_train):
        note += f"; this run trains on a class-balanced subset of {len(y):,} training images"
    return data.Dataset(data.to_model_input(x), y, data.to_model_input(ds.x_test), ds.y_test,
                        ds.class_names, note, ds.real, ds.sources)


def study(build, ds: data.Dataset, *, folds: int, epochs: int, batch_size: int, seed: int,
          save_model: bool = False) -> dict:
    """Cross-validate the model ``build()`` returns (compiled, one-hot labels), fit a fresh one on
    all training images and score it on the test set (saved and reloaded first if ``save_model``).

    Returns the CV result, the test evaluation, the model and a JSON-able ``summary`` named
    after the builder function (``baseline`` for ``def baseline()``).
    """
    name = build.__name__
    y_train = keras.utils.to_categorical(ds.y_train, len(ds.class_names))
    cv = training.cross_validate(build, ds.x_train, y_train, folds=folds, epochs=epochs,
                                 batch_size=batch_size, seed=seed, name=name)
    keras.utils.set_random_seed(seed)
    model = build()
    history = training.fit(model, ds.x_train, y_train, epochs=epochs, batch_size=batch_size,
                           name=f"{name}: final fit")
    if save_model:
        path = results.folder("models") / f"{name}.keras"
        model.save(path)
        model = keras.models.load_model(path)
    evaluation = metrics.evaluate_model(model, ds.x_test, ds.y_test, ds.class_names)
    summary = {"name": name, "params": int(model.count_params()), "cv": cv.as_dict(),
               "test_accuracy": evaluation.accuracy, "final_history": history,
               "train_size": int(len(ds.y_train)), "epochs": epochs, "folds": folds}
    return {"cv": cv, "model": model, "evaluation": evaluation, "summary": summary}


# The four upper-body garments, which share their outline: shapes differ only in sleeves, collars, texture.
UPPER_BODY = ("T-shirt/top", "Pullover", "Coat", "Shirt")


def final_accuracies(summary: dict) -> tuple[float, float, float]:
    """Mean over the folds of the last epoch's training and validation accuracy (%), and their gap."""
    train = np.mean([h["accuracy"][-1] for h in summary["cv"]["histories"]])
    val = np.mean([h["val_accuracy"][-1] for h in summary["cv"]["histories"]])
    return float(100 * train), float(100 * val), float(100 * (train - val))


def first_epoch_gap(summary: dict) -> float:
    """Mean over the folds of the first epoch's training minus validation accuracy (points)."""
    return float(100 * np.mean([h["accuracy"][0] - h["val_accuracy"][0] for h in summary["cv"]["histories"]]))


def best_epoch(summary: dict) -> float:
    """Mean over the folds of the epoch (counted from 1) after which the validation loss was lowest."""
    return float(np.mean([np.argmin(h["val_loss"]) + 1 for h in summary["cv"]["histories"]]))


def weakest_class(evaluation: metrics.Evaluation) -> dict:
    """The class of lowest recall, its recall, and the wrong class its test images were most often given."""
    names = evaluation.class_names
    recall = evaluation.report["recall"].iloc[:len(names)].to_numpy()
    worst = int(np.argmin(recall))
    wrong = evaluation.confusion[worst].copy()
    wrong[worst] = -1  # the diagonal holds the correct predictions
    return {"name": names[worst], "recall": float(recall[worst]),
            "confused_with": names[int(np.argmax(wrong))], "count": int(wrong.max())}


def comparison_table(summaries: list[dict]) -> pd.DataFrame:
    """Each model's size, CV mean and std and test accuracy in this run beside report 002's and
    the closest row of the public Fashion-MNIST benchmark, in percent."""
    public = dict(reference.FASHION_PUBLIC)
    rows = []
    for s in summaries:
        report = reference.HW1_REPORT[s["name"]]
        rows.append({
            "model": s["name"],
            "parameters": s["params"],
            "CV mean (this run)": round(100 * s["cv"]["mean"], 2),
            "CV std (this run)": round(100 * s["cv"]["std"], 2),
            "CV mean (report)": report.get("mean", round(float(np.mean(report["folds"])), 3)),
            "test (this run)": round(100 * s["test_accuracy"], 2),
            "test (report)": report.get("test"),
            "test, public benchmark": f"{100 * public[report['public']]:.1f} ({report['public']})",
        })
    return pd.DataFrame(rows).set_index("model").astype(object).fillna("—")


def folds_table(summaries: list[dict]) -> pd.DataFrame:
    """Accuracy (%) of each fold in this run, beside the report's folds when the counts match."""
    table = {}
    for s in summaries:
        table[f"{s['name']} (this run)"] = [round(100 * a, 2) for a in s["cv"]["fold_accuracy"]]
        report = reference.HW1_REPORT[s["name"]]["folds"]
        if len(report) == len(s["cv"]["fold_accuracy"]):
            table[f"{s['name']} (report)"] = report
    frame = pd.DataFrame(table)
    frame.index = [f"fold {i}" for i in range(1, len(frame) + 1)]
    return frame
