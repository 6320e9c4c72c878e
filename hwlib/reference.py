"""Published numbers the book's runs are shown beside: the original reports and public references.

Values are copied from ../shared/ASSIGNMENTS.md ("seed:" lines, the original
reports' results) and ../shared/notes/anchors.md (public benchmarks).  They are
never used as expected outputs: they are printed next to this run's numbers.
"""

from __future__ import annotations

# Report 002 (HW1), accuracies in percent; "public" names the row of FASHION_PUBLIC closest to
# each model (the benchmark trained longer and tuned: it gives scale, not a target).
HW1_REPORT = {
    "baseline": {"folds": [91.258, 91.667, 91.275, 91.583, 91.583], "mean": 91.473, "std": 0.172,
                 "test": 91.140, "public": "2 conv + pool (Keras)"},
    "deep_same": {"folds": [88.432, 88.511, 88.831, 89.005, 89.376], "public": "3 conv + 2 FC"},
    "deep_wide": {"folds": [92.183, 91.858, 91.883, 92.050, 92.425], "mean": 92.080, "std": 0.209,
                  "test": 91.320, "public": "3 conv + 2 FC"},
    "baseline_dropout": {"folds": [91.025, 91.933, 91.817, 91.583, 92.142], "test": 91.140,
                         "public": "2 conv + pool (Keras)"},
    "deep_wide_dropout": {"folds": [92.017, 92.175, 92.008, 92.050, 92.100], "test": 91.450,
                          "public": "3 conv + 2 FC + dropout"},
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
