"""DermaMNIST (MedMNIST v2, 28x28 RGB skin-lesion images, 7 classes) and an offline stand-in.

:func:`load_dermamnist` reads the official ``dermamnist.npz`` from ``data_dir``
or ``$HWLIB_DATA`` (which must then hold it), else from hwlib's cache or
MedMNIST's own folder (``~/.medmnist``), else downloads it from the official
Zenodo record and checks the publisher's MD5.  The file is validated when read:
a damaged or foreign file raises :class:`~hwlib.data.DataError` naming it and
the fix.

When the real file cannot be had, :func:`dermamnist_or_standin` can build a
*stand-in* (only if the caller allows it): real Fashion-MNIST images of eight
clothing classes relabelled as the seven DermaMNIST classes, with DermaMNIST's
exact split sizes and class counts, grey copied to three channels.  It keeps
the imbalance and the class confusions of the task, not its images; the
provenance line says so.
"""

from __future__ import annotations

import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from .data import (DataError, DataUnavailable, Dataset, cache_dir, download, file_hash, given_places,
                   load_fashion_mnist, not_found_message, real_or_standin, stratified_subset)

DERMA_FILE = "dermamnist.npz"
# medmnist/info.py (MedMNIST v2 and v3): the 28x28 file and its MD5, the same in both Zenodo records.
DERMA_MD5 = "0744692d530f8e62ec473284d019b0c7"
DERMA_URLS = (
    "https://zenodo.org/records/10519652/files/",
    "https://zenodo.org/record/6496656/files/",
)
MEDMNIST_ROOT = Path.home() / ".medmnist"

DERMA_CLASSES = (
    "actinic keratoses and intraepithelial carcinoma",
    "basal cell carcinoma",
    "benign keratosis-like lesions",
    "dermatofibroma",
    "melanoma",
    "melanocytic nevi",
    "vascular lesions",
)
DERMA_SHORT = ("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc")
MELANOMA = 4
# Images per class in the official splits (MedMNIST v2 dermamnist.npz).
DERMA_COUNTS = {
    "train": (228, 359, 769, 80, 779, 4693, 99),
    "val": (33, 52, 110, 12, 111, 671, 14),
    "test": (66, 103, 220, 23, 223, 1341, 29),
}
SPLITS = ("train", "val", "test")

# The stand-in: which Fashion-MNIST classes play each DermaMNIST class. Two similar-looking tops
# share the large class 5 (Fashion's test set has only 1,000 images per class, the test split needs
# 1,341), and shirt / pullover play melanoma / benign keratosis, so the rare classes are easily
# confused with the common one, as on the real data.
STAND_IN_MAP = {
    0: ("Sandal",),
    1: ("Bag",),
    2: ("Pullover",),
    3: ("Trouser",),
    4: ("Shirt",),
    5: ("T-shirt/top", "Coat"),
    6: ("Ankle boot",),
}


@dataclass
class DermaData(Dataset):
    """Train, validation and test splits (uint8 images (n, 28, 28, 3), integer labels 0-6)."""

    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    short_names: tuple[str, ...] = DERMA_SHORT

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` of "train", "val" or "test"."""
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; choose one of {', '.join(SPLITS)}")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")

    def counts(self) -> pd.DataFrame:
        """Images per class and split, with each class's share of its split in %."""
        table = pd.DataFrame(
            {s: np.bincount(self.split(s)[1], minlength=len(self.class_names)) for s in SPLITS},
            index=pd.Index(self.short_names, name="class"),
        )
        table.insert(0, "name", self.class_names)
        for s in SPLITS:
            table[f"{s} %"] = (100 * table[s] / table[s].sum()).round(1)
        table.loc["total"] = ["", *(int(table[s].sum()) for s in SPLITS), 100.0, 100.0, 100.0]
        return table


# --------------------------------------------------------------------------- the real file


def dermamnist_candidates(data_dir: str | os.PathLike | None = None) -> list[tuple[str, Path]]:
    """Where ``dermamnist.npz`` is looked for, in order."""
    return given_places(data_dir, "medmnist") + [
        ("the hwlib download cache", cache_dir() / "medmnist"),
        ("MedMNIST's default folder", MEDMNIST_ROOT),
    ]


def read_dermamnist(path: Path) -> dict[str, np.ndarray]:
    """The six arrays of a MedMNIST 28x28 ``.npz`` file, checked for keys, shapes, types and labels."""
    fix = (f"delete {path} and download it again from {DERMA_URLS[0]}{DERMA_FILE} "
           f"(MD5 {DERMA_MD5}), or let hwlib download it")
    try:
        with np.load(path, allow_pickle=False) as npz:
            keys = set(npz.files)
            missing = [f"{s}_{k}" for s in SPLITS for k in ("images", "labels") if f"{s}_{k}" not in keys]
            if missing:
                raise DataError(f"{path} lacks {', '.join(missing)}: it is not a MedMNIST file. {fix}.")
            arrays = {f"{s}_{k}": npz[f"{s}_{k}"] for s in SPLITS for k in ("images", "labels")}
    except DataError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as exc:
        raise DataError(f"{path} is not a readable .npz file ({type(exc).__name__}: {exc}). "
                        f"It is truncated or corrupt: {fix}.") from exc
    for s in SPLITS:
        x, y = arrays[f"{s}_images"], arrays[f"{s}_labels"]
        if x.ndim != 4 or x.shape[1:] != (28, 28, 3) or x.dtype != np.uint8:
            raise DataError(f"{path}: {s}_images has shape {x.shape} and type {x.dtype}; expected "
                            f"(n, 28, 28, 3) uint8 (the 28x28 DermaMNIST). {fix}.")
        if y.shape not in ((len(x), 1), (len(x),)) or not np.issubdtype(y.dtype, np.integer):
            raise DataError(f"{path}: {s}_labels has shape {y.shape} and type {y.dtype} for {len(x):,} "
                            f"images; expected ({len(x)}, 1) integers. {fix}.")
        if y.size and (int(y.min()) < 0 or int(y.max()) >= len(DERMA_CLASSES)):
            raise DataError(f"{path}: {s}_labels range from {int(y.min())} to {int(y.max())}, expected "
                            f"0-{len(DERMA_CLASSES) - 1}. {fix}.")
        arrays[f"{s}_labels"] = y.reshape(-1).astype(np.int64)
    return arrays


def load_dermamnist(data_dir: str | os.PathLike | None = None, download_ok: bool = True) -> DermaData:
    """The real DermaMNIST (7,007 / 1,003 / 2,005 images), found on disk or downloaded and verified."""
    candidates = dermamnist_candidates(data_dir)
    explicit = data_dir or os.environ.get("HWLIB_DATA")
    if explicit and not any((d / DERMA_FILE).is_file() for _, d in candidates[:2]):
        origin = "data_dir" if data_dir else "HWLIB_DATA"
        raise DataError(
            f"{origin}={str(explicit)!r} does not hold {DERMA_FILE}, neither directly nor in a medmnist/ "
            f"subfolder. Put the file there (from {DERMA_URLS[0]}{DERMA_FILE}), or leave {origin} "
            "empty to use hwlib's cache, ~/.medmnist or a download."
        )
    found = next(((label, d) for label, d in candidates if (d / DERMA_FILE).is_file()), None)
    if found is None:
        if not download_ok:
            raise DataUnavailable(_not_found_message(candidates, "download disabled"),
                                  f"{DERMA_FILE} is not on this machine and downloading was disabled")
        target = cache_dir() / "medmnist"
        try:
            download(DERMA_URLS, DERMA_FILE, DERMA_MD5, target, digest=lambda p: file_hash(p, "md5"))
        except DataError as exc:
            raise DataUnavailable(_not_found_message(candidates, str(exc)),
                                  f"{DERMA_FILE} is not on this machine and could not be downloaded") from exc
        found = ("a verified download", target)
    label, directory = found
    path = directory / DERMA_FILE
    arrays = read_dermamnist(path)
    verified = file_hash(path, "md5") == DERMA_MD5
    what = ("real DermaMNIST (MD5 matches the official file)" if verified
            else "a DermaMNIST-format file whose MD5 differs from the official one")
    sizes = " / ".join(f"{len(arrays[f'{s}_labels']):,}" for s in SPLITS)
    return DermaData(
        arrays["train_images"], arrays["train_labels"], arrays["test_images"], arrays["test_labels"],
        DERMA_CLASSES, provenance=f"{what}, {sizes} train / validation / test images, from {label} ({path})",
        real=verified, sources={"file": str(path), "found_in": label},
        x_val=arrays["val_images"], y_val=arrays["val_labels"],
    )


def _not_found_message(candidates, reason: str) -> str:
    return not_found_message(
        f"DermaMNIST ({DERMA_FILE})", [f"{label}: {path / DERMA_FILE}" for label, path in candidates], reason,
        f"download {DERMA_URLS[0]}{DERMA_FILE} (MD5 {DERMA_MD5}) on a machine with internet "
        f"access and put it in {cache_dir() / 'medmnist'} or {MEDMNIST_ROOT}, or in a directory passed "
        "as data_dir (or HWLIB_DATA); `pip install medmnist` and `DermaMNIST(split='train', "
        "download=True)` also fetches it into ~/.medmnist.")


# --------------------------------------------------------------------------- the stand-in


def standin(seed: int = 42, fashion=None, reason: str = "") -> DermaData:
    """DermaMNIST's split sizes and class counts filled with real Fashion-MNIST images.

    Each stand-in class draws, without replacement and reproducibly from ``seed``,
    images of the Fashion-MNIST classes in :data:`STAND_IN_MAP`: train and
    validation from Fashion's training set (disjoint), test from Fashion's test
    set. Images are uint8 (n, 28, 28, 3), the grey value copied to R, G and B.
    """
    fashion = fashion if fashion is not None else load_fashion_mnist()
    rng = np.random.default_rng(seed)
    fashion_index = {name: i for i, name in enumerate(fashion.class_names)}
    parts = {s: ([], []) for s in SPLITS}
    for label, names in STAND_IN_MAP.items():
        codes = [fashion_index[n] for n in names]
        pool_train = rng.permutation(np.flatnonzero(np.isin(fashion.y_train, codes)))
        pool_test = rng.permutation(np.flatnonzero(np.isin(fashion.y_test, codes)))
        n_train, n_val, n_test = (DERMA_COUNTS[s][label] for s in SPLITS)
        if n_train + n_val > len(pool_train) or n_test > len(pool_test):
            raise DataError(f"Fashion-MNIST holds too few images of {', '.join(names)} for the stand-in: "
                            f"the loaded copy ({fashion.provenance}) is incomplete.")
        chosen = {"train": (fashion.x_train, pool_train[:n_train]),
                  "val": (fashion.x_train, pool_train[n_train:n_train + n_val]),
                  "test": (fashion.x_test, pool_test[:n_test])}
        for s, (images, idx) in chosen.items():
            parts[s][0].append(images[np.sort(idx)])
            parts[s][1].append(np.full(len(idx), label))
    arrays = {}
    for s in SPLITS:
        x = np.concatenate(parts[s][0])
        y = np.concatenate(parts[s][1])
        order = rng.permutation(len(y))
        arrays[s] = (np.repeat(x[order][..., np.newaxis], 3, axis=-1), y[order].astype(np.int64))
    mapping = "; ".join(f"{DERMA_SHORT[k]} <- {' + '.join(v)}" for k, v in STAND_IN_MAP.items())
    sizes = " / ".join(f"{len(arrays[s][1]):,}" for s in SPLITS)
    provenance = (
        f"STAND-IN, not DermaMNIST: {reason + '; ' if reason else ''}real Fashion-MNIST clothing images "
        f"relabelled as the 7 DermaMNIST classes ({mapping}), with DermaMNIST's split sizes "
        f"{sizes} and class counts, grey copied to RGB, drawn with seed {seed}; its numbers are not "
        "DermaMNIST's"
    )
    return DermaData(
        arrays["train"][0], arrays["train"][1], arrays["test"][0], arrays["test"][1], DERMA_CLASSES,
        provenance=provenance, real=False,
        sources={"fashion": fashion.provenance, "class_map": mapping, "seed": str(seed)},
        x_val=arrays["val"][0], y_val=arrays["val"][1],
    )


def dermamnist_or_standin(data_dir: str | os.PathLike | None = None, allow_standin: bool = False,
                           seed: int = 42, download_ok: bool = True) -> DermaData:
    """The real DermaMNIST, or (only when ``allow_standin``) the Fashion-MNIST stand-in.

    Only unavailability falls back: a corrupt file, or an explicit ``data_dir`` /
    ``HWLIB_DATA`` without the file, raises :class:`DataError` either way.
    """
    return real_or_standin(lambda: load_dermamnist(data_dir, download_ok), "DermaMNIST", allow_standin,
                           lambda reason: standin(seed, reason=reason), "the Fashion-MNIST stand-in")


def training_subset(ds: DermaData, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A stratified subset of ``size`` training images (all of them when size <= 0)."""
    return stratified_subset(ds.x_train, ds.y_train, size, seed)


# --------------------------------------------------------------------------- training


def fit(model: keras.Model, x: np.ndarray, y: np.ndarray, epochs: int, batch_size: int, name: str,
        lr_decay: bool = False, validation=None) -> tuple[keras.Model, dict[str, list[float]], float]:
    """Train ``model`` with one progress bar; with ``lr_decay`` the learning rate is divided by
    10 at 50 % and 75 % of the epochs (the MedMNIST v2 benchmark's schedule). ``validation``,
    an ``(x, y)`` pair, is scored after every epoch when given.

    Returns the model, its history and the wall time in seconds.
    """
    from .training import EpochBar, progress

    callbacks = []
    if lr_decay:
        base = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        drops = (int(0.5 * epochs), int(0.75 * epochs))
        callbacks.append(keras.callbacks.LearningRateScheduler(
            lambda epoch: base * 0.1 ** sum(epoch >= d for d in drops)))
    start = time.perf_counter()
    with progress(epochs, name) as bar:
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, validation_data=validation,
                            verbose=0, callbacks=[*callbacks, EpochBar(bar)])
    seconds = time.perf_counter() - start
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}, seconds


# --------------------------------------------------------------------------- reporting

COMPARED = ("accuracy", "balanced accuracy", "macro F1", "macro AUC", "melanoma recall")


def compared_scores(result) -> dict[str, float]:
    """The compared scores of one split's :class:`~hwlib.metrics.SplitEvaluation`, with the
    recall of melanoma (class 4)."""
    scores = {k: result.scores[k] for k in COMPARED[:-1]}
    scores["melanoma recall"] = float(result.evaluation.report["recall"].iloc[MELANOMA])
    return scores


def before_after_table(before: dict, after: dict, majority: dict, data_label: str) -> pd.DataFrame:
    """Test-set scores of this run before and after the remedies, the majority-class baseline,
    the reports' and the MedMNIST v2 benchmark's (a dash where a source gives no value).
    Balanced accuracy equals macro recall when every class occurs in the test set."""
    from . import reference

    rows = [
        {"model": "always the majority class (nv)", "source": f"this test set; DermaMNIST: "
                                                             f"{reference.DERMAMNIST_MAJORITY}",
         **{k: majority.get(k) for k in COMPARED}},
        {"model": "ResNet11 bottleneck", "source": f"this run, {data_label}", **before},
        {"model": "+ oversampling + augmentation", "source": f"this run, {data_label}", **after},
    ]
    for name, rep in reference.HW14_DERMA_REPORT.items():
        model = "ResNet11 bottleneck" if name == "000" else "ResNet"
        rows.append({"model": f"{model} (report {name})", "source": "DermaMNIST, settings not stated",
                     "accuracy": rep["test"], "balanced accuracy": rep["test_macro_recall"],
                     "macro F1": rep["test_macro_f1"], "melanoma recall": rep["test_melanoma_recall"]})
    for name, acc, auc in reference.DERMAMNIST_BENCHMARK:
        rows.append({"model": name, "source": reference.DERMAMNIST_BENCHMARK_SOURCE, "accuracy": acc,
                     "macro AUC": auc})
    table = pd.DataFrame(rows).set_index("model")[["source", *COMPARED]]
    for column in COMPARED:
        table[column] = table[column].map(lambda v: "—" if v is None or pd.isna(v) else f"{v:.3f}")
    return table


def describe_change(before: float, after: float, digits: int = 3) -> tuple[str, str]:
    """'rose from 0.628 to 0.682' and its Persian counterpart (Persian digits)."""
    from .page import number

    b, a = f"{before:.{digits}f}", f"{after:.{digits}f}"
    fb, fa = number(before, f".{digits}f"), number(after, f".{digits}f")
    if a == b:
        return f"stayed at {a}", f"در {fa} ماند"
    if after > before:
        return f"rose from {b} to {a}", f"از {fb} به {fa} رسید (بهتر شد)"
    return f"fell from {b} to {a}", f"از {fb} به {fa} رسید (بدتر شد)"
