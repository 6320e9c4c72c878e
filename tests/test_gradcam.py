"""Grad-CAM, as defined on its page, against gradients worked out by hand on tiny models."""

import keras
import numpy as np
import pytest
from pagecode import page_definitions

Q7 = page_definitions("hw7q/q7_gradcam")


def tiny_model(head: str, softmax: bool) -> keras.Model:
    """Input 4x4x1 -> 1x1 conv with 2 maps (linear) -> GAP or Flatten -> Dense(3)."""
    inputs = keras.Input((4, 4, 1))
    maps = keras.layers.Conv2D(2, 1, use_bias=False, name="conv")(inputs)
    pooled = (keras.layers.GlobalAveragePooling2D() if head == "gap" else keras.layers.Flatten())(maps)
    outputs = keras.layers.Dense(3, activation="softmax" if softmax else None, name="out")(pooled)
    return keras.Model(inputs, outputs)


def by_hand(model, images, c, head):
    """alpha_k = mean_ij d y_c / d A_ijk with y_c the logit; cam = relu(sum_k alpha_k A_k) / max."""
    k = model.get_layer("conv").kernel.numpy().reshape(2)
    w = model.get_layer("out").kernel.numpy()
    maps = images[..., :1] * k  # (n, 4, 4, 2): a 1x1 conv without bias
    if head == "gap":
        alpha = w[:, c] / 16.0  # y_c = sum_k w_kc mean(A_k) + b_c
    else:
        alpha = w[:, c].reshape(4, 4, 2).mean(axis=(0, 1))  # Flatten order is (i, j, k)
    cam = np.maximum((maps * alpha).sum(axis=-1), 0)
    peak = cam.reshape(len(cam), -1).max(axis=1).reshape(-1, 1, 1)
    return np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0)


@pytest.mark.parametrize("head", ["gap", "flatten"])
@pytest.mark.parametrize("softmax", [False, True])
def test_matches_hand_computed_gradients(head, softmax):
    keras.utils.set_random_seed(3)
    model = tiny_model(head, softmax)
    images = np.random.default_rng(0).normal(size=(5, 4, 4, 1)).astype("float32")
    for c in range(3):
        got = Q7.gradcam(model, images, c, "conv", resize=False)
        np.testing.assert_allclose(got, by_hand(model, images, c, head), atol=1e-5)


def test_softmax_is_explained_through_the_logit():
    """With softmax the gradient of the probability differs from the logit's; Grad-CAM uses the logit."""
    keras.utils.set_random_seed(4)
    model = tiny_model("flatten", softmax=True)
    images = np.random.default_rng(1).normal(size=(3, 4, 4, 1)).astype("float32")
    linear = tiny_model("flatten", softmax=False)
    linear.set_weights(model.get_weights())
    np.testing.assert_allclose(Q7.gradcam(model, images, 1, "conv", resize=False),
                               Q7.gradcam(linear, images, 1, "conv", resize=False), atol=1e-6)


def test_predicted_class_default_and_per_image_classes():
    keras.utils.set_random_seed(5)
    model = tiny_model("gap", softmax=True)
    images = np.random.default_rng(2).normal(size=(4, 4, 4, 1)).astype("float32")
    predicted = model.predict(images, verbose=0).argmax(axis=1)
    np.testing.assert_allclose(Q7.gradcam(model, images, None, "conv", resize=False),
                               Q7.gradcam(model, images, predicted, "conv", resize=False))
    per_image = Q7.gradcam(model, images, predicted, "conv", resize=False)
    for i, c in enumerate(predicted):
        np.testing.assert_allclose(per_image[i], by_hand(model, images[i:i + 1], int(c), "gap")[0], atol=1e-5)


def test_resize_range_and_layer_errors():
    model = tiny_model("gap", softmax=True)
    images = np.random.default_rng(3).normal(size=(2, 4, 4, 1)).astype("float32")
    cams = Q7.gradcam(model, images, 0)
    assert cams.shape == (2, 4, 4) and cams.min() >= 0 and cams.max() <= 1
    assert Q7.last_conv_layer(model) == "conv"
    with pytest.raises(ValueError, match="nope"):
        Q7.gradcam(model, images, 0, "nope")
    dense_only = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no convolution layer"):
        Q7.last_conv_layer(dense_only)


def test_the_default_layer_is_a_convolution_never_a_pooling_layer():
    """Pooling layers also output 4-D maps; the default must be the last convolution before them."""
    cnn = Q7.mnist_cnn()
    assert Q7.last_conv_layer(cnn) == "conv3"
    assert cnn.get_layer("conv3").output.shape[1:3] == (7, 7)  # pool3 would give 3x3
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(2, 3, padding="same", name="conv")(inputs)
    x = keras.layers.MaxPooling2D(2, name="max")(x)
    x = keras.layers.AveragePooling2D(2, name="average")(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(x)))
    assert Q7.last_conv_layer(model) == "conv"
    images = np.random.default_rng(6).normal(size=(2, 8, 8, 1)).astype("float32")
    assert Q7.gradcam(model, images, 0, resize=False).shape == (2, 8, 8)  # the conv's grid, not 2x2


@pytest.mark.parametrize("last_pool", [keras.layers.AveragePooling2D, keras.layers.MaxPooling2D,
                                       keras.layers.GlobalAveragePooling2D, keras.layers.GlobalMaxPooling2D])
def test_a_model_that_ends_in_conv_pool_pool_is_explained_at_the_conv(last_pool):
    """The model's very last layers are two poolings: the default still is the convolution before them."""
    pool = last_pool() if "Global" in last_pool.__name__ else last_pool(2)
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, padding="same", name="conv"),
                              keras.layers.MaxPooling2D(2, name="first_pool"), pool])
    assert isinstance(model.layers[-1], last_pool) and Q7.last_conv_layer(model) == "conv"


def test_mnist_cnn_has_the_reported_parameter_count():
    # conv 3x3: (9 * c_in + 1) * c_out; 'same' padding 28 -> pool 14 -> 7 -> 3, so 3 * 3 * 64 = 576 inputs
    by_hand_count = (9 + 1) * 32 + (9 * 32 + 1) * 64 + (9 * 64 + 1) * 64 + (576 + 1) * 128 + (128 + 1) * 10
    assert by_hand_count == 130_890
    assert Q7.mnist_cnn().count_params() == by_hand_count


def test_class_means_shape_and_empty_class():
    model = tiny_model("gap", softmax=True)
    images = np.random.default_rng(4).normal(size=(6, 4, 4, 1)).astype("float32")
    labels = np.array([0, 0, 1, 1, 1, 0])
    means = Q7.class_means(model, images, labels, 3, "conv")
    assert means.shape == (3, 4, 4)
    assert not means[2].any()
    np.testing.assert_allclose(means[1], Q7.gradcam(model, images[2:5], 1, "conv").mean(axis=0), atol=1e-6)


def test_deletion_check_erases_the_highlighted_strokes():
    """A model that only looks at the top-left quarter: erasing where the heatmap points hurts, at random less."""
    inputs = keras.Input((4, 4, 1))
    quarter = keras.layers.Cropping2D(((0, 2), (0, 2)))(inputs)
    score = keras.layers.Flatten()(quarter)
    outputs = keras.layers.Dense(2, activation="softmax")(score)
    model = keras.Model(inputs, outputs)
    model.layers[-1].set_weights([np.array([[5.0, -5.0]] * 4), np.zeros(2)])
    images = np.ones((3, 4, 4, 1), dtype="float32")
    heat = np.zeros((3, 4, 4))
    heat[:, :2, :2] = 1.0
    result = Q7.deletion_check(model, images, [0, 0, 0], heat, fraction=0.25)
    assert result["original"] > 0.99
    assert result["gradcam_erased"] == pytest.approx(0.5)  # the whole quarter erased: both logits 0
    assert result["random_erased"] > 0.99


def two_channel_model() -> keras.Model:
    """Input 4x4x2 -> 1x1 conv with 2 maps (linear) -> GAP -> Dense(3, softmax). With two input channels the
    two maps differ in space, so the weights alpha_k change the map, not only its scale."""
    inputs = keras.Input((4, 4, 2))
    maps = keras.layers.Conv2D(2, 1, use_bias=False, name="conv")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(keras.layers.GlobalAveragePooling2D()(maps))
    return keras.Model(inputs, outputs)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def by_hand_probability(model, images, c, own_term=True):
    """Report 003's variant on the GAP model, by the chain rule: dp_c/dA_ijk = p_c (w_kc - sum_d p_d w_kd) / 16.
    own_term=False drops the class's own term p_c (1 - p_c) w_kc, as 32-bit floats do once p_c rounds to 1."""
    k = model.get_layer("conv").kernel.numpy()[0, 0]  # (channels, 2): a 1x1 convolution without bias
    w, b = model.get_layer("out").kernel.numpy(), model.get_layer("out").bias.numpy()
    maps = (images @ k).astype("float64")  # (n, 4, 4, 2)
    p = softmax(maps.mean(axis=(1, 2)) @ w + b)  # (n, 3)
    others = np.arange(w.shape[1]) != c
    rivals = p[:, c:c + 1] * (p[:, others] @ w[:, others].T)  # p_c sum_{d != c} p_d w_kd: (n, 2)
    own = p[:, c:c + 1] * (1 - p[:, c:c + 1]) * w[:, c] if own_term else 0.0
    alpha = (own - rivals) / 16.0
    cam = np.maximum((maps * alpha[:, None, None, :]).sum(axis=-1), 0)
    peak = cam.reshape(len(cam), -1).max(axis=1).reshape(-1, 1, 1)
    return np.divide(cam, peak, out=np.zeros_like(cam), where=peak > 0)


def test_report_variant_matches_the_chain_rule_and_the_logit_map_does_not():
    """The report's Grad-CAM (gradient of the softmax probability) against the chain rule worked out by hand;
    the logit's Grad-CAM, a wrong implementation of the report's variant, fails the same check."""
    keras.utils.set_random_seed(7)
    model = two_channel_model()
    images = np.random.default_rng(7).normal(size=(6, 4, 4, 2)).astype("float32")
    differs = []
    for c in range(3):
        expected = by_hand_probability(model, images, c)
        np.testing.assert_allclose(Q7.probability_gradcam(model, images, c, "conv", resize=False), expected, atol=1e-5)
        differs.append(not np.allclose(Q7.gradcam(model, images, c, "conv", resize=False), expected, atol=1e-5))
    assert any(differs), "the check cannot tell the probability's gradient from the logit's"


def test_report_variant_resizes_like_gradcam():
    model = tiny_model("gap", softmax=True)
    images = np.random.default_rng(8).normal(size=(2, 4, 4, 1)).astype("float32")
    cams = Q7.probability_gradcam(model, images, 1)
    assert cams.shape == (2, 4, 4) and cams.min() >= 0 and cams.max() <= 1
    cnn = Q7.mnist_cnn()
    digits = np.random.default_rng(9).uniform(size=(2, 28, 28, 1)).astype("float32")
    assert Q7.probability_gradcam(cnn, digits, 3, resize=False).shape == (2, 7, 7)  # conv3's grid
    assert Q7.probability_gradcam(cnn, digits, 3).shape == (2, 28, 28)


def test_once_the_probability_rounds_to_one_only_the_rivals_term_is_left():
    """Saturation, as the page describes it: with p_c == 1.0 in float32 the class's own term is computed as 0."""
    keras.utils.set_random_seed(10)
    model = two_channel_model()
    bias = np.array([30.0, 0.0, 0.0], dtype="float32")  # class 0 wins by e^30: p_0 rounds to 1, p_1 and p_2 ~ 1e-13
    model.get_layer("out").bias.assign(bias)
    images = np.random.default_rng(10).normal(size=(4, 4, 4, 2)).astype("float32")
    assert (model.predict(images, verbose=0)[:, 0] == 1.0).all()
    got = Q7.probability_gradcam(model, images, 0, "conv", resize=False)
    np.testing.assert_allclose(got, by_hand_probability(model, images, 0, own_term=False), atol=1e-4)
    assert not np.allclose(got, by_hand_probability(model, images, 0), atol=1e-2)  # exact arithmetic keeps it
