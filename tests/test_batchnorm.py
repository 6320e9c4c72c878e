"""Batch normalization from scratch, as defined on its page: against Keras, by hand, and in its corner cases."""

import keras
import numpy as np
import tensorflow as tf
from pagecode import page_definitions

from hwlib import data

Q6 = page_definitions("hw7q/q6_batch_norm")
TOLERANCE = 1e-10  # both layers in float64


def test_matches_keras_in_training_and_inference_mode_with_gradients():
    worst = Q6.compare_with_keras(features=5, batch=16, steps=3, seed=3)
    assert {"inference output", "gradient wrt input", "gradient wrt gamma", "moving variance"} <= set(worst)
    assert max(worst.values()) < TOLERANCE, worst


def test_other_momentum_and_epsilon_still_match_keras():
    worst = Q6.compare_with_keras(features=3, batch=4, steps=2, momentum=0.5, epsilon=0.1, seed=1)
    assert max(worst.values()) < TOLERANCE, worst


def test_moving_averages_after_one_step_by_hand():
    x = np.array([[0.0, 10.0], [4.0, 10.0]], dtype="float32")  # means 2 and 10, biased variances 4 and 0
    bn = Q6.BatchNorm(momentum=0.9)
    bn(x, training=True)
    np.testing.assert_allclose(np.asarray(bn.moving_mean), [0.9 * 0 + 0.1 * 2, 0.1 * 10], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(bn.moving_variance), [0.9 * 1 + 0.1 * 4, 0.9 * 1 + 0.1 * 0], rtol=1e-6)
    layer = keras.layers.BatchNormalization(momentum=0.9)
    layer(x, training=True)
    np.testing.assert_allclose(np.asarray(layer.moving_mean), np.asarray(bn.moving_mean), atol=1e-6)
    np.testing.assert_allclose(np.asarray(layer.moving_variance), np.asarray(bn.moving_variance), atol=1e-6)


def test_training_mode_normalizes_and_inference_mode_uses_the_moving_statistics():
    rng = np.random.default_rng(0)
    x = rng.normal(3, 2, size=(500, 4))
    bn = Q6.BatchNorm(epsilon=0.0, dtype="float64")
    bn.build((None, 4))
    gamma, beta = np.array([1.0, 2.0, 0.5, 1.0]), np.array([0.0, 1.0, -1.0, 5.0])
    bn.gamma.assign(gamma)
    bn.beta.assign(beta)
    out = np.asarray(bn(x, training=True))
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-12)
    bn.moving_mean.assign(np.full(4, 3.0))
    bn.moving_variance.assign(np.full(4, 4.0))
    np.testing.assert_allclose(np.asarray(bn(x, training=False)), gamma * (x - 3.0) / 2.0 + beta)
    np.testing.assert_array_equal(np.asarray(bn.moving_mean), 3.0)  # inference leaves the statistics alone


def test_epsilon_prevents_nan_for_a_constant_feature_and_a_batch_of_one():
    constant = np.full((4, 1), 5.0, dtype="float32")
    assert np.isnan(np.asarray(Q6.BatchNorm(epsilon=0.0)(constant, training=True))).all()
    bn = Q6.BatchNorm()
    bn.build((None, 3))
    bn.beta.assign([0.5, -1.0, 2.0])
    beta = np.asarray(bn.beta)
    np.testing.assert_array_equal(np.asarray(bn(constant.repeat(3, axis=1), training=True))[0], beta)
    one = np.array([[1.0, -7.0, 300.0]], dtype="float32")
    np.testing.assert_array_equal(np.asarray(bn(one, training=True)), beta[None, :])  # a batch of one is all beta


def test_gradients_match_the_backward_pass_by_hand():
    """Automatic differentiation through the layer gives the textbook backward pass of batch norm."""
    rng = np.random.default_rng(1)
    x, upstream = tf.constant(rng.normal(size=(6, 3))), rng.normal(size=(6, 3))
    bn = Q6.BatchNorm(dtype="float64")
    bn.build((None, 3))
    bn.gamma.assign(rng.normal(size=3))
    bn.beta.assign(rng.normal(size=3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(bn(x, training=True) * upstream)
    grad_x, grad_gamma, grad_beta = (g.numpy() for g in tape.gradient(loss, [x, bn.gamma.value, bn.beta.value]))
    xv = x.numpy()
    inv_std = 1 / np.sqrt(xv.var(axis=0) + bn.epsilon)
    x_hat = (xv - xv.mean(axis=0)) * inv_std
    np.testing.assert_allclose(grad_beta, upstream.sum(axis=0))
    np.testing.assert_allclose(grad_gamma, (upstream * x_hat).sum(axis=0))
    g = upstream * np.asarray(bn.gamma)
    n = len(xv)
    by_hand = inv_std / n * (n * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0))
    np.testing.assert_allclose(grad_x, by_hand, atol=1e-12)



def test_plain_sgd_only_lengthens_the_weights_in_front_of_batch_norm():
    """The page's account of the weight norms: batch norm hides the scale of each unit's incoming weights from
    the loss (up to epsilon), so their gradient is perpendicular to them and an SGD step lengthens them."""
    rng = np.random.default_rng(2)
    dense, bn = keras.layers.Dense(5, dtype="float64"), Q6.BatchNorm(epsilon=0.0, dtype="float64")
    x, upstream = tf.constant(rng.normal(size=(32, 4))), tf.constant(rng.normal(size=(32, 5)))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.tanh(bn(dense(x), training=True)) * upstream)
    kernel = dense.kernel.numpy()
    grad = tape.gradient(loss, dense.kernel.value).numpy()
    cosine = np.sum(grad * kernel, axis=0) / (np.linalg.norm(grad, axis=0) * np.linalg.norm(kernel, axis=0))
    np.testing.assert_allclose(cosine, 0, atol=1e-10)  # one column of weights per normalized unit
    assert (np.linalg.norm(kernel - 0.1 * grad, axis=0) > np.linalg.norm(kernel, axis=0)).all()
    scaled = bn(x @ (10 * kernel) + dense.bias.numpy(), training=True).numpy()
    np.testing.assert_allclose(scaled, bn(dense(x), training=True).numpy(), atol=1e-10)

def test_batch_norm_has_gamma_beta_and_two_moving_statistics_per_feature():
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(20), Q6.BatchNorm()])
    assert sum(int(np.prod(v.shape)) for v in model.trainable_variables) == 220 + 40
    assert model.count_params() == 300
    assert [v.name for v in model.layers[-1].non_trainable_variables] == ["moving_mean", "moving_variance"]


def test_training_mode_accuracy_leaves_the_moving_statistics_alone():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 64)).astype("float32"), rng.integers(0, 10, 40)
    model = Q6.mlp(64, 8)
    before = np.asarray(model.get_layer("bn1").moving_mean).copy()
    accuracy = Q6.training_mode_accuracy(model, x, y, batch_size=4)
    assert 0 <= accuracy <= 1
    np.testing.assert_array_equal(np.asarray(model.get_layer("bn1").moving_mean), before)
    # with batches of one sample every prediction is the same
    out = [np.argmax(keras.ops.convert_to_numpy(model(x[i:i + 1], training=True))) for i in range(5)]
    assert len(set(out)) == 1


def test_digits_split_is_stratified_and_scaled():
    ds = data.digits(seed=0)
    assert ds.x_train.shape[1] == 64 and 0 <= ds.x_train.min() and ds.x_train.max() <= 1
    assert len(ds.y_train) + len(ds.y_test) == 1797
    assert np.bincount(ds.y_test).min() >= 35
    assert "load_digits" in ds.provenance
