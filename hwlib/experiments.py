"""HW1's experiment, once: k-fold CV of an architecture, then a final fit scored on the test set."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from . import data, metrics, models, reference, results, training


class FashionData(data.Dataset):
    """Fashion-MNIST scaled for the models (float32 in [0, 1], channel axis), with one-hot labels."""

    @property
    def y_train_onehot(self) -> np.ndarray:
        return keras.utils.to_categorical(self.y_train, len(self.class_names))

    @property
    def y_test_onehot(self) -> np.ndarray:
        return keras.utils.to_categorical(self.y_test, len(self.class_names))


def fashion_data(data_dir: str = "", train_size: int = 0, seed: int = 0) -> FashionData:
    """Real Fashion-MNIST in [0, 1] with a channel axis; a stratified training subset when
    ``train_size`` > 0 (the test set is always complete)."""
    ds = data.load_fashion_mnist(data_dir or None)
    x, y = data.stratified_subset(ds.x_train, ds.y_train, train_size, seed)
    note = ds.provenance
    if len(y) < len(ds.y_train):
        note += f"; this run trains on a class-balanced subset of {len(y):,} training images"
    return FashionData(data.to_model_input(x), y, data.to_model_input(ds.x_test), ds.y_test,
                       ds.class_names, note, ds.real, ds.sources)


def study(name: str, fd: FashionData, folds: int, epochs: int, batch_size: int, seed: int,
          profile: str, save_model: bool = False) -> dict:
    """Cross-validate architecture ``name``, fit it on all training data and score the test set.

    Returns the CV result, the test evaluation (report and confusion matrix from
    the same predictions) and the model, with a JSON-able summary under "summary".
    """
    build = lambda: models.build(name)  # noqa: E731
    cv = training.cross_validate(build, fd.x_train, fd.y_train_onehot, folds=folds, epochs=epochs,
                                 batch_size=batch_size, seed=seed, name=name)
    model, history = training.fit_final(build, fd.x_train, fd.y_train_onehot, epochs=epochs,
                                        batch_size=batch_size, seed=seed, name=name)
    if save_model:
        path = results.folder("models") / f"{name}.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
        model = keras.models.load_model(path)
    evaluation = metrics.evaluate_model(model, fd.x_test, fd.y_test_onehot, fd.class_names)
    summary = {
        "name": name,
        "params": int(model.count_params()),
        "cv": cv.as_dict(),
        "test_accuracy": evaluation.accuracy,
        "final_history": history,
        "train_size": int(len(fd.y_train)),
        "epochs": epochs,
        "folds": folds,
    }
    return {"cv": cv, "model": model, "evaluation": evaluation, "summary": summary}


def comparison_table(summaries: list[dict]) -> pd.DataFrame:
    """This run's CV mean, std and test accuracy beside report 002's and the closest public
    Fashion-MNIST benchmark (zalandoresearch/fashion-mnist; its settings differ), in percent."""
    rows = []
    for s in summaries:
        rep = reference.HW1_REPORT.get(s["name"], {})
        rows.append({
            "model": s["name"],
            "parameters": s["params"],
            "CV mean (this run)": round(100 * s["cv"]["mean"], 2),
            "CV std (this run)": round(100 * s["cv"]["std"], 2),
            "CV mean (report)": reference.report_mean(s["name"]) if rep else None,
            "test (this run)": round(100 * s["test_accuracy"], 2),
            "test (report)": rep.get("test"),
            "test, public benchmark": reference.public_reference(s["name"]),
        })
    return pd.DataFrame(rows).set_index("model").astype(object).fillna("—")


def folds_table(summaries: list[dict]) -> pd.DataFrame:
    """Per-fold accuracy (%) of each model in this run, beside the report's folds."""
    table = {}
    for s in summaries:
        table[f"{s['name']} (this run)"] = [round(100 * a, 2) for a in s["cv"]["fold_accuracy"]]
        folds = reference.HW1_REPORT.get(s["name"], {}).get("folds")
        if folds and len(folds) == len(s["cv"]["fold_accuracy"]):
            table[f"{s['name']} (report)"] = folds
    frame = pd.DataFrame(table)
    frame.index = [f"fold {i}" for i in range(1, len(frame) + 1)]
    return frame
