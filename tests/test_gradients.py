"""Gradient clipping against hand computation and Keras, per-layer gradient norms, the cliff,
and the symmetry measures."""

import keras
import numpy as np
import pytest

from hwlib import gradients as G


def test_clip_by_value_clamps_each_component():
    g = np.array([3.0, -0.5, -7.0, 1.0])
    assert np.array_equal(G.clip_by_value(g, 1.0), [1.0, -0.5, -1.0, 1.0])


def test_clip_by_norm_rescales_only_long_gradients():
    g = np.array([3.0, -4.0])  # norm 5
    assert np.allclose(G.clip_by_norm(g, 1.0), [0.6, -0.8])
    assert np.allclose(G.clip_by_norm(g, 10.0), g)
    assert np.allclose(G.clip_by_norm(g, 5.0), g)


def test_norm_clipping_keeps_direction_and_value_clipping_does_not():
    g = np.array([10.0, -2.0])
    by_norm, by_value = G.clip_by_norm(g, 1.0), G.clip_by_value(g, 1.0)
    assert np.isclose(np.linalg.norm(by_norm), 1.0)
    assert np.isclose(by_norm @ g / (np.linalg.norm(by_norm) * np.linalg.norm(g)), 1.0)
    assert np.array_equal(by_value, [1.0, -1.0])  # now at 45 degrees


def test_clip_by_global_norm_uses_one_factor():
    a, b = np.array([3.0, 0.0]), np.array([[0.0], [4.0]])  # joint norm 5
    ca, cb = G.clip_by_global_norm([a, b], 2.5)
    assert np.allclose(ca, a / 2) and np.allclose(cb, b / 2)
    same = G.clip_by_global_norm([a, b], 6.0)
    assert np.allclose(same[0], a) and np.allclose(same[1], b)


@pytest.mark.parametrize("threshold", [0.5, 2.0, 50.0])
def test_agrees_with_keras_optimizer_options(threshold):
    g = np.array([[3.0, -4.0, 0.25], [1.5, -0.1, 2.0]])
    assert np.allclose(G.keras_clipped_step(g, threshold, "value"), G.clip_by_value(g, threshold), atol=1e-6)
    assert np.allclose(G.keras_clipped_step(g, threshold, "norm"), G.clip_by_norm(g, threshold), atol=1e-5)
    parts = [g, np.array([7.0, -1.0])]
    for ours, theirs in zip(G.clip_by_global_norm(parts, threshold), G.keras_clipped_step(parts, threshold, "global")):
        assert np.allclose(theirs, ours, atol=1e-5)


def test_gradient_norm_of_a_single_zero_layer_matches_hand_computation():
    model = G.deep_mlp(inputs=2, depth=0, width=4, activation="relu", initializer="glorot_uniform", classes=3)
    model.get_layer("dense_1").set_weights([np.zeros((2, 3)), np.zeros(3)])
    x = np.array([[1.0, 2.0], [-1.0, 0.5]], dtype="float32")
    y = np.array([0, 2])
    # Zero logits: softmax is 1/3 everywhere, so dL/dW = x^T (p - onehot) / N.
    p_minus_t = np.full((2, 3), 1 / 3) - np.eye(3)[y]
    expected = np.linalg.norm(x.T @ p_minus_t / 2)
    norms = G.layer_gradient_norms(model, x, y)
    assert norms.shape == (1,)
    assert np.isclose(norms[0], expected, rtol=1e-5)


def test_gradient_norm_study_has_one_row_per_dense_layer():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 5)).astype("float32"), rng.integers(0, 10, 16)
    table = G.gradient_norm_study(x, y, depth=6, width=8, seed=1)
    assert list(table.index) == list(range(1, 8))
    assert list(table.columns) == list(G.INIT_SETTINGS)
    assert (table["sigmoid, Glorot"].iloc[0] < table["sigmoid, Glorot"].iloc[-1])  # vanishes toward the input
    assert table["ReLU, N(0, 1)"].min() > table["ReLU, He"].max()


def test_cliff_gradient_matches_finite_differences():
    h = 1e-6
    for x, y in [(-3.0, 1.5), (1.0, 0.0), (1.2, 0.3)]:
        numeric = [(G.cliff_loss(x + h, y) - G.cliff_loss(x - h, y)) / (2 * h),
                   (G.cliff_loss(x, y + h) - G.cliff_loss(x, y - h)) / (2 * h)]
        assert np.allclose(G.cliff_gradient(x, y), numeric, rtol=1e-4, atol=1e-6)


def test_clipped_descent_bounds_every_step():
    for clip, bound in (("norm", 1.0), ("value", np.sqrt(2))):
        path = G.descend((-3.0, 1.5), 40, 1.0, clip, 1.0)
        assert np.max(np.linalg.norm(np.diff(path, axis=0), axis=1)) <= bound + 1e-9
    with pytest.raises(ValueError):
        G.descend((0.0, 0.0), 1, 0.1, "sometimes")


def test_symmetry_measures_on_constructed_kernels():
    same = np.tile(np.array([[0.3], [-1.0], [2.0]]), (1, 5))
    assert G.unit_spread(same) == 0.0
    assert G.numerical_rank(same) == 1
    different = same.copy()
    different[1, 3] += 0.25
    assert np.isclose(G.unit_spread(different), 0.25)
    assert G.numerical_rank(different) == 2
    assert G.numerical_rank(np.zeros((3, 4))) == 0


def test_near_zero_fraction():
    assert G.near_zero_fraction([0.0, 1e-4, -5e-4, 0.1], 1e-3) == 0.75


def test_constant_start_stays_symmetric_after_training():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 10, 64)
    keras.utils.set_random_seed(0)
    model = G.classifier(6, 5, None, "tanh", keras.initializers.Constant(0.05))
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    kernel = model.get_layer("hidden").kernel.numpy()
    assert G.unit_spread(kernel) < 1e-6
    assert np.ptp(kernel) > 0  # it did learn something, just the same thing in every unit
