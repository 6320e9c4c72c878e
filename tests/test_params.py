"""Parameter parsing and validation, with the messages a user sees."""

import pytest

from hwlib.book import params as P

CELL = '''
profile: str = "quick"  # which profile
epochs: int = 2  # epochs per fold
rate: float = 0.5  # a rate
resume: bool = False  # resume the search
'''


def test_declared_reads_types_defaults_and_help():
    found = P.declared(CELL)
    assert list(found) == ["profile", "epochs", "rate", "resume"]
    assert found["epochs"] == P.Parameter("epochs", "int", 2, "epochs per fold")


def test_unannotated_parameter_is_refused():
    with pytest.raises(P.ParameterError, match="no type annotation"):
        P.declared("epochs = 3\n")


def test_unknown_name_lists_valid_parameters():
    with pytest.raises(P.ParameterError) as err:
        P.resolve(P.declared(CELL), ("--set", {"epoch": "3"}))
    message = str(err.value)
    assert "unknown parameter 'epoch'" in message
    assert "epochs" in message and "int" in message and "epochs per fold" in message


@pytest.mark.parametrize("name, text, expected", [
    ("epochs", "3", 3), ("rate", "1e-3", 0.001), ("resume", "yes", True), ("resume", "False", False),
    ("profile", "full", "full"),
])
def test_command_line_strings_are_converted(name, text, expected):
    values = P.resolve(P.declared(CELL), ("--set", {name: text}))
    assert values[name] == expected and type(values[name]) is type(expected)


@pytest.mark.parametrize("name, value", [("epochs", "three"), ("epochs", "2.5"), ("resume", "maybe")])
def test_bad_strings_are_refused(name, value):
    with pytest.raises(P.ParameterError, match=f"{name}='{value}' is not a valid"):
        P.resolve(P.declared(CELL), ("--set", {name: value}))


def test_profile_values_must_have_the_declared_type():
    with pytest.raises(P.ParameterError, match="expected int"):
        P.resolve(P.declared(CELL), ("profile full", {"epochs": 2.5}))
    with pytest.raises(P.ParameterError, match="expected int"):
        P.resolve(P.declared(CELL), ("profile full", {"epochs": True}))
    assert P.resolve(P.declared(CELL), ("profile full", {"rate": 1}))["rate"] == 1.0


def test_later_layers_win():
    values = P.resolve(P.declared(CELL), ("profile", {"epochs": 10}), ("--set", {"epochs": "4"}))
    assert values["epochs"] == 4 and values["rate"] == 0.5


def test_parse_assignments():
    assert P.parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(P.ParameterError, match="name=value"):
        P.parse_assignments(["epochs"])


# Ranges and choices: the comment of a parameter may start with what it accepts.
RANGED = '''
profile: str = "quick"  # which profile
epochs: int = 2  # [1, 1000] epochs per fold
rate: float = 0.5  # (0, 1] a rate
share: float = 0.2  # [0.05, 0.95) a share
activation: str = "relu"  # {relu, tanh, sigmoid} the activation
data_dir: str = ""  # a folder
resume: bool = False  # resume the search
'''


def test_declared_reads_ranges_and_choices_and_keeps_the_help():
    found = P.declared(RANGED)
    assert found["epochs"] == P.Parameter("epochs", "int", 2, "epochs per fold", P.Range(1, 1000))
    assert found["rate"].accepts == P.Range(0.0, 1.0, low_open=True) and found["rate"].help == "a rate"
    assert found["share"].accepts == P.Range(0.05, 0.95, high_open=True)
    assert found["activation"].accepts == ("relu", "tanh", "sigmoid") and found["activation"].help == "the activation"
    assert found["data_dir"].accepts is None and found["resume"].accepts is None


@pytest.mark.parametrize("allowed, inside, outside", [
    (P.Range(1, 1000), [1, 500, 1000], [0, -3, 1001]),
    (P.Range(0.0, 1.0, low_open=True), [1e-9, 1.0], [0.0, -0.5, 1.5]),
    (P.Range(0.05, 0.95, high_open=True), [0.05, 0.5], [0.04, 0.95]),
])
def test_range_bounds(allowed, inside, outside):
    assert all(v in allowed for v in inside) and not any(v in allowed for v in outside)


@pytest.mark.parametrize("name, value, expected", [
    ("epochs", "0", "epochs=0 (from --set) is outside its range [1, 1000]: give an int from 1 to 1000 (epochs per fold)"),
    ("epochs", "-3", "epochs=-3 (from --set) is outside its range [1, 1000]"),
    ("rate", "0", "rate=0.0 (from --set) is outside its range (0, 1]: give a float greater than 0 and at most 1"),
    ("share", "0.95", "share=0.95 (from --set) is outside its range [0.05, 0.95): give a float at least 0.05 and less than 0.95"),
    ("activation", "elu", "activation='elu' (from --set) is not one of {relu, tanh, sigmoid}: give one of relu, tanh, sigmoid"),
])
def test_values_outside_the_range_are_refused(name, value, expected):
    with pytest.raises(P.ParameterError) as err:
        P.resolve(P.declared(RANGED), ("--set", {name: value}))
    assert str(err.value).startswith(expected)


def test_values_inside_the_range_are_accepted():
    values = P.resolve(P.declared(RANGED), ("--set", {"epochs": "1000", "rate": "1", "activation": "tanh"}))
    assert (values["epochs"], values["rate"], values["activation"]) == (1000, 1.0, "tanh")


def test_profile_values_outside_the_range_are_refused_naming_the_profile():
    with pytest.raises(P.ParameterError, match=r"epochs=5000 \(from profile 'full' in x.md\) is outside its range"):
        P.resolve(P.declared(RANGED), ("profile 'full' in x.md", {"epochs": 5000}))


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_nan_and_inf_are_refused(text):
    with pytest.raises(P.ParameterError, match="is not a finite number: give a float greater than 0 and at most 1"):
        P.resolve(P.declared(RANGED), ("--set", {"rate": text}))
    with pytest.raises(P.ParameterError, match="is not a finite number"):  # also without a range
        P.resolve(P.declared(CELL), ("--set", {"rate": text}))
    with pytest.raises(P.ParameterError, match="is not a finite number"):
        P.resolve(P.declared(CELL), ("profile full", {"rate": float(text)}))


@pytest.mark.parametrize("line, message", [
    ("epochs: int = 0  # [1, 10] epochs", r"epochs=0 \(default in the parameters cell\) is outside its range"),
    ("epochs: int = 2  # [1.5, 10] epochs", "the range bound '1.5' is not an int"),
    ("rate: float = 0.5  # [0, inf] a rate", "the range bound 'inf' must be a finite number"),
    ("rate: float = 0.5  # [1, 0] a rate", r"the range \[1, 0\] holds no value"),
    ("rate: float = 0.5  # (1, 1] a rate", r"the range \(1, 1\] holds no value"),
    ("name: str = 'a'  # [1, 2] a name", "name is a str: only int and float parameters take a range"),
    ("epochs: int = 2  # {1, 2} epochs", "epochs is an int: only str parameters take choices"),
    ("act: str = 'elu'  # {relu, tanh} act", r"act='elu' \(default in the parameters cell\) is not one of"),
    ("act: str = 'relu'  # {relu, } act", "write its choices as"),
    ("epochs: int = 2  # [1 10] epochs", "is not a range like"),
])
def test_bad_ranges_and_defaults_are_refused(line, message):
    with pytest.raises(P.ParameterError, match=message):
        P.declared(line + "\n")


def test_describe_shows_the_ranges():
    table = P.describe(P.declared(RANGED))
    assert "[1, 1000]" in table and "(0, 1]" in table and "{relu, tanh, sigmoid}" in table


def test_set_profile_is_refused_with_the_option_to_use():
    from hwlib.book import runner

    source = runner.resolve_source("hw1/02_baseline_cnn")
    with pytest.raises(runner.RunError, match="--set profile=full does not choose the profile .* --profile full"):
        runner.plan(source, "quick", {"profile": "full"})
    with pytest.raises(runner.RunError, match="run with --profile quick or --profile full"):
        runner.plan(source, "quick", {"profile": "fast"})
    with pytest.raises(runner.RunError, match="sets the parameter 'profile'; remove it"):
        runner.refuse_profile_setting("p", source, "full", {"profile": "quick"}, {})


@pytest.mark.parametrize("assignment, named", [
    ("batch_size=0", "batch_size=0"), ("epochs=-3", "epochs=-3"), ("train_size=99999999", "train_size=99999999"),
    ("folds=1", "folds=1"), ("profile=full", "--profile full"),
])
def test_the_command_refuses_before_any_kernel_starts(assignment, named, monkeypatch, capsys):
    from hwlib.book import cli, runner

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(runner, "execute", no_kernel)
    assert cli.main(["run", "hw1/02_baseline_cnn", "--set", assignment]) == 2
    assert named in capsys.readouterr().err


# A parameters cell the runner cannot read: the line at fault and how to write it (issue 12).
@pytest.mark.parametrize("cell, message", [
    ("n: int = = 2  # [0, 9] n\n", "the parameters cell is not valid Python: invalid syntax in its line 1 "
                                   "`n: int = = 2  # [0, 9] n`; write each parameter as `name: type = value  # [range] help`"),
    ("a: int = 1  # a\nb: float = (2  # b\n", "the parameters cell is not valid Python: '(' was never closed in its line 2"),
    ("seed: int = 6*7  # [0, 99] seed\n", "parameter seed: its default `6*7` is computed, not written out; "
                                          "write the value itself: `seed: int = 42`"),
    ("rate: float = 1/8  # (0, 1] rate\n", "its default `1/8` is computed, not written out; write the value itself: "
                                           "`rate: float = 0.125`"),
    ("n: int = 7/2  # n\n", "its default `7/2` is computed, not written out; write the value itself: `n: int = <value>`"),
    ("folder: str = os.getcwd()  # f\n", "its default `os.getcwd()` is computed, not written out; write the value "
                                         "itself: `folder: str = <value>`"),
    ("big: int = 9**9**9  # b\n", "its default `9**9**9` is computed"),
    ('n: int = "two"  # n\n', "parameter n: its default 'two' is a str, not an int; write an int value, "
                              "or declare it `n: str = 'two'`"),
    ("n: int = 2.5  # n\n", "its default 2.5 is a float, not an int; write an int value, or declare it `n: float = 2.5`"),
    ("flag: bool = 1  # f\n", "its default 1 is an int, not a bool; write a bool value, or declare it `flag: int = 1`"),
    ("n: int = True  # n\n", "its default True is a bool, not an int"),
    ("name: str = None  # n\n", "its default None is a NoneType, not a str; write a str value"),
    ("n: int = [1, 2]  # n\n", r"its default [1, 2] is a list, not an int; write an int value"),
    ("n: int  # n\n", "parameter n has no default; write `n: int = <value>`"),
])
def test_a_cell_the_runner_cannot_read_names_the_line_and_the_fix(cell, message):
    with pytest.raises(P.ParameterError) as err:
        P.declared(cell)
    assert message in str(err.value), str(err.value)


def test_plain_defaults_are_read_as_before():
    found = P.declared("n: int = -3  # [-5, 0] n\nrate: float = 1  # [0, 2] r\nx: float = 1e-3  # x\n")
    assert (found["n"].default, found["rate"].default, found["x"].default) == (-3, 1, 0.001)
