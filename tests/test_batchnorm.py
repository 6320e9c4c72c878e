"""Batch normalization from scratch against Keras, by hand, and in its corner cases."""

import keras
import numpy as np
import pytest

from hwlib import batchnorm as B

TOLERANCE = 1e-5  # float64 NumPy against float32 Keras


def test_matches_keras_in_training_and_inference_mode_with_gradients():
    table = B.compare_with_keras(features=5, batch=16, steps=3, seed=3)
    assert {"inference output", "training gradient wrt input", "moving variance after batch 3"} <= set(table.quantity)
    worst = table.set_index("quantity")["max |difference|"]
    assert (worst < TOLERANCE).all(), worst[worst >= TOLERANCE]


def test_other_momentum_and_epsilon_still_match_keras():
    table = B.compare_with_keras(features=3, batch=4, steps=2, momentum=0.5, epsilon=0.1, seed=1)
    assert table["max |difference|"].max() < TOLERANCE


def test_moving_averages_after_one_step_by_hand():
    x = np.array([[0.0, 10.0], [4.0, 10.0]])  # means 2 and 10, biased variances 4 and 0
    bn = B.BatchNorm(2, momentum=0.9)
    bn(x, training=True)
    np.testing.assert_allclose(bn.moving_mean, [0.9 * 0 + 0.1 * 2, 0.1 * 10])
    np.testing.assert_allclose(bn.moving_variance, [0.9 * 1 + 0.1 * 4, 0.9 * 1 + 0.1 * 0])
    np.testing.assert_allclose(B.moving_average_by_hand(x, 0.9), (bn.moving_mean, bn.moving_variance))
    layer = keras.layers.BatchNormalization(momentum=0.9)
    layer(x.astype("float32"), training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), bn.moving_mean, atol=TOLERANCE)
    np.testing.assert_allclose(layer.moving_variance.numpy(), bn.moving_variance, atol=TOLERANCE)


def test_training_mode_normalizes_and_inference_mode_uses_the_moving_statistics():
    rng = np.random.default_rng(0)
    x = rng.normal(3, 2, size=(500, 4))
    bn = B.BatchNorm(4, epsilon=0.0)
    bn.gamma, bn.beta = np.array([1.0, 2.0, 0.5, 1.0]), np.array([0.0, 1.0, -1.0, 5.0])
    out = bn(x, training=True)
    np.testing.assert_allclose(out.mean(axis=0), bn.beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), bn.gamma, rtol=1e-12)
    bn.moving_mean, bn.moving_variance = np.full(4, 3.0), np.full(4, 4.0)
    np.testing.assert_allclose(bn(x, training=False), bn.gamma * (x - 3.0) / 2.0 + bn.beta)
    np.testing.assert_array_equal(bn.moving_mean, 3.0)  # inference leaves the statistics alone


def test_epsilon_prevents_nan_for_a_constant_feature_and_a_batch_of_one():
    constant = np.full((4, 1), 5.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        assert np.isnan(B.BatchNorm(1, epsilon=0.0)(constant, training=True)).all()
    bn = B.BatchNorm(3)
    bn.beta = np.array([0.5, -1.0, 2.0])
    np.testing.assert_array_equal(bn(constant.repeat(3, axis=1), training=True)[0], bn.beta)
    one = np.array([[1.0, -7.0, 300.0]])
    np.testing.assert_array_equal(bn(one, training=True), bn.beta[None, :])  # a batch of one is all beta
    table = B.epsilon_demo()
    assert "nan" in table.set_index("feature").loc["constant feature (variance 0)", "output with epsilon=0"]


def test_backward_matches_finite_differences():
    rng = np.random.default_rng(1)
    x, upstream = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    bn = B.BatchNorm(3)
    bn.gamma, bn.beta = rng.normal(size=3), rng.normal(size=3)
    loss = lambda xx: float(np.sum(_copy(bn)(xx, training=True) * upstream))  # noqa: E731
    bn(x, training=True)
    grad = bn.backward(upstream)
    numeric = np.zeros_like(x)
    h = 1e-6
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric[idx] = (loss(plus) - loss(minus)) / (2 * h)
    np.testing.assert_allclose(grad, numeric, atol=1e-6)
    before = bn.gamma.copy()
    bn.step(0.1)
    np.testing.assert_allclose(bn.gamma, before - 0.1 * bn.grad_gamma)


def _copy(bn):
    other = B.BatchNorm(len(bn.gamma), bn.momentum, bn.epsilon)
    other.gamma, other.beta = bn.gamma.copy(), bn.beta.copy()
    return other


def test_fc_plus_bn_parameter_count():
    counts = B.fc_bn_parameters(10, 20)
    assert counts == {"dense": 220, "bn trainable (gamma, beta)": 40, "bn non-trainable (moving mean, variance)": 40,
                      "total": 300, "trainable": 260, "non-trainable": 40}
    assert B.fc_bn_parameters(10, 20, bias=False)["trainable"] == 240


def test_training_mode_accuracy_leaves_the_moving_statistics_alone():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 64)).astype("float32"), rng.integers(0, 10, 40)
    model = B.mlp(64, 8)
    before = model.get_layer("bn1").moving_mean.numpy().copy()
    accuracy = B.training_mode_accuracy(model, x, y, batch_size=4)
    assert 0 <= accuracy <= 1
    np.testing.assert_array_equal(model.get_layer("bn1").moving_mean.numpy(), before)
    # with batches of one sample every prediction is the same
    out = [np.argmax(keras.ops.convert_to_numpy(model(x[i:i + 1], training=True))) for i in range(5)]
    assert len(set(out)) == 1


def test_digits_split_is_stratified_and_scaled():
    ds = B.digits_data(seed=0)
    assert ds.x_train.shape[1] == 64 and 0 <= ds.x_train.min() and ds.x_train.max() <= 1
    assert len(ds.y_train) + len(ds.y_test) == 1797
    assert np.bincount(ds.y_test).min() >= 35
    assert "load_digits" in ds.provenance
