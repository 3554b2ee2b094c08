"""plaingrad's benchmark: plaingrad, micrograd 0.1.0 and hand-written floats, side by side.

    python bench/run.py                 # the full run (a few minutes)
    python bench/run.py --quick         # small sizes, two rounds: a smoke run
    python bench/run.py --json out.json # also write every measurement as JSON

Every measurement runs in a fresh subprocess per engine. Engines take turns in rotating
order (A B C, B C A, C A B, ...) so that a slow moment of the machine hits all of them;
each ratio is taken within one round, and the table shows medians over the rounds.
See bench/README.md for what each workload measures.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the checkout being measured, installed or not
from autograd.files import atomic_write  # noqa: E402

# One variant = (row name, engine worker, workload, micrograd's recursion limit or 0 = default)
FULL = {
    "rounds": 5,
    "groups": [
        {"title": "demo step: MLP(2, [16, 16, 1]), 100 two-moons samples, SVM loss + L2",
         "workload": "demo", "size": 100, "min_seconds": 1.0, "check": "loss"},
        {"title": "deep chain x -> x*1.0001 + 0.0, 10,000 steps, forward + backward",
         "workload": "chain", "size": 10_000, "min_seconds": 0.5, "check": "chain",
         "micrograd_limit": 50_000},
        {"title": "deep chain x -> x*1.0001 + 0.0, 1,000,000 steps, forward + backward",
         "workload": "chain", "size": 1_000_000, "min_seconds": 0.0, "check": "chain",
         "rounds": 3},
        {"title": "wide sum of 100,000 products w_i*x_i, forward + backward",
         "workload": "wide", "size": 100_000, "min_seconds": 0.5, "check": "wide",
         "micrograd_limit": 250_000},
    ],
    "memory_size": 100_000,
    "train_rounds": 3,
    # `plaingrad train --dataset digits` with its defaults: MLP(64, [32, 10]), 5 epochs
    "digits_rounds": 3,
    "digits_options": [],
}
QUICK = {
    "rounds": 2,
    "groups": [
        {"title": "demo step: MLP(2, [16, 16, 1]), 20 two-moons samples, SVM loss + L2",
         "workload": "demo", "size": 20, "min_seconds": 0.05, "check": "loss"},
        {"title": "deep chain x -> x*1.0001 + 0.0, 2,000 steps, forward + backward",
         "workload": "chain", "size": 2_000, "min_seconds": 0.05, "check": "chain",
         "micrograd_limit": 10_000},
        {"title": "deep chain x -> x*1.0001 + 0.0, 20,000 steps, forward + backward",
         "workload": "chain", "size": 20_000, "min_seconds": 0.0, "check": "chain"},
        {"title": "wide sum of 5,000 products w_i*x_i, forward + backward",
         "workload": "wide", "size": 5_000, "min_seconds": 0.05, "check": "wide",
         "micrograd_limit": 20_000},
    ],
    "memory_size": 2_000,
    "train_rounds": 1,
    "digits_rounds": 1,
    "digits_options": ["--epochs", "1"],  # a smoke run: one epoch, not the defaults
}


SECTIONS = ("demo", "chain", "wide", "memory", "train", "digits")


def variants(group):
    """The rows of a group: (row name, engine, workload, recursion limit)."""
    w = group["workload"]
    rows = [("plaingrad", "plaingrad", w, 0)]
    if w == "chain":
        rows.append(("plaingrad, gc off", "plaingrad", "chain_gc_off", 0))
    if w == "wide":
        rows = [("plaingrad, binary +", "plaingrad", "wide", 0),
                ("plaingrad, binary +, gc off", "plaingrad", "wide_gc_off", 0),
                ("plaingrad, total()", "plaingrad", "wide_total", 0),
                ("plaingrad, dot()", "plaingrad", "wide_dot", 0)]
    return rows + [("micrograd 0.1.0", "micrograd", w, group.get("micrograd_limit", 0)),
                   ("plain floats", "floats", w, 0)]


def run_worker(engine, workload, size, min_seconds, limit=0):
    """Run one measurement in a fresh process; returns the worker's JSON result."""
    command = [sys.executable, str(HERE / f"worker_{engine}.py"), workload, str(size),
               str(min_seconds), str(limit)]
    # The checkout's packages come first, installed or not.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        reason = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return {"error": reason}
    return json.loads(lines[-1])


class CheckFailed(Exception):
    """Engines disagree on the numbers: the benchmark would compare different work."""


def check_agreement(group, results):
    """Every engine that ran must compute the same numbers (the step-0 loss to ~1e-12)."""
    keys = {"loss": [("loss0", 1e-12), ("loss1", 1e-9)],
            "chain": [("value", 1e-12), ("grad", 1e-12)],
            "wide": [("value", 1e-9), ("grad_w0", 1e-12)]}[group["check"]]
    ok = {name: r for name, r in results.items() if "error" not in r}
    if not ok:
        raise CheckFailed(f"{group['title']}: no engine ran: {results}")
    for key, tol in keys:
        values = {name: r[key] for name, r in ok.items()}
        low, high = min(values.values()), max(values.values())
        if high - low > tol * max(1.0, abs(high)):
            raise CheckFailed(f"{group['title']}: engines disagree on {key} "
                              f"(tolerance {tol:g}): {values}")


def run_group(group, rounds, log=print):
    """Measure one workload on every engine in rotating order; returns the table rows."""
    rows = variants(group)
    times = {name: [] for name, *_ in rows}
    extras, errors = {}, {}
    for r in range(rounds):
        order = rows[r % len(rows):] + rows[:r % len(rows)]
        results = {}
        for name, engine, workload, limit in order:
            if name in errors:
                continue  # a failure (e.g. RecursionError) is deterministic: not retried
            result = run_worker(engine, workload, group["size"], group["min_seconds"], limit)
            results[name] = result
            if "error" in result:
                errors[name] = result["error"]
            else:
                times[name].append(statistics.median(result["times"]))
                extras[name] = result
        if r == 0:
            check_agreement(group, results)
        log(f"  round {r + 1}/{rounds} done")
    table = []
    for name, engine, _, limit in rows:
        row = {"engine": name, "times": times[name], "nodes": extras.get(name, {}).get("nodes")}
        if name in errors:
            row["error"] = errors[name]
        else:
            row["seconds"] = statistics.median(times[name])
            row["vs_micrograd"] = _ratio(times["micrograd 0.1.0"], times[name])
            row["vs_floats"] = _ratio(times[name], times["plain floats"])
        if engine == "micrograd" and limit:
            row["note"] = f"needs sys.setrecursionlimit({limit:,})"
        if engine == "micrograd" and not limit and name in errors:
            row["note"] = "default recursion limit"
        table.append(row)
    return table


def _ratio(numerators, denominators):
    """Median over rounds of numerator / denominator, both measured in the same round."""
    pairs = [a / b for a, b in zip(numerators, denominators)]
    return statistics.median(pairs) if pairs else None


def run_memory(size):
    """Bytes per node of the chain graph, and whether it is freed with the cyclic GC off."""
    table = []
    for name, engine in (("plaingrad", "plaingrad"), ("micrograd 0.1.0", "micrograd")):
        result = run_worker(engine, "memory", size, 0)
        row = {"engine": name, **result}
        if "freed" in result:
            row["note"] = ("freed by refcounting alone" if result["freed"]
                           else "NOT freed with gc disabled (reference cycles)")
        table.append(row)
    return table


def run_train(rounds, options=(), engine="plaingrad train"):
    """Time of a `plaingrad train` run (`python -m plaingrad train [options] --out <tmp>`).

    seconds = CPU time of the process and its children (Graphviz), like the other rows;
    the wall time, which includes waiting for a core on a busy machine, and the test
    accuracy the run printed are in the note.
    """
    probe = subprocess.run([sys.executable, "-m", "plaingrad", "train", "--help"],
                           capture_output=True, text=True, cwd=ROOT)
    if probe.returncode != 0:
        return [{"engine": engine, "note": "skipped: `python -m plaingrad train` is not "
                 "available yet"}]
    cpu_times, wall_times, accuracies = [], [], []
    for _ in range(rounds):
        out = tempfile.mkdtemp(prefix="plaingrad-bench-")
        try:
            cpu, start = _children_cpu(), time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "plaingrad", "train", *options,
                                   "--out", out], capture_output=True, text=True, cwd=ROOT)
            wall_times.append(time.perf_counter() - start)
            cpu_times.append(_children_cpu() - cpu)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        if proc.returncode != 0:
            reason = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
            return [{"engine": engine, "error": reason}]
        found = re.findall(r"test accuracy ([0-9.]+)%", proc.stdout)
        accuracies.append(float(found[-1]) / 100 if found else None)
    wall = statistics.median(wall_times)
    accuracy = f", test accuracy {accuracies[-1]:.1%}" if accuracies[-1] is not None else ""
    return [{"engine": engine, "seconds": statistics.median(cpu_times),
             "times": cpu_times, "wall_times": wall_times, "test_accuracies": accuracies,
             "note": f"whole process, startup and pictures included; wall {wall:.2f} s"
                     f"{accuracy}"}]


def _children_cpu():
    """User + system CPU seconds of all finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine():
    """CPU model, core count and Python version, for the table's header."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        micrograd = importlib.metadata.version("micrograd")
    except importlib.metadata.PackageNotFoundError:
        micrograd = "not installed"
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "system": platform.platform(),
            "micrograd": micrograd, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def format_table(info, sections):
    """The report as aligned text."""
    lines = [f"machine: {info['cpu']}, {info['cores']} cores; {info['implementation']} "
             f"{info['python']} on {info['system']}; micrograd {info['micrograd']}; "
             f"{info['date']}",
             "seconds = CPU time of one run in its own process, median over rounds; "
             "x micrograd = times faster than micrograd;",
             "x floats = times slower than hand-written floats (ratios taken within each round, "
             "then the median)", ""]
    header = (f"{'':28}{'seconds':>11}{'x micrograd':>13}{'x floats':>10}{'nodes':>11}"
              f"{'bytes/node':>12}  note")
    for title, rows in sections:
        lines += [title, header]
        for row in rows:
            if "error" in row:
                cells = f"{'fails: ' + row['error']:>34}"
            else:
                cells = (_cell(row.get("seconds"), 11, ".4g") + _cell(row.get("vs_micrograd"), 13,
                         ".1f") + _cell(row.get("vs_floats"), 10, ".1f"))
            cells += _cell(row.get("nodes"), 11, ",") + _cell(row.get("bytes_per_node"), 12, ".0f")
            lines.append(f"  {row['engine']:26}{cells}  {row.get('note', '')}".rstrip())
        lines.append("")
    return "\n".join(lines)


def _cell(value, width, spec):
    return f"{'-' if value is None else format(value, spec):>{width}}"


def write_json(path, data):
    """Write JSON atomically: a temp file in the same folder, then os.replace."""
    atomic_write(path, json.dumps(data, indent=2) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and two rounds")
    parser.add_argument("--rounds", type=int,
                        help="rounds per workload (default 5, 3 for the long chain; quick 2)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--no-train", action="store_true",
                        help="skip timing the `plaingrad train` runs (train and digits)")
    parser.add_argument("--only", metavar="NAMES",
                        help=f"comma-separated subset of: {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    only = set(SECTIONS) if args.only is None else set(args.only.split(","))
    if not only or only - set(SECTIONS):
        parser.error(f"--only: choose from {', '.join(SECTIONS)}, got {args.only!r}")
    if args.no_train:
        only -= {"train", "digits"}
    if args.json and not Path(args.json).resolve().parent.is_dir():
        parser.error(f"--json: folder {Path(args.json).resolve().parent} does not exist")
    config = QUICK if args.quick else FULL
    rounds = args.rounds or config["rounds"]
    info = machine()
    sections = []
    try:
        for group in config["groups"]:
            if group["workload"] not in only:
                continue
            print(f"{group['title']} ...", file=sys.stderr)
            log = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
            group_rounds = args.rounds or group.get("rounds", rounds)
            sections.append((group["title"], run_group(group, group_rounds, log)))
    except CheckFailed as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        return 1
    if "memory" in only:
        size = config["memory_size"]
        print("memory ...", file=sys.stderr)
        sections.append((f"memory: chain graph of {size:,} steps, tracemalloc; freed with "
                         "gc.disable()? (weakref)", run_memory(size)))
    if "train" in only:
        print("plaingrad train ...", file=sys.stderr)
        sections.append(("the default `plaingrad train` run "
                         "(python -m plaingrad train --out <tmp>), "
                         "CPU seconds",
                         run_train(config["train_rounds"])))
    if "digits" in only:
        options = config.get("digits_options", [])
        print("plaingrad train --dataset digits ...", file=sys.stderr)
        sections.append((f"`plaingrad train --dataset digits{''.join(' ' + o for o in options)}`"
                         + ("" if options else " with its defaults")
                         + " (MLP(64, [32, 10]), cross-entropy, 1,437 training images), "
                         "CPU seconds",
                         run_train(config.get("digits_rounds", 1),
                                   ["--dataset", "digits", *options], "digits")))
    print(format_table(info, sections))
    if args.json:
        write_json(args.json, {"machine": info, "quick": args.quick, "rounds": rounds,
                               "sections": [{"title": t, "rows": r} for t, r in sections]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
