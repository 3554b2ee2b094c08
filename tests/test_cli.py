"""The `plaingrad` command as a whole: its subcommands and how it ends."""

import argparse
import subprocess
import sys

import pytest

from plaingrad.arguments import positive_int
from plaingrad.cli import main


def run(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "plaingrad", *args], capture_output=True,
                          text=True, timeout=120, **kwargs)


def test_help_lists_every_subcommand():
    done = run("--help")
    assert done.returncode == 0
    for command in ("train", "check", "graph", "explain"):
        assert command in done.stdout


def test_no_subcommand_shows_the_help_with_status_2():
    done = run()
    assert done.returncode == 2
    for command in ("train", "check", "graph", "explain"):
        assert command in done.stdout


def test_version():
    from importlib.metadata import version

    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"plaingrad {version('plaingrad')}"


def test_softplus_is_an_expression_function():
    done = run("explain", "softplus(x)", "x=0")
    assert done.returncode == 0 and "∂/∂x = 0.5" in done.stdout  # σ(0)


def test_reader_going_away_ends_quietly():
    # `plaingrad explain ... | head -1` with a table far larger than a pipe's buffer.
    expression = "+".join(["x"] * 900)  # 1,800 rows, well over 64 KiB
    process = subprocess.Popen([sys.executable, "-m", "plaingrad", "explain", expression, "x=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"step")
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=120) == 1
    assert err == b""


def test_positive_int_counts_from_one_and_says_what_is_wrong():
    assert positive_int("1") == 1 and positive_int(" 42 ") == 42
    with pytest.raises(argparse.ArgumentTypeError, match="must be at least 1, got 0"):
        positive_int("0")
    with pytest.raises(argparse.ArgumentTypeError, match="expected a whole number, got '2.5'"):
        positive_int("2.5")


def test_graph_max_size_uses_the_same_positive_int():
    done = run("graph", "x*x", "x=1", "--max-size", "0", "-o", "unused.dot")
    assert done.returncode == 2 and "argument --max-size: must be at least 1, got 0" in done.stderr


def test_graph_warns_when_overflow_makes_nan_and_still_draws(tmp_path):
    out = tmp_path / "g.dot"
    done = run("graph", "exp(x)*0", "x=1000", "-o", str(out))  # inf · 0 = nan
    assert done.returncode == 1
    assert "exp(x)*0 = nan" in done.stdout
    assert "warning: the value or a gradient is not a finite number" in done.stderr
    assert out.exists()  # the picture shows where the nan arose


def test_explain_warns_when_overflow_makes_nan():
    done = run("explain", "x*1e200*1e200*0", "x=1")
    assert done.returncode == 1
    assert "not a finite number" in done.stderr


def test_finite_results_give_no_warning():
    done = run("explain", "exp(x)*2", "x=1")
    assert done.returncode == 0 and done.stderr == ""


def test_graph_output_under_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "data.csv").write_text("a,label\n")
    done = run("graph", "x", "x=1", "-o", str(tmp_path / "data.csv" / "g.svg"))
    assert done.returncode == 2
    assert "data.csv is a file, not a folder" in done.stderr


def test_one_sample_is_refused_as_an_argument_error():
    done = run("train", "--samples", "1")
    assert done.returncode == 2
    assert "argument --samples: at least 2 points" in done.stderr


# ----- one rule for typed numbers, in every place they are typed (issue 19) -----

@pytest.mark.parametrize("argv, message", [
    (["graph", "x*2", "x=1_000", "-o", "{tmp}/g.dot"], "digit groups (1_000) are not read"),
    (["explain", "x*2", "x=١٢"], "only the digits 0-9 are read"),
    (["explain", "x*1_000", "x=1"], "digit groups (1_000) are not read"),
    (["explain", "x*0x10", "x=1"], "'0x10' is not a number"),
    (["explain", "", "x=1"], "the expression is empty"),
    (["explain", "x*" + "1" * 4301, "x=1"], "a number has more than 4,300 digits"),
])
def test_numbers_and_expressions_are_read_by_one_rule(tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "set_int_max_str_digits" not in err and "invalid syntax" not in err


def test_options_follow_the_same_rule(capsys):
    for value in ("1_0", "١٢"):
        with pytest.raises(SystemExit):
            main(["train", "--epochs", value])
        assert "expected a whole number" in capsys.readouterr().err
