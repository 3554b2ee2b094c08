"""Versions of plaingrad side by side on one workload: what did a change buy?

    python bench/compare.py chain 10000 fbd9a2c HEAD        # two commits
    python bench/compare.py wide_total 100000 HEAD~3 HEAD . --rounds 5   # "." = working tree

Each version's `autograd/` and `nn/` are copied into a temporary folder (`git archive` for a
commit), and the benchmark's own worker, `worker_plaingrad.py` of this checkout, runs the
workload with that folder first on PYTHONPATH: one subprocess per version and round, the
versions taking turns in rotating order. The table gives each version's median and minimum
CPU time over all its timed repeats, and its median as a fraction of the first version's.

Workloads are the worker's: demo, chain, wide, wide_total, wide_dot, chain_gc_off,
wide_gc_off (sizes as in run.py: demo 100, chain 10000, wide* 100000).
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGES = ("autograd", "nn")
# The timed workloads of worker_plaingrad.py ("memory" reports bytes, not times).
WORKLOADS = ("demo", "chain", "wide", "wide_total", "wide_dot", "chain_gc_off", "wide_gc_off")


def export(version, folder):
    """Put `version`'s packages into `folder`: "." is the working tree, anything else a commit."""
    if version == ".":
        for package in PACKAGES:
            shutil.copytree(ROOT / package, folder / package,
                            ignore=shutil.ignore_patterns("__pycache__"))
        return
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", version,
                              *PACKAGES], capture_output=True)
    if archive.returncode != 0:
        sys.exit(f"compare.py: git archive {version}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        # Our own repository's files; the "data" filter (Python 3.10.12+) also refuses
        # links and paths that would leave the folder.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(folder, **safe)


def run_once(version, folder, workload, size, min_seconds):
    env = dict(os.environ, PYTHONPATH=str(folder))
    done = subprocess.run([sys.executable, str(HERE / "worker_plaingrad.py"), workload,
                           str(size), str(min_seconds)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"compare.py: the worker failed on {version}:\n{done.stderr.strip()}")
    result = json.loads(done.stdout.splitlines()[-1])
    if "error" in result:
        sys.exit(f"compare.py: {workload} on {version}: {result['error']}")
    return result["times"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workload", choices=WORKLOADS)
    parser.add_argument("size", type=int)
    parser.add_argument("versions", nargs="+", help='commits, or "." for the working tree')
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--min-seconds", type=float, default=0.6,
                        help="how long each worker repeats the workload (default 0.6)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.size < 1:
        parser.error("--rounds and size must be at least 1")

    with tempfile.TemporaryDirectory(prefix="plaingrad-compare-") as tmp:
        folders = []
        for i, version in enumerate(args.versions):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            export(version, folder)
            folders.append(folder)
        times = [[] for _ in folders]
        n = len(folders)
        for r in range(args.rounds):
            for i in [(r + k) % n for k in range(n)]:  # round r starts with version r mod n
                times[i] += run_once(args.versions[i], folders[i], args.workload, args.size,
                                     args.min_seconds)
            print(f"  round {r + 1}/{args.rounds} done", file=sys.stderr)

    first = statistics.median(times[0])
    rounds = f"{args.rounds} interleaved round{'s' if args.rounds > 1 else ''}"
    print(f"{args.workload} {args.size:,}: CPU ms per run, {rounds}")
    print(f"  {'version':<24}{'median':>10}{'min':>10}{'of first':>10}")
    for version, ts in zip(args.versions, times):
        median = statistics.median(ts)
        print(f"  {version:<24}{median * 1e3:>10.2f}{min(ts) * 1e3:>10.2f}"
              f"{median / first:>10.3f}")


if __name__ == "__main__":
    main()
