"""Published numbers the book's runs are shown beside: the original reports and public references.

Values are copied from ../shared/ASSIGNMENTS.md ("seed:" lines, the original
reports' results) and ../shared/notes/anchors.md (public benchmarks).  They are
never used as expected outputs: they are printed next to this run's numbers.
"""

from __future__ import annotations

import pandas as pd

# Report 002 (HW1), accuracies in percent.
HW1_REPORT = {
    "baseline": {"folds": [91.258, 91.667, 91.275, 91.583, 91.583], "mean": 91.473, "std": 0.172,
                 "test": 91.140},
    "deep_same": {"folds": [88.432, 88.511, 88.831, 89.005, 89.376]},
    "deep_wide": {"folds": [92.183, 91.858, 91.883, 92.050, 92.425], "mean": 92.080, "std": 0.209,
                  "test": 91.320},
    "baseline_dropout": {"folds": [91.025, 91.933, 91.817, 91.583, 92.142], "test": 91.140},
    "deep_wide_dropout": {"folds": [92.017, 92.175, 92.008, 92.050, 92.100], "test": 91.450},
}
HW1_TUNER_REPORT = {
    "best_val_accuracy": 0.9157,
    "best": {"conv_1_filter": 48, "conv_2_filter": 128, "conv_1_kernel": 3, "conv_2_kernel": 3,
             "dense_1_units": 80, "learning_rate": 1e-3},
    "retrained_val_accuracy": (0.9115, 0.9175),
}

# Reports 000 and 001 (HW14 B4): the 512-unit MLP baseline and the Hyperband search.
HW14_HYPERBAND_REPORT = {
    "baseline": {"train": 0.8930, "val": 0.8599, "test": 0.8490},
    "best_000": {"hidden_units": 432, "learning_rate": 5e-4, "val_accuracy": 0.9020, "max_epochs": 50},
    "best_001": {"hidden_units": 352, "learning_rate": 1e-3, "val_accuracy": 0.8916, "max_epochs": 10},
    "retrained_test": 0.8907,
}

# Public numbers (../shared/notes/anchors.md): the GloVe paper's Table 2 (total
# accuracy on the Google analogy set, %, second-hand copy) and gensim's
# KeyedVectors docstring for king - man + woman with glove-wiki-gigaword-100.
GLOVE_PAPER_ANALOGY = [
    ("GloVe 100d, 1.6B tokens", 60.3),
    ("GloVe 300d, 6B tokens", 71.7),
    ("GloVe 300d, 42B tokens", 75.0),
]
GENSIM_KING_QUEEN = 0.7699

# Report 000 (HW14, question 1): its vectors are not named in the report.
HW14_EMBEDDINGS_REPORT = {
    "king_queen": 0.70,
    "distances": {  # word: ((near word, distance), (far word, distance))
        "ali": (("man", 0.69), ("woman", 0.76)),
        "football": (("basketball", 0.87), ("war", 1.16)),
        "laptop": (("phone", 0.49), ("gasoline", 0.79)),
        "university": (("school", 0.36), ("police", 0.72)),
        "pen": (("pencil", 0.5), ("charger", 0.99)),
    },
    "analogies": {  # (w1, w2, w3): (top of w1 + w2 - w3, top of w1 + w3 - w2)
        ("king", "woman", "man"): ("queen 0.70", "prince 0.55"),
        ("actor", "girl", "boy"): ("actress 0.87", "comedian 0.61"),
        ("doctor", "she", "he"): ("nurse 0.70", "physician 0.66"),
        ("homemaker", "she", "he"): ("housewife 0.71", "43-year 0.59"),
        ("football", "woman", "man"): ("basketball 0.67", "soccer 0.68"),
    },
}

# Public Fashion-MNIST test accuracies (zalandoresearch/fashion-mnist README benchmark).
FASHION_PUBLIC = [
    ("2 conv + pool (Keras)", 0.876),
    ("2 conv, >300 epochs", 0.916),
    ("3 conv + 2 FC + dropout", 0.926),
    ("3 conv + 2 FC", 0.907),
    ("3 conv + batch norm", 0.903),
    ("MLP 256-128-64", 0.900),
    ("human", 0.835),
]
FASHION_SOURCE = "zalandoresearch/fashion-mnist README benchmark"

# The public benchmark row closest to each HW1 model (settings differ: the
# benchmark trained longer and tuned; shown for scale, not as a target).
HW1_PUBLIC = {
    "baseline": "2 conv + pool (Keras)",
    "baseline_dropout": "2 conv + pool (Keras)",
    "deep_same": "3 conv + 2 FC",
    "deep_wide": "3 conv + 2 FC",
    "deep_wide_dropout": "3 conv + 2 FC + dropout",
}


def public_reference(name: str) -> str:
    """'87.6 (2 conv + pool (Keras))' for a HW1 model, or '—'."""
    setting = HW1_PUBLIC.get(name)
    accuracy = dict(FASHION_PUBLIC).get(setting)
    return f"{100 * accuracy:.1f} ({setting})" if accuracy else "—"


def report_mean(name: str) -> float | None:
    """The report's CV mean for a model: as printed, or the mean of its printed folds."""
    entry = HW1_REPORT[name]
    if "mean" in entry:
        return entry["mean"]
    return round(sum(entry["folds"]) / len(entry["folds"]), 3) if "folds" in entry else None


def fashion_public_table() -> pd.DataFrame:
    """The public Fashion-MNIST benchmark rows, in percent, with their source."""
    return pd.DataFrame(
        [{"setting": s, "test accuracy (%)": round(100 * a, 1), "source": FASHION_SOURCE}
         for s, a in FASHION_PUBLIC]
    )
