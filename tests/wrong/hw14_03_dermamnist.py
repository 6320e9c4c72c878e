"""Wrong versions of HW14's DermaMNIST exercises (notebooks/hw14/03_dermamnist.md)."""

PAGE = "hw14/03_dermamnist"

_CONV = '''layers.Conv2D(filters, kernel, strides=strides, padding="same", kernel_initializer="he_normal",
                         kernel_regularizer=keras.regularizers.L2(L2), name=f"{name}_conv")'''

_BLOCK = '''
def bottleneck_block(x, mid, out, strides=1, name="block", pre_activate=True):
    y = bn_relu_conv(x, mid, 1, strides, f"{name}_reduce", pre_activate)
    y = bn_relu_conv(y, mid, 3, 1, f"{name}_3x3")
    y = bn_relu_conv(y, out, 1, 1, f"{name}_expand")
    shortcut = x
    if %s:
        shortcut = layers.Conv2D(out, 1, strides=strides, padding="same", kernel_initializer="he_normal",
                                 kernel_regularizer=keras.regularizers.L2(L2), name=f"{name}_projection")(x)
    return layers.Add(name=f"{name}_add")([shortcut, y])
'''

_RESNET = '''
def resnet_bottleneck(input_shape=(28, 28, 3), n_classes=7, stem_filters=16,
                      stages=((16, 64), (64, 128), (128, 256)), blocks_per_stage=1,
                      learning_rate=1e-3, augmentation=None, name=None):
    inputs = keras.Input(shape=input_shape, name="image")
    x = RESCALE
    if augmentation is not None:
        x = augmentation(x)
    x = layers.Conv2D(stem_filters, 3, padding="same", kernel_initializer="he_normal",
                      kernel_regularizer=keras.regularizers.L2(L2), name="stem_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, name="stem_bn")(x)
    x = layers.Activation("relu", name="stem_relu")(x)
    for s, (mid, out) in enumerate(stages):
        for b in range(blocks_per_stage):
            first = s == 0 and b == 0
            x = bottleneck_block(x, mid, out, strides=2 if s > 0 and b == 0 else 1,
                                 name=f"s{s + 1}b{b + 1}", pre_activate=not first)
    x = layers.BatchNormalization(momentum=0.9, name="head_bn")(x)
    HEAD_RELU
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(n_classes, SOFTMAX kernel_initializer="he_normal", name="output")(x)
    model = keras.Model(inputs, outputs, name=name or "resnet11_bottleneck")
    model.compile(optimizer=keras.optimizers.Adam(LR), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model
'''
_RIGHT = {"RESCALE": 'layers.Rescaling(1 / 255, name="rescale")(inputs)',
          "HEAD_RELU": 'x = layers.Activation("relu", name="head_relu")(x)',
          "SOFTMAX": 'activation="softmax",', "LR": "learning_rate"}


def _resnet(**changes):
    source = _RESNET
    for key, value in {**_RIGHT, **changes}.items():
        source = source.replace(key, value)
    return source


_AUGMENTATION = '''
def augmentation(flip="horizontal_and_vertical", rotation=0.05, shift=0.1, seed=0):
    return keras.Sequential([
        layers.RandomFlip(%s, seed=seed),
        layers.RandomRotation(%s, fill_mode="reflect", seed=seed + 1),
        layers.RandomTranslation(shift, shift, fill_mode="reflect", seed=seed + 2),
    ], name="augmentation")
'''

WRONG = {
    "bn_relu_conv": {
        # post-activation: convolution, then batch norm and ReLU (same parameters)
        "ReLU and BN after the convolution": f'''
def bn_relu_conv(x, filters, kernel, strides=1, name="conv", pre_activate=True):
    x = {_CONV}(x)
    if pre_activate:
        x = layers.BatchNormalization(momentum=0.9, name=f"{{name}}_bn")(x)
        x = layers.Activation("relu", name=f"{{name}}_relu")(x)
    return x
''',
        # ReLU before batch norm (same parameters)
        "ReLU before BN": f'''
def bn_relu_conv(x, filters, kernel, strides=1, name="conv", pre_activate=True):
    if pre_activate:
        x = layers.Activation("relu", name=f"{{name}}_relu")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"{{name}}_bn")(x)
    return {_CONV}(x)
''',
        # no batch norm at all
        "missing BatchNorm": f'''
def bn_relu_conv(x, filters, kernel, strides=1, name="conv", pre_activate=True):
    if pre_activate:
        x = layers.Activation("relu", name=f"{{name}}_relu")(x)
    return {_CONV}(x)
''',
    },
    "bottleneck_block": {
        "projection shortcut always": _BLOCK % "True",
        "projection shortcut never": _BLOCK % "False",
        # right for the network's stages (which change the channels whenever they halve the resolution)
        "projection only when the channels change": _BLOCK % "x.shape[-1] != out",
    },
    "resnet_bottleneck": {
        "missing Rescaling(1/255)": _resnet(RESCALE="inputs"),
        "missing softmax": _resnet(SOFTMAX=""),
        "no ReLU in the head": _resnet(HEAD_RELU=""),
        "learning rate ignored": _resnet(LR=""),
    },
    "oversample": {
        # `target` copies added to each rare class instead of `target - n`
        "target copies instead of target - n": '''
def oversample(x, y, target=0, seed=0):
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    target = int(counts.max()) if target <= 0 else int(target)
    index = [np.arange(len(y))]
    for c, n in zip(classes, counts):
        if n < target:
            index.append(rng.choice(np.flatnonzero(y == c), size=target, replace=True))
    index = rng.permutation(np.concatenate(index))
    return x[index], y[index], index
''',
        # a rare class is redrawn to `target`, so some of its originals are lost
        "rare classes redrawn, originals not kept": '''
def oversample(x, y, target=0, seed=0):
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    target = int(counts.max()) if target <= 0 else int(target)
    index = []
    for c, n in zip(classes, counts):
        members = np.flatnonzero(y == c)
        index.append(rng.choice(members, size=target, replace=True) if n < target else members)
    index = rng.permutation(np.concatenate(index))
    return x[index], y[index], index
''',
    },
    "augmentation": {
        # 0.5 of a turn: up to 180 degrees instead of 18
        "rotation factor 0.5": _AUGMENTATION % ("flip", "0.5"),
        # flips left-right only
        "horizontal flips only": _AUGMENTATION % ('"horizontal"', "rotation"),
    },
}
