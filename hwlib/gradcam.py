"""Grad-CAM: which parts of an image a CNN's class score depends on (Selvaraju et al., 2017).

For a chosen convolutional layer with feature maps A_k and a class score y_c
(the logit, before any softmax), each map gets the weight
alpha_k = mean over positions of d y_c / d A_k, and the heatmap is
ReLU(sum_k alpha_k A_k), scaled to [0, 1] and resized to the input.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def last_conv_layer(model: keras.Model) -> str:
    """Name of the model's last layer with 4-D (image-shaped) output."""
    for layer in reversed(model.layers):
        if len(layer.output.shape) == 4:
            return layer.name
    raise ValueError(f"model {model.name!r} has no layer with 4-D output to explain")


def _score_model(model: keras.Model, layer_name: str):
    """A model from the input to (feature maps, class scores before softmax)."""
    try:
        conv = model.get_layer(layer_name)
    except ValueError:
        names = ", ".join(layer.name for layer in model.layers)
        raise ValueError(f"no layer {layer_name!r} in model {model.name!r}; its layers: {names}") from None
    last = model.layers[-1]
    softmax_dense = (isinstance(last, keras.layers.Dense)
                     and getattr(last.activation, "__name__", "") == "softmax")
    head = last.input if softmax_dense else model.outputs[0]
    inner = keras.Model(model.inputs, [conv.output, head])

    def scores(x):
        maps, h = inner(x, training=False)
        if softmax_dense:
            h = tf.matmul(h, last.kernel) + (last.bias if last.use_bias else 0.0)
        return maps, h

    return scores


def gradcam(model: keras.Model, images, class_index=None, layer_name: str | None = None,
            resize: bool = True) -> np.ndarray:
    """Grad-CAM heatmaps in [0, 1], one per image.

    ``class_index``: one int for all images, one per image, or None for each
    image's predicted class. ``layer_name``: the convolutional layer to
    explain (default: the last one). With ``resize`` the maps are bilinearly
    resized to the images' height and width; otherwise they keep the layer's
    resolution. An all-zero map means no position raised the class score.
    """
    images = tf.convert_to_tensor(np.asarray(images, dtype="float32"))
    scores = _score_model(model, layer_name or last_conv_layer(model))
    with tf.GradientTape() as tape:
        maps, logits = scores(images)
        if class_index is None:
            target = tf.argmax(logits, axis=-1)
        else:
            target = tf.broadcast_to(tf.constant(class_index, dtype=tf.int64), [tf.shape(logits)[0]])
        chosen = tf.gather(logits, target, axis=1, batch_dims=1)
    grads = tape.gradient(chosen, maps)
    weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
    cams = tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1)).numpy()
    peak = cams.reshape(len(cams), -1).max(axis=1).reshape(-1, 1, 1)
    cams = np.divide(cams, peak, out=np.zeros_like(cams), where=peak > 0)
    if resize:
        size = images.shape[1:3]
        cams = tf.image.resize(cams[..., np.newaxis], size, method="bilinear").numpy()[..., 0]
    return cams


def class_means(model: keras.Model, images, labels, n_classes: int, layer_name: str | None = None) -> np.ndarray:
    """Mean Grad-CAM heatmap of each true class, explained for that class: shape (n_classes, H, W)."""
    labels = np.asarray(labels)
    means = []
    for c in range(n_classes):
        chosen = images[labels == c]
        if len(chosen) == 0:
            means.append(np.zeros(np.asarray(images).shape[1:3], dtype="float32"))
            continue
        means.append(gradcam(model, chosen, c, layer_name).mean(axis=0))
    return np.stack(means)


def deletion_check(model: keras.Model, images, labels, heatmaps, fraction: float = 0.2,
                   ink: float = 0.1, seed: int = 0) -> dict:
    """How much the true class's probability falls when the most-highlighted ink is erased.

    In each image, of the pixels brighter than ``ink`` (the strokes), the
    ``fraction`` with the highest heatmap values are set to 0; for comparison
    the same number of stroke pixels chosen at random are erased instead. A
    heatmap that points at what the model uses makes the first drop larger.
    Returns the mean true-class probability before, after the heatmap-guided
    erasure and after the random one.
    """
    images = np.asarray(images, dtype="float32")
    labels = np.asarray(labels).astype(int)
    rng = np.random.default_rng(seed)
    guided, random_ = images.copy(), images.copy()
    for i in range(len(images)):
        rows, cols = np.nonzero(images[i, ..., 0] > ink)
        k = int(round(fraction * len(rows)))
        if k == 0:
            continue
        top = np.argsort(-heatmaps[i][rows, cols], kind="stable")[:k]
        guided[i, rows[top], cols[top], :] = 0
        pick = rng.choice(len(rows), size=k, replace=False)
        random_[i, rows[pick], cols[pick], :] = 0

    def true_prob(x):
        return float(model.predict(x, verbose=0)[np.arange(len(x)), labels].mean())

    return {"original": true_prob(images), "gradcam_erased": true_prob(guided), "random_erased": true_prob(random_)}
