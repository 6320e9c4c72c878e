"""Triplet loss (HW14 B2): triplet sampling and mining, the shared embedding network, evaluation.

A triplet is three row indices into one image array: an anchor, a positive of
the anchor's class and a negative of another class.  Triplets are kept as
indices and the images gathered batch by batch (:class:`TripletBatches`), so
the 180,000 triplets of the full run never exist as 540,000 image copies.

Mining (:func:`mine_triplets`) picks, per anchor, a positive and a negative
under the current embedding.  The search runs within a *candidate pool*: the
anchors are taken in chunks of ``chunk`` and each chunk draws its own random
pool of ``pool_size`` images, so the cost is ``n_anchors x pool_size``
distances instead of ``n_anchors x n_images`` (60,000 x 2,000 rather than
60,000 x 60,000 on MNIST).  The hardest positive and negative within a pool of
2,000 are among the hardest few per cent of the whole set, yet not its few
mislabelled or unreadable outliers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import layers, ops

INPUT_SHAPE = (28, 28, 1)
STRATEGIES = ("random", "hard", "semihard")


# --------------------------------------------------------------------------- sampling


def random_triplets(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` triplets ``(anchor, positive, negative)`` of indices into ``labels``, drawn at random.

    Every image is an anchor equally often (``n / len(labels)`` times, give or
    take one); the positive is another image of the anchor's class, the
    negative an image of any other class.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2:
        raise ValueError("triplets need at least two classes")
    if counts.min() < 2:
        raise ValueError(f"class {classes[counts.argmin()]} has a single image: it cannot have a positive")
    repeats = -(-n // len(labels))
    anchors = np.concatenate([rng.permutation(len(labels)) for _ in range(repeats)])[:n]
    members = {c: np.flatnonzero(labels == c) for c in classes}
    others = {c: np.flatnonzero(labels != c) for c in classes}
    positives = np.empty(n, dtype=np.int64)
    negatives = np.empty(n, dtype=np.int64)
    for c in classes:
        rows = np.flatnonzero(labels[anchors] == c)
        same = members[c]
        # a random member other than the anchor: draw from the class minus one and skip the anchor
        pick = rng.integers(0, len(same) - 1, len(rows))
        anchor_pos = np.searchsorted(same, anchors[rows])
        pick = pick + (pick >= anchor_pos)
        positives[rows] = same[pick]
        negatives[rows] = others[c][rng.integers(0, len(others[c]), len(rows))]
    return np.stack([anchors, positives, negatives], axis=1).astype(np.int64)


def check_triplets(triplets: np.ndarray, labels: np.ndarray) -> None:
    """Raise ValueError unless every row is (anchor, other image of its class, image of another class)."""
    triplets = np.asarray(triplets)
    labels = np.asarray(labels)
    if triplets.ndim != 2 or triplets.shape[1] != 3:
        raise ValueError(f"triplets have shape {triplets.shape}; expected (n, 3)")
    a, p, n = triplets.T
    if np.any(a == p):
        raise ValueError("a positive is its own anchor")
    if np.any(labels[a] != labels[p]):
        raise ValueError("a positive has a different class from its anchor")
    if np.any(labels[a] == labels[n]):
        raise ValueError("a negative has the anchor's class")


def squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """All squared Euclidean distances between the rows of ``a`` and of ``b`` (never negative)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d, 0.0)


def mine_triplets(embeddings: np.ndarray, labels: np.ndarray, base: np.ndarray, strategy: str = "hard",
                  pool_size: int = 2000, margin: float = 0.4, seed: int = 0,
                  chunk: int = 1024) -> np.ndarray:
    """Triplets with the anchors of ``base`` and a positive and negative chosen under ``embeddings``.

    ``hard``: the farthest positive and the nearest negative in the anchor's
    candidate pool.  ``semihard``: the farthest positive, and the nearest
    negative that is still farther than it (``d(a,n) > d(a,p)``, the FaceNet
    rule); when every negative in the pool is closer, the farthest negative.
    Pools (see the module docstring) hold ``pool_size`` random images per chunk
    of anchors, all images when ``pool_size`` <= 0 or >= their number.  An
    anchor whose pool holds no other image of its class, or none of another,
    keeps the positive or negative of ``base``.
    """
    if strategy not in ("hard", "semihard"):
        raise ValueError(f"unknown mining strategy {strategy!r}; choose 'hard' or 'semihard'")
    embeddings = np.asarray(embeddings, dtype=np.float64)
    labels = np.asarray(labels)
    base = np.asarray(base, dtype=np.int64)
    rng = np.random.default_rng(seed)
    n_images = len(labels)
    full_pool = pool_size <= 0 or pool_size >= n_images
    out = base.copy()
    for start in range(0, len(base), chunk):
        anchors = base[start:start + chunk, 0]
        pool = np.arange(n_images) if full_pool else np.sort(rng.choice(n_images, pool_size, replace=False))
        d = squared_distances(embeddings[anchors], embeddings[pool])
        same = labels[anchors][:, None] == labels[pool][None, :]
        itself = anchors[:, None] == pool[None, :]
        positive_ok = same & ~itself
        negative_ok = ~same
        d_pos = np.where(positive_ok, d, -np.inf)
        best_pos = d_pos.argmax(1)
        has_pos = positive_ok.any(1)
        d_ap = np.where(has_pos, d_pos.max(1), np.inf)
        if strategy == "hard":
            best_neg = np.where(negative_ok, d, np.inf).argmin(1)
        else:
            farther = negative_ok & (d > d_ap[:, None])
            nearest_farther = np.where(farther, d, np.inf).argmin(1)
            farthest = np.where(negative_ok, d, -np.inf).argmax(1)
            best_neg = np.where(farther.any(1), nearest_farther, farthest)
        has_neg = negative_ok.any(1)
        rows = slice(start, start + len(anchors))
        out[rows, 1] = np.where(has_pos, pool[best_pos], base[rows, 1])
        out[rows, 2] = np.where(has_neg, pool[best_neg], base[rows, 2])
    return out


# --------------------------------------------------------------------------- loss and models


def triplet_loss(anchor, positive, negative, margin: float = 0.4):
    """Per-triplet loss ``max(||a - p||^2 - ||a - n||^2 + margin, 0)`` in keras.ops (any backend)."""
    d_ap = ops.sum(ops.square(anchor - positive), axis=-1)
    d_an = ops.sum(ops.square(anchor - negative), axis=-1)
    return ops.maximum(d_ap - d_an + margin, 0.0)


@keras.saving.register_keras_serializable(package="hwlib")
class TripletLoss(layers.Layer):
    """Layer from three embeddings ``[anchor, positive, negative]`` to their per-triplet loss."""

    def __init__(self, margin: float = 0.4, **kwargs):
        super().__init__(**kwargs)
        self.margin = float(margin)

    def call(self, inputs):
        anchor, positive, negative = inputs
        return triplet_loss(anchor, positive, negative, self.margin)

    def compute_output_shape(self, input_shape):
        return input_shape[0][:-1]

    def get_config(self):
        return {**super().get_config(), "margin": self.margin}


@keras.saving.register_keras_serializable(package="hwlib")
def mean_triplet_loss(y_true, y_pred):
    """Keras loss for a model whose output already is the per-triplet loss: its mean (labels unused)."""
    return ops.mean(y_pred)


def embedding_backbone(embedding_dim: int = 10, dropout=(0.25, 0.25, 0.5),
                       input_shape=INPUT_SHAPE, name: str = "backbone") -> keras.Sequential:
    """The assignment's embedding network: Conv32-Conv32-MaxPool-Dropout-Conv64-Conv64-MaxPool-
    Dropout-Flatten-Dense512-Dropout-Dense(embedding_dim); 3x3 'valid' ReLU convolutions, a ReLU
    dense layer and a linear embedding (594,922 parameters for 28x28x1 inputs and 10 dimensions)."""
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu", name="conv1"),
        layers.Conv2D(32, 3, activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Dropout(dropout[0], name="drop1"),
        layers.Conv2D(64, 3, activation="relu", name="conv3"),
        layers.Conv2D(64, 3, activation="relu", name="conv4"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Dropout(dropout[1], name="drop2"),
        layers.Flatten(name="flatten"),
        layers.Dense(512, activation="relu", name="dense"),
        layers.Dropout(dropout[2], name="drop3"),
        layers.Dense(embedding_dim, name="embedding"),
    ], name=name)


def triplet_model(backbone: keras.Model, margin: float = 0.4, learning_rate: float = 1e-3) -> keras.Model:
    """Three inputs (anchor, positive, negative) through the one shared ``backbone``, out the
    per-triplet loss; compiled with Adam and :func:`mean_triplet_loss` (targets are dummy zeros)."""
    shape = backbone.input_shape[1:]
    inputs = [keras.Input(shape=shape, name=f"input_{role}") for role in ("anchor", "positive", "negative")]
    embeddings = [backbone(x) for x in inputs]
    output = TripletLoss(margin, name="triplet_loss")(embeddings)
    model = keras.Model(inputs, output, name="triplet_network")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=mean_triplet_loss)
    return model


class TripletBatches(keras.utils.PyDataset):
    """Batches ``((anchors, positives, negatives), zeros)`` gathered from ``images`` by triplet index,
    in an order reshuffled (with ``seed``) after every epoch when ``shuffle`` is set."""

    def __init__(self, images: np.ndarray, triplets: np.ndarray, batch_size: int = 32,
                 shuffle: bool = True, seed: int = 0):
        super().__init__()
        self.images = images
        self.triplets = np.asarray(triplets, dtype=np.int64)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(self.triplets)) if shuffle else np.arange(len(self.triplets))

    def __len__(self):
        return -(-len(self.triplets) // self.batch_size)

    def __getitem__(self, i):
        rows = self.triplets[self.order[i * self.batch_size:(i + 1) * self.batch_size]]
        x = tuple(self.images[rows[:, k]] for k in range(3))
        return x, np.zeros(len(rows), dtype="float32")

    def on_epoch_end(self):
        if self.shuffle:
            self.order = self.rng.permutation(len(self.triplets))

    def shapes(self) -> tuple[tuple[int, ...], ...]:
        """Shapes of the anchor, positive and negative tensors these triplets stand for."""
        return tuple((len(self.triplets), *self.images.shape[1:]) for _ in range(3))


def embed(backbone: keras.Model, images: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Embeddings of ``images`` (inference mode: no dropout), float64."""
    return np.asarray(backbone.predict(images, batch_size=batch_size, verbose=0), dtype=np.float64)


# --------------------------------------------------------------------------- evaluation


def triplet_stats(embeddings: np.ndarray, triplets: np.ndarray, margin: float = 0.4) -> dict[str, float]:
    """Mean triplet loss, fraction of triplets with a positive loss (``d(a,n) < d(a,p) + margin``),
    and the mean squared anchor-positive and anchor-negative distances."""
    e = np.asarray(embeddings, dtype=np.float64)
    a, p, n = (e[np.asarray(triplets)[:, k]] for k in range(3))
    d_ap = ((a - p) ** 2).sum(1)
    d_an = ((a - n) ** 2).sum(1)
    losses = np.maximum(d_ap - d_an + margin, 0.0)
    return {"loss": float(losses.mean()), "violating": float((losses > 0).mean()),
            "d_ap": float(d_ap.mean()), "d_an": float(d_an.mean())}


def spread(embeddings: np.ndarray) -> float:
    """Mean squared distance of the embeddings to their centroid: near 0 when they have collapsed."""
    e = np.asarray(embeddings, dtype=np.float64)
    return float(((e - e.mean(0)) ** 2).sum(1).mean())


def knn_accuracy(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
                 k: int = 5) -> float:
    """Accuracy of a k-nearest-neighbour classifier (Euclidean) fitted on ``train_x``, on ``test_x``."""
    from sklearn.neighbors import KNeighborsClassifier

    flat = lambda x: np.asarray(x).reshape(len(x), -1)  # noqa: E731
    knn = KNeighborsClassifier(n_neighbors=k).fit(flat(train_x), np.asarray(train_y))
    return float(knn.score(flat(test_x), np.asarray(test_y)))


def tsne_2d(x: np.ndarray, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """Two-dimensional t-SNE of the rows of ``x`` (images are flattened), PCA-initialised."""
    from sklearn.manifold import TSNE

    flat = np.asarray(x, dtype=np.float32).reshape(len(x), -1)
    perplexity = min(perplexity, (len(flat) - 1) / 3)
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(flat)


def pca_2d(x: np.ndarray) -> np.ndarray:
    """Coordinates of the rows of ``x`` on their two principal axes, centred but not rescaled,
    so that a collapsed embedding stays a dot."""
    flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    centred = flat - flat.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def sample_rows(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``size`` random rows out of ``n`` (all rows when size <= 0 or >= n)."""
    if size <= 0 or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


# --------------------------------------------------------------------------- training


@dataclass
class TripletRun:
    """One training run: its backbone, per-epoch history and what mining produced each epoch."""

    strategy: str
    backbone: keras.Model
    history: dict[str, list[float]] = field(default_factory=dict)
    mined: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def train(strategy: str, x_train: np.ndarray, y_train: np.ndarray, train_triplets: np.ndarray,
          x_val: np.ndarray, val_triplets: np.ndarray, *, epochs: int = 5, batch_size: int = 32,
          margin: float = 0.4, learning_rate: float = 1e-3, warmup_epochs: int = 1,
          pool_size: int = 2000, seed: int = 0, bar=None) -> TripletRun:
    """Train a fresh backbone (weights seeded by ``seed``) on triplets for ``epochs`` epochs.

    ``random``: the fixed ``train_triplets`` every epoch.  ``hard``/``semihard``:
    ``warmup_epochs`` epochs on those, then every epoch on triplets mined anew
    (:func:`mine_triplets`) under the embedding at the start of that epoch, with
    the same anchors, so every strategy sees the same number of triplets.  The
    validation loss is always on the fixed random ``val_triplets``.  Each epoch
    also records the spread of the validation embeddings (collapse check), and
    for mined epochs the loss and violating fraction of the mined triplets
    before the epoch's updates.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    keras.utils.set_random_seed(seed)
    backbone = embedding_backbone()
    model = triplet_model(backbone, margin, learning_rate)
    val_batches = TripletBatches(x_val, val_triplets, batch_size=512, shuffle=False)
    run = TripletRun(strategy, backbone, {"loss": [], "val_loss": [], "val_spread": []})
    start = time.perf_counter()
    for epoch in range(epochs):
        triplets = train_triplets
        if strategy != "random" and epoch >= warmup_epochs:
            e = embed(backbone, x_train)
            triplets = mine_triplets(e, y_train, train_triplets, strategy, pool_size, margin, seed + epoch)
            run.mined.append({"epoch": epoch + 1, **triplet_stats(e, triplets, margin)})
        batches = TripletBatches(x_train, triplets, batch_size, shuffle=True, seed=seed + epoch)
        hist = model.fit(batches, validation_data=val_batches, epochs=1, verbose=0)
        run.history["loss"].append(float(hist.history["loss"][-1]))
        run.history["val_loss"].append(float(hist.history["val_loss"][-1]))
        run.history["val_spread"].append(spread(embed(backbone, x_val)))
        if bar is not None:
            bar.set_postfix({"strategy": strategy, "loss": f"{run.history['loss'][-1]:.4f}",
                             "val_loss": f"{run.history['val_loss'][-1]:.4f}"}, refresh=False)
            bar.update(1)
    run.seconds = time.perf_counter() - start
    return run


# --------------------------------------------------------------------------- comparison


def embedding_scores(e_train: np.ndarray, y_train: np.ndarray, e_val: np.ndarray, y_val: np.ndarray,
                     train_triplets: np.ndarray, val_triplets: np.ndarray, margin: float = 0.4,
                     k: int = 5, pool_size: int = 2000, seed: int = 0) -> dict[str, float]:
    """How good one embedding is: kNN accuracy of the validation images against the training
    images, the triplet loss (inference mode) of the fixed random training and validation
    triplets, the fraction of validation triplets inside the margin, the loss of the hardest
    validation triplets under this embedding, and the spread of the validation embeddings."""
    val = triplet_stats(e_val, val_triplets, margin)
    hardest = mine_triplets(e_val, y_val, val_triplets, "hard", pool_size, margin, seed)
    return {
        "knn_accuracy": knn_accuracy(e_train, y_train, e_val, y_val, k),
        "train_loss": triplet_stats(e_train, train_triplets, margin)["loss"],
        "val_loss": val["loss"],
        "val_violating": val["violating"],
        "val_hardest_loss": triplet_stats(e_val, hardest, margin)["loss"],
        "val_spread": spread(e_val),
    }


COLUMNS = {
    "knn_accuracy": "kNN accuracy",
    "train_loss": "train loss",
    "val_loss": "val loss",
    "val_violating": "val triplets inside margin",
    "val_hardest_loss": "val loss, hardest triplets",
    "val_spread": "val spread",
}


def comparison_table(rows: dict[str, dict], digits: int = 4):
    """``{model: embedding_scores(...) or a partial dict}`` as a DataFrame with readable columns."""
    import pandas as pd

    frame = pd.DataFrame([{COLUMNS[k]: round(v, digits) for k, v in scores.items()} for scores in rows.values()],
                         index=list(rows), columns=list(COLUMNS.values()))
    frame.index.name = "embedding"
    return frame.astype(object).where(frame.notna(), "—")


def untrained_backbone(seed: int = 0) -> keras.Model:
    """The backbone exactly as :func:`train` initialises it with ``seed``, before any update."""
    keras.utils.set_random_seed(seed)
    return embedding_backbone()


def collapse_check(run: TripletRun, warmup_epochs: int = 1, threshold: float = 0.01) -> dict:
    """Did the validation embeddings collapse after the warm-up?  ``collapsed`` when their spread
    fell below ``threshold`` times its value at the end of the warm-up (a ``threshold`` of 0.01
    means distances shrank tenfold); ``recovered`` when the last epoch is back above ten times
    that floor."""
    spreads = run.history["val_spread"]
    start = spreads[warmup_epochs - 1] if warmup_epochs >= 1 else spreads[0]
    after = spreads[warmup_epochs:] or spreads[-1:]
    low = int(np.argmin(after))
    floor = threshold * start
    return {
        "spread_after_warmup": float(start),
        "min_spread": float(after[low]),
        "min_epoch": warmup_epochs + low + 1,
        "val_loss_at_min": float(run.history["val_loss"][warmup_epochs + low]) if len(spreads) > warmup_epochs
        else float(run.history["val_loss"][-1]),
        "final_spread": float(spreads[-1]),
        "collapsed": bool(after[low] < floor),
        "recovered": bool(after[low] < floor and spreads[-1] > 10 * floor),
    }
