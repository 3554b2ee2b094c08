"""plaingrad.expression_arguments: what plaingrad graph, explain and check share."""

import pytest

from plaingrad.cli import main
from plaingrad.expression import ExpressionError
from plaingrad.expression_arguments import bind, build


def test_build_gives_the_root_and_the_labelled_leaves():
    root, leaves = build("w*x + b", ["x=2", "w=-0.5", "b=0.25"])
    assert root.data == -0.75  # -0.5·2 + 0.25, exact in binary
    assert list(leaves) == ["w", "x", "b"]
    assert [leaf.label for leaf in leaves.values()] == ["w", "x", "b"]
    root.backward()
    assert (leaves["w"].grad, leaves["x"].grad, leaves["b"].grad) == (2.0, -0.5, 1.0)


def test_bind_refuses_missing_and_unused_values():
    expr, leaves = bind("x*x", ["x=3"])
    assert expr.evaluate(leaves).data == 9.0
    with pytest.raises(ExpressionError, match="no value given for x"):
        bind("x*x", [])
    with pytest.raises(ExpressionError, match="y given but not used"):
        bind("x*x", ["x=1", "y=2"])


@pytest.mark.parametrize("command", ["explain", "check"])
@pytest.mark.parametrize("argv", [[" -x*y", "x=1", "y=2"], ["--", "-x*y", "x=1", "y=2"]])
def test_a_leading_minus_works_as_the_help_says(command, argv, capsys):
    # The help: "a space in front (' -x*y') or after --, all options first".
    assert main([command, *argv]) == 0
    out = capsys.readouterr().out
    assert "-x*y = -2" in out or "f = -2" in out  # -(1)·2


def test_every_expression_command_shows_the_same_help(capsys):
    helps = []
    for command in ("graph", "explain", "check"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        helps.append(" ".join(capsys.readouterr().out.split()))
    for text in helps:
        assert "needs a space in front (' -x*y') or to come after --" in text
