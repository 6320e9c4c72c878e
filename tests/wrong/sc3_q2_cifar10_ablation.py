"""Wrong versions of the CIFAR-10 ablation's builder (notebooks/sc3/q2_cifar10_ablation.md)."""

PAGE = "sc3/q2_cifar10_ablation"

_BUILD = '''
def build(name, input_shape=(32, 32, 3), n_classes=10):
    s = settings(name)
    x = inputs = keras.Input(input_shape)
    if s["mobilenet"]:
        x = {rescale}
        x = keras.applications.MobileNetV2(input_shape=input_shape, include_top=False,
                                           weights=mobilenet_weights())(x)
    else:
        if s["batch_norm"]:
            x = keras.layers.BatchNormalization()(x)
        for filters, size, padding in s["convs"]:
            x = keras.layers.Conv2D(filters, size, padding=padding)(x)
            x = {activation}
        x = keras.layers.MaxPooling2D(s["pool"])(x)
    x = keras.layers.Flatten()(x)
    if s["dropout"]:
        x = keras.layers.Dropout(s["dropout"])(x)
    outputs = keras.layers.Dense(n_classes{softmax})(x)
    model = keras.Model(inputs, outputs, name=re.sub(r"\\W+", "_", name))
    optimizer = {{"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}}[s["optimizer"]]
    model.compile({optimizer}, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
'''
RIGHT = {"rescale": 'keras.layers.Rescaling(2.0, offset=-1.0)(x)',
         "activation": '(keras.layers.LeakyReLU(negative_slope=0.3) if s["activation"] == "leaky_relu" '
                       'else keras.layers.Activation(s["activation"]))(x)',
         "softmax": ', activation="softmax"', "optimizer": 'optimizer(s["learning_rate"])'}


def _wrong(**changes):
    return _BUILD.format(**{**RIGHT, **changes})


WRONG = {
    "build": {
        # LeakyReLU asked for, ReLU given
        "ReLU in place of LeakyReLU": _wrong(
            activation='(keras.layers.ReLU() if s["activation"] == "leaky_relu" else keras.layers.Activation(s["activation"]))(x)'),
        # Activation("leaky_relu") uses keras.activations.leaky_relu's default slope, 0.2, not 0.3
        "leaky_relu with Keras's default slope 0.2": _wrong(activation='keras.layers.Activation(s["activation"])(x)'),
        # the output layer gives logits, but the loss expects probabilities
        "missing softmax": _wrong(softmax=""),
        # no activation after the convolutions: the hidden layers are linear
        "linear hidden layers": _wrong(activation="x"),
        # MobileNetV2 sees pixels in [0, 1] instead of [-1, 1]
        "missing rescaling for MobileNetV2": _wrong(rescale="x"),
        # the learning rate of the configuration is not passed: Adam's and SGD's defaults
        "learning rate left at the default": _wrong(optimizer="optimizer()"),
    },
}
