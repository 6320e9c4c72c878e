"""Figures for the notebooks: images, learning curves, fold box plots, confusion matrices."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np


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
    """Loss and accuracy per epoch, training against validation, one column per fold (a single
    history is one unlabelled column)."""
    k = len(histories)
    fig, axes = plt.subplots(2, k, figsize=(2.9 * k, 5.2), sharex=True, squeeze=False)
    for j, hist in enumerate(histories):
        epochs = np.arange(1, len(hist["loss"]) + 1)
        for row, metric in enumerate(("loss", "accuracy")):
            ax = axes[row, j]
            ax.plot(epochs, hist[metric], "o-", ms=3, label="train")
            ax.plot(epochs, hist[f"val_{metric}"], "s--", ms=3, label="validation")
            ax.grid(alpha=0.3)
            if row == 0 and k > 1:
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


def scatter_by_class(points, labels, class_names, title: str = "", ax=None, size: float = 6,
                     ticks: bool = False):
    """A 2-D embedding (e.g. t-SNE) as points coloured by class, each class named at its median;
    axis ticks only when ``ticks`` (for projections whose scale means something, such as PCA)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4.2))
    points = np.asarray(points)
    labels = np.asarray(labels)
    colours = plt.get_cmap("tab10")
    for c, name in enumerate(class_names):
        mask = labels == c
        if not mask.any():
            continue
        ax.scatter(points[mask, 0], points[mask, 1], s=size, color=colours(c % 10), alpha=0.7,
                   linewidths=0, label=name)
        x, y = np.median(points[mask], axis=0)
        ax.text(x, y, name, fontsize=11, weight="bold", ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": colours(c % 10), "alpha": 0.8})
    if not ticks:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    return ax


def scatter_panels(panels: dict, class_names, same_scale: bool = False):
    """Several 2-D embeddings side by side, ``{panel title: (points, labels)}``, coloured by class;
    with ``same_scale`` every panel gets the same axis limits and shows its ticks."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.3 * len(panels), 4.3), squeeze=False)
    for ax, (name, (points, labels)) in zip(axes[0], panels.items()):
        scatter_by_class(points, labels, class_names, name, ax=ax, ticks=same_scale)
    if same_scale:
        extent = 1.05 * max(float(np.abs(np.asarray(points)).max()) for points, _ in panels.values())
        for ax in axes[0]:
            ax.set_xlim(-extent, extent)
            ax.set_ylim(-extent, extent)
            ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def history_panels(histories: dict, panels: dict, log: bool = False, hline: dict | None = None):
    """One panel per history key (``panels``: {key: panel title}), one line per run (``histories``:
    {run: {key: per-epoch values}}); log y axes when ``log``; ``hline``: {key: (value, label)} dotted."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.4 * len(panels), 3.6), squeeze=False)
    for ax, (key, panel_title) in zip(axes[0], panels.items()):
        for name, hist in histories.items():
            values = np.asarray(hist[key], dtype=float)
            ax.plot(np.arange(1, len(values) + 1), np.maximum(values, 1e-8) if log else values, "o-", ms=4,
                    label=name)
        if hline and key in hline:
            ax.axhline(hline[key][0], color="grey", ls=":", lw=1, label=hline[key][1])
        ax.set_yscale("log" if log else "linear")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        ax.set_title(panel_title, fontsize=10)
        ax.grid(alpha=0.3, which="both")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig

