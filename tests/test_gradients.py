"""The sc3 Q1 page's methods where they live (its definition cells): per-layer gradient norms, clipping
against hand computation and Keras, the cliff, the penalties, and the symmetry measures."""

import keras
import numpy as np
import pytest

from pagecode import page_definitions

P = page_definitions("sc3/q1_gradients")


def test_clip_by_value_clamps_each_component():
    g = np.array([3.0, -0.5, -7.0, 1.0])
    assert np.array_equal(P.clip_by_value(g, 1.0), [1.0, -0.5, -1.0, 1.0])


def test_clip_by_norm_rescales_only_long_gradients():
    g = np.array([3.0, -4.0])  # norm 5
    assert np.allclose(P.clip_by_norm(g, 1.0), [0.6, -0.8])
    assert np.allclose(P.clip_by_norm(g, 10.0), g)
    assert np.allclose(P.clip_by_norm(g, 5.0), g)


def test_norm_clipping_keeps_direction_and_value_clipping_does_not():
    g = np.array([10.0, -2.0])
    by_norm, by_value = P.clip_by_norm(g, 1.0), P.clip_by_value(g, 1.0)
    assert np.isclose(np.linalg.norm(by_norm), 1.0)
    assert np.isclose(by_norm @ g / (np.linalg.norm(by_norm) * np.linalg.norm(g)), 1.0)
    assert np.array_equal(by_value, [1.0, -1.0])  # now at 45 degrees


def test_clip_by_global_norm_uses_one_factor():
    a, b = np.array([3.0, 0.0]), np.array([[0.0], [4.0]])  # joint norm 5
    ca, cb = P.clip_by_global_norm([a, b], 2.5)
    assert np.allclose(ca, a / 2) and np.allclose(cb, b / 2)
    same = P.clip_by_global_norm([a, b], 6.0)
    assert np.allclose(same[0], a) and np.allclose(same[1], b)


@pytest.mark.parametrize("threshold", [0.5, 2.0, 50.0])
def test_agrees_with_keras_optimizer_options(threshold):
    g = np.array([[3.0, -4.0, 0.25], [1.5, -0.1, 2.0]])
    assert np.allclose(P.keras_sgd_step([g], threshold, "clipvalue")[0], P.clip_by_value(g, threshold), atol=1e-6)
    assert np.allclose(P.keras_sgd_step([g], threshold, "clipnorm")[0], P.clip_by_norm(g, threshold), atol=1e-5)
    parts = [g, np.array([7.0, -1.0])]
    for ours, theirs in zip(P.clip_by_global_norm(parts, threshold),
                            P.keras_sgd_step(parts, threshold, "global_clipnorm")):
        assert np.allclose(theirs, ours, atol=1e-5)


def test_gradient_norm_of_a_single_zero_layer_matches_hand_computation():
    model = P.deep_mlp(inputs=2, depth=0, width=4, activation="relu", init="glorot_uniform", classes=3)
    model.layers[-1].set_weights([np.zeros((2, 3)), np.zeros(3)])
    x = np.array([[1.0, 2.0], [-1.0, 0.5]], dtype="float32")
    y = np.array([0, 2])
    # Zero logits: softmax is 1/3 everywhere, so dL/dW = x^T (p - onehot) / N.
    p_minus_t = np.full((2, 3), 1 / 3) - np.eye(3)[y]
    expected = np.linalg.norm(x.T @ p_minus_t / 2)
    norms = P.layer_gradient_norms(model, x, y)
    assert norms.shape == (1,)
    assert np.isclose(norms[0], expected, rtol=1e-5)


def test_gradient_norms_one_per_dense_layer_and_their_trends():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 5)).astype("float32"), rng.integers(0, 10, 16)
    norms = {}
    for label, (activation, init) in P.INIT_SETTINGS.items():
        keras.utils.set_random_seed(1)
        norms[label] = P.layer_gradient_norms(P.deep_mlp(5, 6, 8, activation, init, seed=1), x, y)
    assert all(n.shape == (7,) for n in norms.values())
    assert norms["sigmoid, Glorot"][0] < norms["sigmoid, Glorot"][-1]  # vanishes toward the input
    assert norms["ReLU, N(0, 1)"].min() > norms["ReLU, He"].max()


def test_cliff_gradient_matches_finite_differences():
    h = 1e-6
    for x, y in [(-3.0, 1.5), (1.0, 0.0), (1.2, 0.3)]:
        numeric = [(P.cliff_loss(x + h, y) - P.cliff_loss(x - h, y)) / (2 * h),
                   (P.cliff_loss(x, y + h) - P.cliff_loss(x, y - h)) / (2 * h)]
        assert np.allclose(P.cliff_gradient(x, y), numeric, rtol=1e-4, atol=1e-6)


def test_clipped_descent_bounds_every_step():
    for clip, bound in ((P.clip_by_norm, 1.0), (P.clip_by_value, np.sqrt(2))):
        path = P.descend((-3.0, 1.5), 40, 1.0, clip, 1.0)
        assert path.shape == (41, 2)
        assert np.max(np.linalg.norm(np.diff(path, axis=0), axis=1)) <= bound + 1e-9
    free = P.descend((-3.0, 1.5), 40, 1.0)
    assert np.max(np.linalg.norm(np.diff(free, axis=0), axis=1)) > 2  # the cliff throws the unclipped point


def test_penalties_written_out_match_keras_regularizers():
    w = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert np.isclose(P.l1_penalty([w], 0.1), 0.6) and np.isclose(P.l2_penalty([w], 0.1), 1.4)
    model = P.classifier(6, 5, keras.regularizers.L1(0.01), seed=3)
    kernels = [model.get_layer(n).kernel.numpy() for n in ("hidden", "out")]
    assert np.isclose(float(sum(model.losses)), P.l1_penalty(kernels, 0.01), rtol=1e-5)
    model = P.classifier(6, 5, keras.regularizers.L2(0.01), seed=3)
    kernels = [model.get_layer(n).kernel.numpy() for n in ("hidden", "out")]
    assert np.isclose(float(sum(model.losses)), P.l2_penalty(kernels, 0.01), rtol=1e-5)


def test_symmetry_measures_on_constructed_kernels():
    same = np.tile(np.array([[0.3], [-1.0], [2.0]]), (1, 5))
    assert P.unit_spread(same) == 0.0
    assert P.numerical_rank(same) == 1
    different = same.copy()
    different[1, 3] += 0.25
    assert np.isclose(P.unit_spread(different), 0.25)
    assert P.numerical_rank(different) == 2
    assert P.numerical_rank(np.zeros((3, 4))) == 0


def test_near_zero_fraction():
    assert P.near_zero_fraction([0.0, 1e-4, -5e-4, 0.1], 1e-3) == 0.75


def test_constant_start_stays_symmetric_after_training():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 10, 64)
    keras.utils.set_random_seed(0)
    model = P.classifier(6, 5, None, "tanh", keras.initializers.Constant(0.05))
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    kernel = model.get_layer("hidden").kernel.numpy()
    assert P.unit_spread(kernel) < 1e-6
    assert P.numerical_rank(kernel) == 1
    assert np.ptp(kernel) > 0  # it did learn something, just the same thing in every unit


def test_layer_gradients_keep_what_float32_made_of_them():
    """Very deep: the sigmoid's gradients underflow to exact zeros near the input, ReLU with N(0, 1) weights
    overflows to inf/nan, He's scale stays finite and non-zero; the norms are those of the same arrays."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(size=(32, 64)).astype("float32"), rng.integers(0, 10, 32)
    found = {}
    for label in ("sigmoid, Glorot", "ReLU, He", "ReLU, N(0, 1)"):
        keras.utils.set_random_seed(2)
        model = P.deep_mlp(64, 60, 64, *P.INIT_SETTINGS[label], seed=2)
        found[label] = P.layer_gradients(model, x, y)
        assert len(found[label]) == 61 and all(g.dtype == np.float32 for g in found[label])
    assert not found["sigmoid, Glorot"][0].any() and found["sigmoid, Glorot"][-1].any()
    assert not any(np.isfinite(g).all() for g in found["ReLU, N(0, 1)"])
    assert all(np.isfinite(g).all() and g.any() for g in found["ReLU, He"])
    model = P.deep_mlp(64, 3, 8, "tanh", "glorot_uniform", seed=2)
    by_hand = [np.linalg.norm(g.astype("float64")) for g in P.layer_gradients(model, x, y)]
    assert np.allclose(P.layer_gradient_norms(model, x, y), by_hand)


def test_zero_start_never_moves_the_kernels():
    """All weights zero with tanh: hidden outputs are 0 and the outgoing weights are 0, so no kernel gets a
    gradient; only the output biases learn, and every input gets the same class."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 10, 64)
    keras.utils.set_random_seed(0)
    model = P.classifier(6, 5, None, "tanh", keras.initializers.Zeros())
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert not model.get_layer("hidden").kernel.numpy().any() and not model.get_layer("out").kernel.numpy().any()
    assert model.get_layer("out").bias.numpy().any()
    assert len(np.unique(model.predict(x, verbose=0).argmax(axis=1))) == 1
