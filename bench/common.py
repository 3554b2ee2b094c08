"""What every benchmark worker shares: the data, the weights, timing and the worker protocol.

Each engine has its own worker script (`worker_plaingrad.py`, `worker_micrograd.py`,
`worker_floats.py`). `run.py` starts one worker process per engine and measurement:

    python bench/worker_<engine>.py WORKLOAD SIZE MIN_SECONDS

The worker runs WORKLOAD at SIZE repeatedly for at least MIN_SECONDS (at least once) and
prints one JSON object on its last line of stdout: {"times": [...], ...extra facts}. An
expected failure (micrograd's recursive sort on a deep graph) is reported as
{"error": "RecursionError"} instead of a crash.
"""

import gc
import json
import math
import random
import sys
import time
import tracemalloc
import weakref

SEED = 1337
DEMO_SIZES = [2, 16, 16, 1]   # micrograd's demo network: MLP(2, [16, 16, 1])
DEMO_SAMPLES = 100
DEMO_ALPHA = 1e-4             # weight of the L2 term of the demo's loss
CHAIN_FACTOR = 1.0001         # the chain workload: x -> x * 1.0001 + 0.0


def two_moons(n, noise=0.1, seed=SEED):
    """n points of two interleaved half circles, labels -1.0 / +1.0 (sklearn-free, deterministic).

    The outer moon is (cos t, sin t), the inner one (1 - cos t, 0.5 - sin t), t in [0, π],
    each point moved by Gaussian noise of standard deviation `noise`.
    """
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    points, labels = [], []
    for i in range(n_outer):
        t = math.pi * i / max(n_outer - 1, 1)
        points.append([math.cos(t), math.sin(t)])
        labels.append(-1.0)
    for i in range(n_inner):
        t = math.pi * i / max(n_inner - 1, 1)
        points.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        labels.append(1.0)
    points = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y in points]
    return points, labels


def demo_weights(sizes=DEMO_SIZES, seed=SEED):
    """Initial weights shared by every engine: weights[layer][neuron] = (w list, bias).

    Drawn like micrograd's own init: w ~ U(-1, 1), b = 0.
    """
    rng = random.Random(seed)
    return [
        [([rng.uniform(-1.0, 1.0) for _ in range(nin)], 0.0) for _ in range(nout)]
        for nin, nout in zip(sizes[:-1], sizes[1:])
    ]


def wide_inputs(size):
    """The wide-sum inputs every worker uses: weights and inputs in [-1, 1]."""
    return ([((i * 37) % 101) / 50.0 - 1.0 for i in range(size)],
            [((i * 53) % 97) / 48.0 - 1.0 for i in range(size)])


def demo_lr(step):
    """micrograd demo's learning-rate schedule."""
    return 1.0 - 0.9 * step / 100


# CPU time of this process: on a shared machine, time spent waiting for a core is not counted.
# (The work is single-threaded and does no I/O, so on an idle machine it equals wall time.)
clock = time.process_time


def measure(fn, min_seconds, min_reps=1, facts_of=None):
    """Call fn() until min_seconds have passed (at least min_reps times).

    Returns {"times": [...], **facts_of(first result)}: facts_of, if given, reads facts off
    the first call's result outside the timing (its value, its gradient, the nodes of its
    graph); no result is kept alive while later calls are timed.
    """
    times, facts = [], {}
    start = clock()
    while len(times) < min_reps or clock() - start < min_seconds:
        t0 = clock()
        result = fn()
        times.append(clock() - t0)
        if facts_of is not None and len(times) == 1:
            facts = facts_of(result)
        del result
    return {"times": times, **facts}


def bytes_per_node(build, count_nodes):
    """(bytes per node, nodes) of the graph that build() returns, measured by tracemalloc."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    root = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    nodes = count_nodes(root)
    return (after - before) / nodes, nodes


def freed_without_gc(build, interior):
    """Is the graph build() returns freed by reference counting alone (cyclic GC disabled)?"""
    gc.collect()
    gc.disable()
    try:
        root = build()
        probe = weakref.ref(interior(root))
        del root
        return probe() is None
    finally:
        gc.enable()


def count_graph(root, parents_of):
    """Number of distinct nodes reachable from root (iteratively, any depth)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for parent in parents_of(stack.pop()):
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def run_worker(workloads):
    """The worker's main: run sys.argv's workload and print its result as JSON."""
    name, size, min_seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    if name not in workloads:
        result = {"error": "not supported"}
    else:
        try:
            result = workloads[name](size, min_seconds)
        except RecursionError:
            result = {"error": "RecursionError"}
    print(json.dumps(result))
