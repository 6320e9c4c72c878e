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
