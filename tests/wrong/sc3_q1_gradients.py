"""Wrong versions of SC3 Q1's exercises (notebooks/sc3/q1_gradients.md)."""

PAGE = "sc3/q1_gradients"

WRONG = {
    "layer_gradients": {
        # the biases' gradients come along: one norm too many per layer
        "all trainable weights, biases too": '''
def layer_gradients(model, x, y):
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=False))
    return [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]
''',
        # the summed cross-entropy: every gradient N times too large
        "sum instead of mean cross-entropy": '''
def layer_gradients(model, x, y):
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=False))
    return [g.numpy() for g in tape.gradient(loss, kernels)]
''',
        # output layer first: the page's "layer 1 = input side" reads the curve backwards
        "output side first": '''
def layer_gradients(model, x, y):
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=False))
    return [g.numpy() for g in tape.gradient(loss, kernels)][::-1]
''',
    },
    "layer_gradient_norms": {
        # right on small gradients; the squares of entries above ~1.8e19 overflow float32 to inf
        "norm taken in float32": '''
def layer_gradient_norms(model, x, y):
    return np.array([np.linalg.norm(g) for g in layer_gradients(model, x, y)])
''',
        "missing square root": '''
def layer_gradient_norms(model, x, y):
    return np.array([np.sum(g.astype("float64") ** 2) for g in layer_gradients(model, x, y)])
''',
        "L1 norm instead of L2": '''
def layer_gradient_norms(model, x, y):
    return np.array([np.abs(g.astype("float64")).sum() for g in layer_gradients(model, x, y)])
''',
        # one norm per input row instead of one per kernel
        "wrong axis": '''
def layer_gradient_norms(model, x, y):
    return np.array([np.linalg.norm(g.astype("float64"), axis=1) for g in layer_gradients(model, x, y)])
''',
    },
    "clip_by_value": {
        "clamps only the upper end": '''
def clip_by_value(g, c):
    return np.minimum(np.asarray(g, dtype=float), c)
''',
        # clipping by norm where value was asked (here: by the largest component)
        "rescales by the largest component": '''
def clip_by_value(g, c):
    g = np.asarray(g, dtype=float)
    top = np.abs(g).max()
    return g * (c / top) if top > c else g
''',
    },
    "clip_by_norm": {
        "clipping by value where norm was asked": '''
def clip_by_norm(g, c):
    return np.clip(np.asarray(g, dtype=float), -c, c)
''',
        "always rescaled to norm c": '''
def clip_by_norm(g, c):
    g = np.asarray(g, dtype=float)
    return g * (c / np.linalg.norm(g))
''',
        "L1 norm instead of L2": '''
def clip_by_norm(g, c):
    g = np.asarray(g, dtype=float)
    norm = np.abs(g).sum()
    return g * (c / norm) if norm > c else g
''',
        # each row of a matrix clipped on its own: right for vectors, wrong for a weight matrix
        "wrong axis: one norm per row": '''
def clip_by_norm(g, c):
    g = np.asarray(g, dtype=float)
    norm = np.linalg.norm(g, axis=-1, keepdims=True)
    return np.where(norm > c, g * (c / norm), g)
''',
    },
    "clip_by_global_norm": {
        "each tensor clipped by its own norm": '''
def clip_by_global_norm(gs, c):
    out = []
    for g in gs:
        g = np.asarray(g, dtype=float)
        norm = np.linalg.norm(g)
        out.append(g * (c / norm) if norm > c else g)
    return out
''',
        "missing square root": '''
def clip_by_global_norm(gs, c):
    gs = [np.asarray(g, dtype=float) for g in gs]
    norm = sum(np.sum(g ** 2) for g in gs)
    return [g * (c / norm) if norm > c else g for g in gs]
''',
    },
    "sigmoid": {
        # the logistic function is 0.5 (1 + tanh(z / 2)); tanh(z) makes the wall twice as steep
        "tanh(z) instead of tanh(z / 2)": '''
def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(z))
''',
        "1 - sigmoid": '''
def sigmoid(z):
    return 0.5 * (1.0 - np.tanh(0.5 * z))
''',
    },
    "cliff_loss": {
        "bowl's w1 factor 0.2 instead of 0.1": '''
def cliff_loss(w1, w2):
    bowl = 0.2 * (w1 - CENTRE[0]) ** 2 + 0.5 * (w2 - CENTRE[1]) ** 2
    return bowl + HEIGHT * sigmoid(SHARPNESS * (w1 - AT - TILT * w2))
''',
        "wall not tilted": '''
def cliff_loss(w1, w2):
    bowl = 0.1 * (w1 - CENTRE[0]) ** 2 + 0.5 * (w2 - CENTRE[1]) ** 2
    return bowl + HEIGHT * sigmoid(SHARPNESS * (w1 - AT))
''',
    },
    "cliff_gradient": {
        "wrong sign of the wall's w2 component": '''
def cliff_gradient(w1, w2):
    s = sigmoid(SHARPNESS * (w1 - AT - TILT * w2))
    wall = HEIGHT * SHARPNESS * s * (1.0 - s)
    return np.array([0.2 * (w1 - CENTRE[0]) + wall, (w2 - CENTRE[1]) + TILT * wall])
''',
        "bowl's derivative without the factor 2": '''
def cliff_gradient(w1, w2):
    s = sigmoid(SHARPNESS * (w1 - AT - TILT * w2))
    wall = HEIGHT * SHARPNESS * s * (1.0 - s)
    return np.array([0.1 * (w1 - CENTRE[0]) + wall, 0.5 * (w2 - CENTRE[1]) - TILT * wall])
''',
    },
    "descend": {
        "clips the step (rate times gradient), not the gradient": '''
def descend(start, steps, rate, clip=None, c=1.0):
    points = [np.asarray(start, dtype=float)]
    for _ in range(steps):
        step = rate * cliff_gradient(*points[-1])
        points.append(points[-1] - (clip(step, c) if clip else step))
    return np.array(points)
''',
        "start point left out": '''
def descend(start, steps, rate, clip=None, c=1.0):
    point, points = np.asarray(start, dtype=float), []
    for _ in range(steps):
        g = cliff_gradient(*point)
        point = point - rate * (clip(g, c) if clip else g)
        points.append(point)
    return np.array(points)
''',
    },
    "unit_spread": {
        # kernel columns are units: the spread across units is along axis 1
        "wrong axis (across inputs)": '''
def unit_spread(kernel):
    k = np.asarray(kernel, dtype=float)
    return float(np.max(k.max(axis=0) - k.min(axis=0)))
''',
        "standard deviation instead of the largest difference": '''
def unit_spread(kernel):
    return float(np.max(np.std(np.asarray(kernel, dtype=float), axis=1)))
''',
    },
    "numerical_rank": {
        # an absolute tolerance: a kernel of small weights looks rank 0
        "absolute instead of relative tolerance": '''
def numerical_rank(kernel, rtol=1e-5):
    s = np.linalg.svd(np.asarray(kernel, dtype=float), compute_uv=False)
    return int(np.sum(s > rtol))
''',
        "counts distinct units": '''
def numerical_rank(kernel, rtol=1e-5):
    return int(len(np.unique(np.round(np.asarray(kernel, dtype=float), 6), axis=1)))
''',
    },
    "l1_penalty": {
        "sum of the weights, without |.|": '''
def l1_penalty(kernels, lam):
    return lam * sum(np.sum(k) for k in kernels)
''',
        "mean instead of sum": '''
def l1_penalty(kernels, lam):
    return lam * sum(np.mean(np.abs(k)) for k in kernels)
''',
    },
    "l2_penalty": {
        "with a factor 1/2": '''
def l2_penalty(kernels, lam):
    return 0.5 * lam * sum(np.sum(np.square(k)) for k in kernels)
''',
        "the norm, not its square": '''
def l2_penalty(kernels, lam):
    return lam * np.sqrt(sum(np.sum(np.square(k)) for k in kernels))
''',
    },
    "near_zero_fraction": {
        "<= instead of <": '''
def near_zero_fraction(w, threshold):
    return float(np.mean(np.abs(np.asarray(w)) <= threshold))
''',
        "without the magnitude": '''
def near_zero_fraction(w, threshold):
    return float(np.mean(np.asarray(w) < threshold))
''',
        "a count, not a share": '''
def near_zero_fraction(w, threshold):
    return float(np.sum(np.abs(np.asarray(w)) < threshold))
''',
    },
}
