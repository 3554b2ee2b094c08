"""The benchmark's workloads compute the same numbers on every engine (no timing asserted)."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import common  # noqa: E402
import run  # noqa: E402
import worker_floats  # noqa: E402
import worker_plaingrad  # noqa: E402

pytest.importorskip("micrograd", reason="micrograd 0.1.0 (a dev dependency) is the baseline")
import worker_micrograd  # noqa: E402

WORKERS = {"plaingrad": worker_plaingrad, "micrograd": worker_micrograd, "floats": worker_floats}


def close(a, b, rel):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def test_two_moons_is_deterministic_and_balanced():
    points, labels = common.two_moons(50)
    assert (points, labels) == common.two_moons(50)
    assert len(points) == 50 and labels.count(-1.0) == 25 and labels.count(1.0) == 25
    # the outer moon's first point is (cos 0, sin 0) = (1, 0) plus noise of σ = 0.1
    assert abs(points[0][0] - 1.0) < 0.5 and abs(points[0][1]) < 0.5


def test_demo_step_losses_agree_across_engines():
    results = {name: w.demo(12, 0.0) for name, w in WORKERS.items()}
    # independent truth for step 0: the loss written out directly from the shared weights
    points, labels = common.two_moons(12)
    weights = common.demo_weights()

    def forward(x):
        for k, layer in enumerate(weights):
            z = [b + math.fsum(wi * ai for wi, ai in zip(w, x)) for w, b in layer]
            x = z if k == len(weights) - 1 else [max(zj, 0.0) for zj in z]
        return x[0]

    margins = [max(1.0 - y * forward(x), 0.0) for x, y in zip(points, labels)]
    l2 = math.fsum(p * p for layer in weights for w, b in layer for p in (*w, b))
    expected = math.fsum(margins) / len(margins) + common.DEMO_ALPHA * l2
    for name, result in results.items():
        assert close(result["loss0"], expected, 1e-12), name
        # step 1 follows one SGD step: equal only if every engine's gradient is equal
        assert close(result["loss1"], results["micrograd"]["loss1"], 1e-9), name
    assert results["plaingrad"]["loss1"] != results["plaingrad"]["loss0"]
    # the compiled step: the eager engine's numbers exactly, and a compile time
    compiled = worker_plaingrad.demo_compiled(12, 0.0)
    assert (compiled["loss0"], compiled["loss1"]) == (results["plaingrad"]["loss0"],
                                                      results["plaingrad"]["loss1"])
    assert compiled["compile_seconds"] > 0 and compiled["nodes"] > 337


@pytest.mark.parametrize("size", [1, 200])
def test_chain_agrees_with_the_closed_form(size):
    expected = common.CHAIN_FACTOR ** size  # x_n = 1.0001^n and dx_n/dx_0 = 1.0001^n
    for name, worker in WORKERS.items():
        result = worker.chain(size, 0.0)
        assert close(result["value"], expected, 1e-12), name
        assert close(result["grad"], expected, 1e-12), name
    compiled = worker_plaingrad.chain_compiled(size, 0.0)
    assert close(compiled["value"], expected, 1e-12) and close(compiled["grad"], expected, 1e-12)
    # x, then per step: x*1.0001 and ... + 0.0, with the numbers folded into the ops
    assert worker_plaingrad.chain(size, 0.0)["nodes"] == 2 * size + 1 == compiled["nodes"]
    # x, then per step: 1.0001, x*1.0001, 0.0, ... + 0.0
    assert worker_micrograd.chain(size, 0.0)["nodes"] == 4 * size + 1


@pytest.mark.parametrize("workload", ["wide", "wide_total", "wide_dot", "wide_compiled"])
def test_wide_sum_agrees_with_the_closed_form(workload):
    ws, xs = common.wide_inputs(200)
    expected = math.fsum(w * x for w, x in zip(ws, xs))
    result = getattr(worker_plaingrad, workload)(200, 0.0)
    assert close(result["value"], expected, 1e-12)
    assert result["grad_w0"] == xs[0]  # ∂(Σ w_i·x_i)/∂w_0 = x_0
    for other in (worker_micrograd.wide(200, 0.0), worker_floats.wide(200, 0.0)):
        assert close(other["value"], expected, 1e-12) and other["grad_w0"] == xs[0]


def test_memory_workload_reports_freeing_honestly():
    plain = worker_plaingrad.memory(500, 0.0)
    micro = worker_micrograd.memory(500, 0.0)
    assert plain["freed"] is True      # no reference cycles
    assert micro["freed"] is False     # micrograd's closures refer back to their node
    assert (plain["nodes"], micro["nodes"]) == (1001, 2001)  # micrograd's constants are nodes
    assert 0 < plain["bytes_per_node"] <= 200 < micro["bytes_per_node"]


def test_a_graph_over_max_nodes_is_reported_as_refused(monkeypatch):
    import autograd
    monkeypatch.setattr(sys.modules["autograd.compile"], "MAX_NODES", 100)
    assert autograd.compile  # (the module's MAX_NODES, read at each compile)
    result = worker_plaingrad.chain_compiled(200, 0.0)
    assert result["error"].startswith("refused: the graph has more than 100 nodes")


def test_micrograd_recursion_error_is_reported_not_raised():
    result = run.run_worker("micrograd", "chain", 2_000, 0.0)
    assert result == {"error": "RecursionError"}


def test_disagreeing_engines_fail_loudly():
    group = {"title": "demo", "check": "loss"}
    agree = {"a": {"loss0": 0.5, "loss1": 0.25}, "b": {"loss0": 0.5 + 1e-15, "loss1": 0.25}}
    run.check_agreement(group, agree)
    with pytest.raises(run.CheckFailed, match="loss0"):
        run.check_agreement(group, {**agree, "c": {"loss0": 0.5 + 1e-9, "loss1": 0.25}})


def test_whole_run_at_tiny_sizes_writes_table_and_json(tmp_path, monkeypatch, capsys):
    tiny = {
        "rounds": 2,
        "groups": [
            {"title": "demo", "workload": "demo", "size": 6, "min_seconds": 0.0, "check": "loss"},
            {"title": "chain", "workload": "chain", "size": 50, "min_seconds": 0.0,
             "check": "chain"},
            {"title": "wide", "workload": "wide", "size": 50, "min_seconds": 0.0,
             "check": "wide"},
        ],
        "memory_size": 50,
        "train_rounds": 1,
    }
    monkeypatch.setattr(run, "QUICK", tiny)
    out = tmp_path / "bench.json"
    assert run.main(["--quick", "--no-train", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "Python" in table or "CPython" in table
    data = json.loads(out.read_text())
    assert [s["title"] for s in data["sections"]][:3] == ["demo", "chain", "wide"]
    demo_rows = {r["engine"]: r for r in data["sections"][0]["rows"]}
    assert set(demo_rows) == {"plaingrad", "plaingrad, compiled", "micrograd 0.1.0",
                              "plain floats"}
    compiled = demo_rows["plaingrad, compiled"]
    assert compiled["compile_us_per_node"] > 0 and "a node; paid off after" in compiled["note"]
    for row in demo_rows.values():
        assert len(row["times"]) == 2 and row["seconds"] > 0
    assert demo_rows["micrograd 0.1.0"]["vs_micrograd"] == 1.0
    assert list(tmp_path.iterdir()) == [out]  # the atomic write left no temp file behind


def test_compare_runs_versions_side_by_side(tmp_path):
    # A smoke run of bench/compare.py: the working tree against itself and HEAD, a tiny chain.
    versions = ["."] + (["HEAD"] if (BENCH.parent / ".git").exists() else [])
    done = subprocess.run([sys.executable, str(BENCH / "compare.py"), "chain", "50", *versions,
                           "--rounds", "2", "--min-seconds", "0"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "chain 50: CPU ms per run, 2 interleaved rounds"
    rows = [line.split() for line in lines[2:]]
    assert [row[0] for row in rows] == versions
    assert rows[0][3] == "1.000"  # the first version is the reference
    assert all(float(row[1]) > 0 and float(row[2]) <= float(row[1]) for row in rows)


def test_compare_refuses_an_unknown_commit():
    if not (BENCH.parent / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run([sys.executable, str(BENCH / "compare.py"), "chain", "50",
                           "no-such-commit"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "git archive no-such-commit" in done.stderr


@pytest.mark.parametrize("arguments, message", [
    (["nosuch", "50", "."], "argument workload: invalid choice: 'nosuch'"),
    (["memory", "50", "."], "argument workload: invalid choice: 'memory'"),  # no times
    (["chain", "50", ".", "--rounds", "0"], "--rounds and size must be at least 1"),
    (["chain", "0", "."], "--rounds and size must be at least 1"),
])
def test_compare_refuses_bad_arguments_before_any_work(arguments, message):
    done = subprocess.run([sys.executable, str(BENCH / "compare.py"), *arguments],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr and not done.stdout


def test_the_digits_workload_times_a_train_run_and_reads_its_accuracy(monkeypatch, capsys):
    # A smoke run (one epoch of a small model); the full run is `python bench/run.py`.
    monkeypatch.setitem(run.QUICK, "digits_options", ["--epochs", "1", "--hidden", "4"])
    assert run.main(["--quick", "--only", "digits"]) == 0
    table = capsys.readouterr().out
    assert "plaingrad train --dataset digits --epochs 1 --hidden 4" in table
    accuracy = float(re.search(r"digits .*test accuracy ([0-9.]+)%", table).group(1))
    assert 10.0 < accuracy <= 100.0  # above chance after one epoch
    assert run.main(["--quick", "--only", "digits", "--no-train"]) == 0
    assert "--dataset digits" not in capsys.readouterr().out  # a train run: --no-train skips it


def test_compare_runs_a_version_from_before_the_compiled_programs():
    # The worker imports autograd.compile only for compiled workloads, so the versions a
    # change is measured against (9240b35: the engine before the operation table) still run.
    old = "9240b35"
    known = subprocess.run(["git", "-C", str(BENCH.parent), "cat-file", "-e", f"{old}^{{commit}}"],
                           capture_output=True)
    if known.returncode != 0:
        pytest.skip(f"{old} is not in this clone's history (a shallow clone)")
    done = subprocess.run([sys.executable, str(BENCH / "compare.py"), "chain", "50", old, ".",
                           "--rounds", "1", "--min-seconds", "0"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()[2:]] == [old, "."]
