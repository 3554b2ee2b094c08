"""README.md's Python examples run as written and print what their comments say."""

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def run(source):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<README.md>", "exec"), {"__name__": "readme"})  # our own text
    return out.getvalue()


def block(starting_with):
    (found,) = [b for b in BLOCKS if b.startswith(starting_with)]
    return found


def test_the_neuron_prints_the_gradients_in_its_comment():
    out = run(block("from autograd import Value\n\n# Z = W·a + b, ŷ = tanh(Z)"))
    assert out.split("\n")[:5] == ["a1 -1.5", "a2 0.5", "w1 1.0", "w2 0.0", "b 0.5"]


def test_training_from_python_matches_the_command_line_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # it saves runs/model.json
    loss, test_accuracy, accuracy = run(block("import nn\n")).split()
    assert loss.startswith("0.0173") and test_accuracy == accuracy == "1.0"
    assert (tmp_path / "runs" / "model.json").exists()


def test_the_digits_example_passes_95_percent_as_its_comment_says():
    accuracy, *rest = run(block("# Ten classes: the handwritten digits\n")).split(maxsplit=1)
    assert accuracy.startswith("0.9611") and float(accuracy) >= 0.95
    assert rest == ["[2, 8, 7] [2, 8, 7]\n"]


def test_each_python_block_has_a_test_here():
    assert len(BLOCKS) == 5  # a new example in README.md needs a test in this file


def test_the_property_test_example_passes():
    namespace = {}
    # "<README.md>", no file's name: hypothesis would read README.md's lines at the block's
    # line numbers, which are not the block's.
    exec(compile(block("from hypothesis import given"), "<README.md>", "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    assert tests
    for test in tests:
        test()


def test_derivatives_of_derivatives_print_what_their_comments_say():
    source = block("from autograd import Value, grad, gradients, hessian, no_grad")
    printed = [line.split("# ")[1] for line in source.splitlines()
               if line.startswith("print(")]
    assert run(source).splitlines() == printed
