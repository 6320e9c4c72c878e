"""The Fashion-MNIST CNNs of HW1 (part A), each a small function returning a compiled model."""

from __future__ import annotations

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)


def conv_classifier(
    filters=(32,),
    dense_units: int = 128,
    conv_dropout=None,
    dense_dropout: float | None = None,
    n_classes: int = 10,
    input_shape=INPUT_SHAPE,
    learning_rate: float = 1e-3,
    name: str = "cnn",
) -> keras.Model:
    """Conv blocks (3x3 'same' conv, LeakyReLU(0.1), 2x2 'same' max-pool, optional dropout),
    then Dense + LeakyReLU(0.1), optional dropout and a softmax layer; Adam and
    categorical cross-entropy on one-hot labels, as in report 002."""
    conv_dropout = conv_dropout or (None,) * len(filters)
    if len(conv_dropout) != len(filters):
        raise ValueError(f"conv_dropout has {len(conv_dropout)} rates for {len(filters)} conv blocks")
    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=input_shape))
    for i, (n_filters, rate) in enumerate(zip(filters, conv_dropout), start=1):
        model.add(layers.Conv2D(n_filters, 3, padding="same", name=f"conv{i}"))
        model.add(layers.LeakyReLU(negative_slope=0.1, name=f"leaky{i}"))
        model.add(layers.MaxPooling2D(2, padding="same", name=f"pool{i}"))
        if rate:
            model.add(layers.Dropout(rate, name=f"drop{i}"))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dense(dense_units, name="dense"))
    model.add(layers.LeakyReLU(negative_slope=0.1, name="leaky_dense"))
    if dense_dropout:
        model.add(layers.Dropout(dense_dropout, name="drop_dense"))
    model.add(layers.Dense(n_classes, activation="softmax", name="output"))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def baseline() -> keras.Model:
    """Item 2: one conv block (32 filters) and Dense(128)."""
    return conv_classifier((32,), 128, name="baseline")


def deep_same() -> keras.Model:
    """Item 5a: three conv blocks of 32 filters each and Dense(100)."""
    return conv_classifier((32, 32, 32), 100, name="deep_32_32_32")


def deep_wide() -> keras.Model:
    """Item 5b: three conv blocks of 32/64/128 filters and Dense(128)."""
    return conv_classifier((32, 64, 128), 128, name="deep_32_64_128")


def baseline_dropout() -> keras.Model:
    """Item 6a: the baseline with Dropout(0.25) after pooling and Dropout(0.3) after the dense layer."""
    return conv_classifier((32,), 128, conv_dropout=(0.25,), dense_dropout=0.3, name="baseline_dropout")


def deep_wide_dropout() -> keras.Model:
    """Item 6b: the 32/64/128 model with dropout 0.25/0.25/0.4 after the conv blocks and 0.3 after dense."""
    return conv_classifier((32, 64, 128), 128, conv_dropout=(0.25, 0.25, 0.4), dense_dropout=0.3,
                           name="deep_32_64_128_dropout")


ARCHITECTURES = {
    "baseline": baseline,
    "deep_same": deep_same,
    "deep_wide": deep_wide,
    "baseline_dropout": baseline_dropout,
    "deep_wide_dropout": deep_wide_dropout,
}


def build(name: str) -> keras.Model:
    """One of :data:`ARCHITECTURES` by name, with a clear error for an unknown one."""
    try:
        return ARCHITECTURES[name]()
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; choose one of {', '.join(ARCHITECTURES)}") from None


def tuner_hypermodel(hp) -> keras.Model:
    """Item 7's search space: two unpadded ReLU convs, Dense, softmax; sparse labels."""
    model = keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.Conv2D(hp.Int("conv_1_filter", 32, 128, step=16),
                      hp.Choice("conv_1_kernel", [3, 5]), activation="relu"),
        layers.Conv2D(hp.Int("conv_2_filter", 32, 128, step=16),
                      hp.Choice("conv_2_kernel", [3, 5]), activation="relu"),
        layers.Flatten(),
        layers.Dense(hp.Int("dense_1_units", 32, 128, step=16), activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(
        optimizer=keras.optimizers.Adam(hp.Choice("learning_rate", [1e-2, 1e-3])),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def mlp(units: int = 512, learning_rate: float = 0.01, n_classes: int = 10) -> keras.Model:
    """HW14 B4's baseline: Flatten, one ReLU hidden layer, softmax; Adam; integer labels."""
    model = keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.Flatten(),
        layers.Dense(units, activation="relu"),
        layers.Dense(n_classes, activation="softmax"),
    ], name=f"mlp_{units}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def mlp_hypermodel(hp) -> keras.Model:
    """HW14 B4's search space: hidden units 16..512 (step 16) and five learning rates."""
    return mlp(hp.Int("hidden_units", 16, 512, step=16),
               hp.Choice("learning_rate", [1e-4, 5e-4, 1e-3, 5e-3, 1e-2]))


# HW14 B3: a small pre-activation ResNet with bottleneck blocks for 28x28 RGB images.
RESNET_STAGES = ((16, 64), (64, 128), (128, 256))


def _bn(x, name: str):
    # Momentum 0.9 (PyTorch's 0.1, as in the MedMNIST benchmark's ResNets): the running statistics
    # used at inference follow the weights within a few dozen steps, which short runs need.
    return layers.BatchNormalization(momentum=0.9, name=name)(x)


def _bn_relu_conv(x, filters: int, kernel: int, strides: int, regularizer, name: str, pre_activate: bool = True):
    if pre_activate:
        x = _bn(x, f"{name}_bn")
        x = layers.Activation("relu", name=f"{name}_relu")(x)
    return layers.Conv2D(filters, kernel, strides=strides, padding="same", kernel_initializer="he_normal",
                         kernel_regularizer=regularizer, name=f"{name}_conv")(x)


def bottleneck_block(x, mid: int, out: int, strides: int = 1, regularizer=None, name: str = "block",
                     pre_activate: bool = True):
    """One pre-activation bottleneck block: [BN, ReLU, conv] for a 1x1 reduction to ``mid``
    channels, a 3x3 conv and a 1x1 expansion to ``out``, added to the input; the shortcut is a
    1x1 projection when the shape changes (other channels or a stride), the identity otherwise."""
    y = _bn_relu_conv(x, mid, 1, strides, regularizer, f"{name}_reduce", pre_activate)
    y = _bn_relu_conv(y, mid, 3, 1, regularizer, f"{name}_3x3")
    y = _bn_relu_conv(y, out, 1, 1, regularizer, f"{name}_expand")
    shortcut = x
    if strides != 1 or x.shape[-1] != out:
        shortcut = layers.Conv2D(out, 1, strides=strides, padding="same", kernel_initializer="he_normal",
                                 kernel_regularizer=regularizer, name=f"{name}_projection")(x)
    return layers.Add(name=f"{name}_add")([shortcut, y])


def resnet_bottleneck(
    input_shape=(28, 28, 3),
    n_classes: int = 7,
    stem_filters: int = 16,
    stages=RESNET_STAGES,
    blocks_per_stage: int = 1,
    l2: float = 1e-4,
    learning_rate: float = 1e-3,
    augmentation: keras.Model | None = None,
    name: str | None = None,
) -> keras.Model:
    """A ResNet v2 (pre-activation) with bottleneck blocks; the defaults are "ResNet11 bottleneck"
    of report 000 (about 298k parameters).

    Pixels (uint8 or float, 0-255) are rescaled to [0, 1] inside the model. A 3x3 stem conv with
    BN and ReLU is followed by ``len(stages)`` stages of ``blocks_per_stage`` bottleneck blocks,
    each stage given as ``(mid, out)`` channels; every stage after the first halves the
    resolution. Then BN, ReLU, global average pooling and a softmax layer. Depth: 2 + 3 x stages
    x blocks weight layers. ``augmentation``, a model of Keras preprocessing layers, is applied
    after rescaling (active in training only). Adam, sparse categorical cross-entropy (integer labels).
    """
    regularizer = keras.regularizers.L2(l2) if l2 else None
    depth = 2 + 3 * len(stages) * blocks_per_stage
    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Rescaling(1 / 255, name="rescale")(inputs)
    if augmentation is not None:
        x = augmentation(x)
    x = layers.Conv2D(stem_filters, 3, padding="same", kernel_initializer="he_normal",
                      kernel_regularizer=regularizer, name="stem_conv")(x)
    x = _bn(x, "stem_bn")
    x = layers.Activation("relu", name="stem_relu")(x)
    for s, (mid, out) in enumerate(stages):
        for b in range(blocks_per_stage):
            strides = 2 if s > 0 and b == 0 else 1
            # The stem already ends in BN + ReLU, so the very first block does not repeat them.
            x = bottleneck_block(x, mid, out, strides, regularizer, name=f"s{s + 1}b{b + 1}",
                                 pre_activate=not (s == 0 and b == 0))
    x = _bn(x, "head_bn")
    x = layers.Activation("relu", name="head_relu")(x)
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(n_classes, activation="softmax", kernel_initializer="he_normal", name="output")(x)
    model = keras.Model(inputs, outputs, name=name or f"resnet{depth}_bottleneck")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


# Part C (the seven-question homework): the MNIST CNNs of Q1 and Q7.
MNIST_SHAPE = (28, 28, 1)


def mnist_cnn(n_classes: int = 10, input_shape=MNIST_SHAPE, learning_rate: float = 1e-3) -> keras.Model:
    """Q7's CNN: three 3x3 'same' ReLU convs (32, 64, 64), each followed by 2x2 max-pooling,
    then Dense(128) and softmax; Adam, integer labels; 130,890 parameters on 28x28x1."""
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3"),
        layers.MaxPooling2D(2, name="pool3"),
        layers.Flatten(name="flatten"),
        layers.Dense(128, activation="relu", name="dense"),
        layers.Dense(n_classes, activation="softmax", name="output"),
    ], name="mnist_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def mnist_tuner_cnn(conv_layers: int, filters: int, dense_units, learning_rate: float,
                    n_classes: int = 10, input_shape=MNIST_SHAPE) -> keras.Model:
    """Q1's family: ``conv_layers`` 3x3 ReLU convs with ``filters`` each, a 2x2 max-pool before
    every second one, Dense ReLU layers of ``dense_units``, softmax; Adam, integer labels.

    Convs are unpadded ('valid') as in report 003 while the map is at least 3 pixels wide and
    'same' after that, so five conv layers still fit a 28x28 input.
    """
    model = keras.Sequential(name=f"tuned_cnn_{conv_layers}x{filters}")
    model.add(keras.Input(shape=input_shape))
    size = input_shape[0]
    for i in range(conv_layers):
        if i % 2 == 1:
            model.add(layers.MaxPooling2D(2, name=f"pool{i}"))
            size //= 2
        padding = "valid" if size >= 3 else "same"
        model.add(layers.Conv2D(filters, 3, padding=padding, activation="relu", name=f"conv{i + 1}"))
        size = size - 2 if padding == "valid" else size
    model.add(layers.Flatten(name="flatten"))
    for j, units in enumerate(dense_units, start=1):
        model.add(layers.Dense(units, activation="relu", name=f"dense{j}"))
    model.add(layers.Dense(n_classes, activation="softmax", name="output"))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def mnist_tuner_hypermodel(hp) -> keras.Model:
    """Q1's search space: 1-5 convs sharing one filter count (1-256, step 16), 1-5 dense
    layers of 32-256 units (step 32), learning rate 1e-3, 5e-4 or 1e-4."""
    conv_layers = hp.Int("num_conv_layers", 1, 5)
    filters = hp.Int("conv_filters", 1, 256, step=16)
    dense_layers = hp.Int("num_dense_layers", 1, 5)
    units = [hp.Int(f"dense_{j}_units", 32, 256, step=32) for j in range(dense_layers)]
    return mnist_tuner_cnn(conv_layers, filters, units, hp.Choice("learning_rate", [1e-3, 5e-4, 1e-4]))
