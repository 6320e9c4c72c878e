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


# --------------------------------------------------------------------------- imbalanced multi-class (HW14 B3)


def class_counts(counts, splits=("train", "val", "test"), title: str = "Images per class and split"):
    """Grouped bars of images per class (rows of ``counts``) for each split column, log scale."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    names = list(counts.index)
    width = 0.8 / len(splits)
    for i, split in enumerate(splits):
        positions = np.arange(len(names)) + (i - (len(splits) - 1) / 2) * width
        bars = ax.bar(positions, counts[split], width, label=split)
        ax.bar_label(bars, fontsize=6, padding=1)
    ax.set_xticks(range(len(names)), names)
    ax.set_yscale("log")
    ax.set_ylabel("images (log scale)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def _per_class_curves(ax, y_true, proba, class_names, kind: str):
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    y_true = np.asarray(y_true)
    for k, name in enumerate(class_names):
        positive = y_true == k
        if not 0 < positive.sum() < len(y_true):
            continue
        if kind == "roc":
            fpr, tpr, _ = roc_curve(positive, proba[:, k])
            ax.plot(fpr, tpr, lw=1.2, label=f"{name} (AUC {auc(fpr, tpr):.3f})")
        else:
            precision, recall, _ = precision_recall_curve(positive, proba[:, k])
            ap = average_precision_score(positive, proba[:, k])
            ax.plot(recall, precision, lw=1.2, label=f"{name} (AP {ap:.3f}, share {positive.mean():.3f})")
    if kind == "roc":
        ax.plot([0, 1], [0, 1], "k:", lw=0.8)
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate (recall)")
    else:
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6.5, loc="lower right" if kind == "roc" else "lower left")


def curves_by_split(splits: dict, class_names, kind: str = "roc", title: str = ""):
    """One panel per split (``name: (y_true, proba)``) with a one-vs-rest curve per class:
    ROC curves with their AUC (``kind="roc"``) or precision-recall curves with their average
    precision and the class's share, the precision of guessing (``kind="pr"``)."""
    if kind not in ("roc", "pr"):
        raise ValueError(f"kind must be 'roc' or 'pr', not {kind!r}")
    fig, axes = plt.subplots(1, len(splits), figsize=(4.6 * len(splits), 4.4), squeeze=False)
    for ax, (name, (y_true, proba)) in zip(axes[0], splits.items()):
        _per_class_curves(ax, y_true, np.asarray(proba), class_names, kind)
        ax.set_title(name)
    fig.suptitle(title or ("ROC curves, one class against the rest" if kind == "roc"
                           else "Precision-recall curves, one class against the rest"))
    fig.tight_layout()
    return fig


def confusion_by_split(matrices: dict, class_names, title: str = "Confusion matrices"):
    """One confusion matrix per split, side by side: counts in the cells, colour by the share of
    the true class's row (its recall on the diagonal), so rare classes are as visible as common ones."""
    fig, axes = plt.subplots(1, len(matrices), figsize=(4.4 * len(matrices), 4.2), squeeze=False)
    ticks = range(len(class_names))
    for ax, (name, matrix) in zip(axes[0], matrices.items()):
        matrix = np.asarray(matrix)
        rows = matrix.sum(axis=1, keepdims=True)
        share = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for (i, j), value in np.ndenumerate(matrix):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=6.5,
                    color="white" if share[i, j] > 0.5 else "black")
        ax.set_xticks(ticks, class_names, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(ticks, class_names, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(name)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _finish_series(fig, ax, title: str, unit: str):
    ax.set_ylabel(unit)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def series_with_cut(dates, values, cut_date, title: str = "", unit: str = ""):
    """A dated series with the training part and the test part in two colours."""
    dates, values = np.asarray(dates), np.asarray(values)
    fig, ax = plt.subplots(figsize=(9, 3))
    before = dates < np.datetime64(cut_date)
    ax.plot(dates[before], values[before], lw=1, label="training part")
    ax.plot(dates[~before], values[~before], lw=1, color="tab:orange", label="test part")
    ax.axvline(np.datetime64(cut_date), color="grey", ls="--", lw=1)
    return _finish_series(fig, ax, title, unit)


def forecasts(dates, truth, predictions: dict, title: str = "", unit: str = ""):
    """True values of the test part against one or more sets of one-step-ahead predictions."""
    fig, ax = plt.subplots(figsize=(9, 3.4))
    ax.plot(dates, truth, color="black", lw=2, label="truth")
    for (label, values), style in zip(predictions.items(), ("-o", "--", ":", "-.")):
        ax.plot(dates, values, style, ms=3, lw=1.2, label=label)
    return _finish_series(fig, ax, title, unit)


def timing_curves(lengths, seconds: dict, title: str = "Forward pass time against sequence length"):
    """Milliseconds per forward pass against sequence length, one line per model, log-log axes."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for label, values in seconds.items():
        ax.plot(lengths, 1000 * np.asarray(values), "o-", label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("sequence length (time steps)")
    ax.set_ylabel("milliseconds per batch")
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def grouped_bars(table, columns, title: str = "", ylabel: str = ""):
    """One group of bars per row of ``table`` (a DataFrame), one bar per column in ``columns``."""
    fig, ax = plt.subplots(figsize=(6, 3.4))
    width = 0.8 / len(columns)
    x = np.arange(len(table))
    for i, column in enumerate(columns):
        ax.bar(x + (i - (len(columns) - 1) / 2) * width, table[column], width, label=column)
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_xlabel(table.index.name or "")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def metric_curves(histories: dict, metric: str, title: str = ""):
    """One line per run: ``metric`` against the epoch."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for label, values in histories.items():
        ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=3, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
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


def scatter_panels(panels: dict, class_names, title: str = "", same_scale: bool = False):
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
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def triplet_curves(histories: dict, margin: float | None = None, title: str = ""):
    """Per-epoch training loss, validation loss and validation-embedding spread of several runs,
    ``{run name: {"loss": [...], "val_loss": [...], "val_spread": [...]}}``, on log scales; the
    margin (the loss of a collapsed embedding) dotted."""
    keys = [("loss", "training triplet loss"), ("val_loss", "validation triplet loss"),
            ("val_spread", "validation spread (collapse: → 0)")]
    keys = [(k, label) for k, label in keys if any(k in h for h in histories.values())]
    fig, axes = plt.subplots(1, len(keys), figsize=(4.4 * len(keys), 3.6), squeeze=False)
    for ax, (key, label) in zip(axes[0], keys):
        for name, hist in histories.items():
            values = np.maximum(np.asarray(hist.get(key, []), dtype=float), 1e-8)
            ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=4, label=name)
        if margin is not None and key != "val_spread":
            ax.axhline(margin, color="grey", ls=":", lw=1, label=f"margin {margin:g}")
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3, which="both")
    axes[0, 0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def triplet_examples(images, triplets, labels, n: int = 4):
    """``n`` triplets, one per row: anchor, positive and negative images with their labels."""
    fig, axes = plt.subplots(n, 3, figsize=(4.2, 1.5 * n), squeeze=False)
    for row, triplet in enumerate(np.asarray(triplets)[:n]):
        for col, (role, index) in enumerate(zip(("anchor", "positive", "negative"), triplet)):
            ax = axes[row, col]
            ax.imshow(np.squeeze(images[index]), cmap="gray_r")
            ax.set_title(f"{role}: {labels[index]}", fontsize=8)
            ax.axis("off")
    fig.tight_layout()
    return fig


def heatmap_grid(images, heatmaps, titles, cols: int = 5, alpha: float = 0.5, title: str = ""):
    """Each image in grey with its heatmap (e.g. Grad-CAM, values in [0, 1]) overlaid in colour."""
    n = len(images)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.0 * cols, 2.25 * rows), squeeze=False)
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(np.squeeze(images[i]), cmap="gray")
        ax.imshow(heatmaps[i], cmap="jet", alpha=alpha, vmin=0, vmax=1)
        ax.set_title(titles[i], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def layer_norms(table, title: str = "", ylabel: str = "gradient norm"):
    """One line per column of ``table`` (rows = layer index), on a logarithmic y axis."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for column in table.columns:
        ax.semilogy(table.index, table[column], "o-", ms=3, label=column)
    ax.set_xlabel(table.index.name or "layer")
    ax.set_xticks(list(table.index))
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def trajectories_on_contours(loss, paths: dict, xlim, ylim, title: str = "", levels: int = 30):
    """Contours of ``loss(x, y)`` (vectorised) with one trajectory per entry of ``paths`` ((n, 2) arrays)
    in its own panel; points outside the window are clipped by the axes."""
    xs, ys = np.linspace(*xlim, 300), np.linspace(*ylim, 300)
    gx, gy = np.meshgrid(xs, ys)
    z = loss(gx, gy)
    fig, axes = plt.subplots(1, len(paths), figsize=(3.6 * len(paths), 3.4), sharey=True, squeeze=False)
    for ax, (label, path) in zip(axes[0], paths.items()):
        ax.contourf(gx, gy, z, levels=levels, cmap="viridis")
        ax.plot(path[:, 0], path[:, 1], "o-", color="white", ms=2.5, lw=1)
        ax.plot(*path[0], "s", color="red", ms=5)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("w₁")
    axes[0, 0].set_ylabel("w₂")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def weight_histograms(weights: dict, threshold: float | None = None, title: str = "", bins: int = 60):
    """One histogram panel per entry of ``weights``, sharing the bins; dashed lines at ±``threshold``."""
    arrays = {k: np.ravel(v) for k, v in weights.items()}
    limit = max(float(np.max(np.abs(a))) for a in arrays.values())
    edges = np.linspace(-limit, limit, bins + 1)
    fig, axes = plt.subplots(1, len(arrays), figsize=(3.4 * len(arrays), 3.0), sharey=True, squeeze=False)
    for ax, (label, a) in zip(axes[0], arrays.items()):
        ax.hist(a, bins=edges, color="tab:blue")
        ax.set_yscale("log")
        if threshold:
            for t in (-threshold, threshold):
                ax.axvline(t, color="tab:red", ls="--", lw=0.8)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("weight")
    axes[0, 0].set_ylabel("count (log scale)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def loss_multiples(histories: dict, best_epochs: dict | None = None, cols: int = 4, title: str = ""):
    """One small panel per run: training and validation loss against the epoch, the kept
    (best) epoch marked, every panel on the same loss scale."""
    names = list(histories)
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.7 * cols, 2.1 * rows), sharey=True, squeeze=False)
    for ax, name in zip(np.ravel(axes), names):
        hist = histories[name]
        epochs = np.arange(1, len(hist["loss"]) + 1)
        ax.plot(epochs, hist["loss"], "o-", ms=3, label="train")
        ax.plot(epochs, hist["val_loss"], "s--", ms=3, label="validation")
        if best_epochs and name in best_epochs:
            ax.axvline(best_epochs[name], color="grey", lw=0.8, ls=":")
        ax.set_title(name, fontsize=9)
        ax.grid(alpha=0.3)
        ax.set_xticks(epochs if len(epochs) <= 6 else epochs[:: max(1, len(epochs) // 5)])
    for ax in np.ravel(axes)[len(names):]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7)
    axes[0, 0].set_ylabel("loss")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def conv_kernels(kernels, title: str = ""):
    """First-layer kernels (kernel, kernel, channels, filters): each filter's RGB channels as
    one colour image, scaled to its own range, and below it the channel mean as a signed map."""
    k = np.asarray(kernels)
    n = k.shape[-1]
    fig, axes = plt.subplots(2, n, figsize=(1.5 * n, 3.2), squeeze=False)
    for i in range(n):
        w = k[..., i]
        rgb = (w - w.min()) / (np.ptp(w) or 1.0)
        axes[0, i].imshow(rgb if w.shape[-1] == 3 else rgb[..., 0], cmap=None if w.shape[-1] == 3 else "gray")
        axes[0, i].set_title(f"filter {i + 1}", fontsize=8)
        mean = w.mean(axis=-1)
        bound = np.abs(mean).max() or 1.0
        axes[1, i].imshow(mean, cmap="RdBu_r", vmin=-bound, vmax=bound)
        for ax in axes[:, i]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_ylabel("RGB", fontsize=8)
    axes[1, 0].set_ylabel("mean", fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def feature_maps(image, maps, title: str = ""):
    """The input image and each channel of ``maps`` (height, width, channels) beside it."""
    n = maps.shape[-1]
    fig, axes = plt.subplots(1, n + 1, figsize=(1.6 * (n + 1), 2.0))
    axes[0].imshow(np.squeeze(image), cmap="gray" if np.ndim(np.squeeze(image)) == 2 else None)
    axes[0].set_title("input", fontsize=8)
    for i in range(n):
        axes[i + 1].imshow(maps[..., i], cmap="viridis")
        axes[i + 1].set_title(f"map {i + 1}", fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
