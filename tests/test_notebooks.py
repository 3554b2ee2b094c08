"""The course in examples/notebooks: stored clean, and run by nbmake in a real kernel.

Each notebook is itself a test (pytest --nbmake, set in pyproject.toml): it runs top to
bottom in a fresh kernel and asserts what it teaches. Here: what nbmake does not check.
"""

import os
import re
from pathlib import Path

import pytest

pytest.importorskip("nbmake", reason="nbmake is not installed, so the notebooks do not run "
                                     "either (pip install nbmake ipykernel; make test does)")
import nbformat  # noqa: E402  (comes with nbmake)

pytest_plugins = ["pytester"]  # runs pytest on a notebook of its own, in this process

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "examples" / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


def test_the_course_is_numbered_from_one_and_in_the_readme():
    numbers = [int(path.name.split("-")[0]) for path in NOTEBOOKS]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1 and len(numbers) >= 3
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"examples/notebooks/{path.name}" in readme


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_a_notebook_is_stored_valid_and_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"  # the venv's own kernel
    number = int(path.name.split("-")[0])
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith(f"# {number}. ")  # its title
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            # Outputs belong to a run, not to the source: they make diffs unreadable.
            assert cell.outputs == [], f"{path.name}, cell {i}: stored outputs; clear them"
            assert cell.execution_count is None, f"{path.name}, cell {i}: an execution count"
        assert not cell.get("attachments"), f"{path.name}, cell {i}: an attachment"


def write_notebook(path, *sources):
    cells = [nbformat.v4.new_code_cell(source, id=f"cell{i}") for i, source in enumerate(sources)]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(notebook, path)


def test_a_failing_notebook_names_its_cell(pytester):
    write_notebook(pytester.path / "broken.ipynb", "x = 1", "assert x == 2, 'x should be two'")
    result = pytester.runpytest_inprocess("--nbmake", "--nbmake-timeout=60", "broken.ipynb")
    result.assert_outcomes(failed=1)
    out = ANSI.sub("", result.stdout.str())
    assert "assert x == 2, 'x should be two'" in out  # the cell's source
    assert "In[2], line 1" in out and "AssertionError: x should be two" in out


def test_in_a_kernel_a_value_shows_its_graph_and_the_opt_out_works(tmp_path):
    from nbclient import NotebookClient

    path = tmp_path / "inline.ipynb"
    write_notebook(
        path,
        "import viz\nfrom autograd import Value\nx = Value(3.0, label='x')\ny = x * x\ny",
        "viz.GraphPage(y)",
        "viz.inline_graphs(False)\ny",
        "viz.inline_graphs()\ny",
    )
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in notebook.cells]
    assert all(len(out) == 1 and out[0].output_type == "execute_result" for out in outputs)
    drawn, page, text, again = (out[0].data for out in outputs)
    assert set(drawn) == {"image/svg+xml", "text/plain"}
    assert "data 9" in drawn["image/svg+xml"] and drawn["text/plain"].startswith("Value(data=9.0")
    assert page["text/html"].startswith("<iframe srcdoc=")
    assert set(text) == {"text/plain"} and set(again) == set(drawn)


def test_make_notebooks_starts_jupyterlab_from_its_own_extra():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^notebooks: \$\(VENV\)/\.installed-notebooks$", makefile, re.M)
    assert "-e '.[notebooks]'" in makefile and "bin/jupyter lab" in makefile
    train_needs = re.search(r"^train: (.*)$", makefile, re.M).group(1)
    assert "notebooks" not in train_needs
    assert os.path.exists(FOLDER)


def test_the_suite_runs_the_notebooks_with_a_cell_timeout(pytestconfig):
    assert pytestconfig.option.nbmake is True  # set by the root conftest.py
    if not any(a.startswith("--nbmake-timeout") for a in pytestconfig.invocation_params.args):
        assert pytestconfig.option.nbmake_timeout == 60  # seconds a cell, not nbmake's 300
