"""Figures for the notebooks: images, learning curves, fold box plots, confusion matrices."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np


def show_image(image, title: str = "", ax=None):
    """One greyscale image with a colour bar of its raw pixel values."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.4))
    shown = ax.imshow(np.squeeze(image), cmap="gray")
    ax.figure.colorbar(shown, ax=ax)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def image_grid(images, labels, class_names, n: int = 25, cols: int = 5, predicted=None):
    """The first ``n`` images with their class names (and predictions, red when wrong)."""
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.9 * cols, 2.1 * rows))
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i >= min(n, len(images)):
            continue
        ax.imshow(np.squeeze(images[i]), cmap="gray_r")
        title = class_names[int(labels[i])]
        colour = "black"
        if predicted is not None:
            title = f"{title}\n→ {class_names[int(predicted[i])]}"
            colour = "black" if int(predicted[i]) == int(labels[i]) else "tab:red"
        ax.set_title(title, fontsize=8, color=colour)
    fig.tight_layout()
    return fig


def fold_curves(histories, title: str = ""):
    """Loss and accuracy per epoch, training against validation, one column per fold."""
    k = len(histories)
    fig, axes = plt.subplots(2, k, figsize=(2.9 * k, 5.2), sharex=True, squeeze=False)
    for j, hist in enumerate(histories):
        epochs = np.arange(1, len(hist["loss"]) + 1)
        for row, metric in enumerate(("loss", "accuracy")):
            ax = axes[row, j]
            ax.plot(epochs, hist[metric], "o-", ms=3, label="train")
            ax.plot(epochs, hist[f"val_{metric}"], "s--", ms=3, label="validation")
            ax.grid(alpha=0.3)
            if row == 0:
                ax.set_title(f"fold {j + 1}")
            if j == 0:
                ax.set_ylabel(metric)
            if row == 1:
                ax.set_xlabel("epoch")
    axes[0, 0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def fold_boxplot(results: dict[str, list[float]], title: str = "Validation accuracy per fold"):
    """Box plot of fold accuracies (in %) for one or more models, with the folds as dots."""
    names = list(results)
    values = [100 * np.asarray(results[n]) for n in names]
    fig, ax = plt.subplots(figsize=(max(3.5, 1.8 * len(names) + 1.5), 3.6))
    ax.boxplot(values, showmeans=True)
    ax.set_xticks(range(1, len(names) + 1), names, rotation=15 if len(names) > 2 else 0)
    for i, v in enumerate(values, start=1):
        ax.plot(np.full(len(v), i) + np.linspace(-0.06, 0.06, len(v)), v, "o", ms=4, alpha=0.6)
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def confusion(matrix, class_names, title: str = "Confusion matrix (test set)"):
    """Confusion matrix with counts in each cell; rows are true classes."""
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(7, 6))
    shown = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(shown, ax=ax, fraction=0.046)
    ticks = range(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                color="white" if value > threshold else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.tight_layout()
    return fig
