"""Benchmark worker: plaingrad, written the way plaingrad's docs write it.

The demo uses `nn.MLP` (each neuron is Z = dot(W, a) + b, one node) and `autograd.total`
for the sums of the loss. The wide sum is measured three ways: as a chain of binary `+`
(the builtin `sum`, the same graph micrograd builds), with `total`, and with `dot`.
The chain and the binary-`+` sum are also measured with the cyclic garbage collector
off, to show its share: plaingrad makes no reference cycles, so that is safe.
"""

import gc

import common

from autograd import Value, dot, total


def demo_model():
    """nn.MLP(2, [16, 16, 1]) with the benchmark's shared weights."""
    from nn import MLP

    model = MLP(common.DEMO_SIZES[0], common.DEMO_SIZES[1:], activation="relu",
                output_activation="linear", seed=common.SEED)
    for layer, layer_weights in zip(model.layers, common.demo_weights()):
        for neuron, (w, b) in zip(layer.neurons, layer_weights):
            for p, value in zip(neuron.w, w):
                p.data = value
            neuron.b.data = b
    return model


def demo(size, min_seconds):
    points, labels = common.two_moons(size)
    model = demo_model()
    params = model.parameters()
    n = len(points)
    losses = []

    def step():
        # J = mean(relu(1 - y·score)) + α Σ p², as in micrograd's demo
        inputs = [[Value(a) for a in row] for row in points]
        scores = [_single(model(x)) for x in inputs]
        data_loss = total([(1 + -y * score).relu() for y, score in zip(labels, scores)]) * (1.0 / n)
        loss = data_loss + common.DEMO_ALPHA * total([p * p for p in params])
        model.zero_grad()
        loss.backward()
        lr = common.demo_lr(len(losses))
        for p in params:
            p.data -= lr * p.grad
        losses.append(loss.data)
        return loss

    result = common.measure(step, min_seconds, 2, facts_of=lambda loss: {"nodes": _nodes(loss)})
    return {**result, "loss0": losses[0], "loss1": losses[1]}


def demo_compiled(size, min_seconds):
    """The demo step written with autograd.compile as a user would: the cost of one
    sample compiled once, called over the samples with upstream 1/n, plus the L2 term."""
    points, labels = common.two_moons(size)
    model = demo_model()
    params = model.parameters()
    n = len(points)
    from autograd import compile  # here, so that bench/compare.py runs older versions too
    cost = compile(lambda x1, x2, y: (1 + -y * _single(model([x1, x2]))).relu())
    l2 = compile(lambda: common.DEMO_ALPHA * total([p * p for p in params]))
    # The trace and the compilation, timed apart: upstream 0 passes nothing on.
    t0 = common.clock()
    cost(*points[0], labels[0], upstream=0.0)
    l2(upstream=0.0)
    compile_seconds = common.clock() - t0
    losses = []

    def step():
        model.zero_grad()
        data_loss = sum([cost(x1, x2, y, upstream=1.0 / n)
                         for (x1, x2), y in zip(points, labels)]) * (1.0 / n)
        loss = data_loss + l2()
        lr = common.demo_lr(len(losses))
        for p in params:
            p.data -= lr * p.grad
        losses.append(loss)
        return loss

    result = common.measure(step, min_seconds, 2)
    return {**result, "loss0": losses[0], "loss1": losses[1],
            "compile_seconds": compile_seconds, "nodes": cost.nodes + l2.nodes}


def _single(out):
    """The network's one output, whether the model returns it bare or in a list."""
    return out[0] if isinstance(out, (list, tuple)) else out


def _nodes(root):
    return common.count_graph(root, lambda v: v.parents)


def build_chain(size):
    x0 = Value(1.0)
    x = x0
    for _ in range(size):
        x = x * common.CHAIN_FACTOR + 0.0
    return x0, x


def chain(size, min_seconds):
    def run():
        x0, x = build_chain(size)
        x.backward()
        return x, x0.grad

    return common.measure(run, min_seconds, facts_of=lambda r: {
        "value": r[0].data, "grad": r[1], "nodes": _nodes(r[0])})


def _compiled(fn, args, min_seconds, facts_of, before=None):
    """fn compiled, the trace and compilation timed apart; then its calls timed."""
    t0 = common.clock()
    from autograd import compile  # as in demo_compiled
    program = compile(fn)
    try:
        program(*args, upstream=0.0)  # traces and compiles; upstream 0 passes nothing on
    except ValueError as error:  # over MAX_NODES
        return {"error": "refused: " + str(error).split(";")[0].removeprefix("compile: ")}
    compile_seconds = common.clock() - t0

    def run():
        if before is not None:
            before()
        return program.value_and_grad(*args)

    result = common.measure(run, min_seconds, facts_of=facts_of)
    return {**result, "compile_seconds": compile_seconds, "nodes": program.nodes}


def chain_compiled(size, min_seconds):
    def f(x):
        for _ in range(size):
            x = x * common.CHAIN_FACTOR + 0.0
        return x

    return _compiled(f, [1.0], min_seconds, lambda r: {"value": r[0], "grad": r[1][0]})


def wide_compiled(size, min_seconds):
    """dot(ws, xs) compiled, as wide_dot's graph; ws are leaves the program gives .grad."""
    ws, xs = common.wide_inputs(size)
    ws, xs = [Value(w) for w in ws], [Value(x) for x in xs]

    def zero_grad():
        for v in ws:
            v.grad = 0.0

    return _compiled(lambda: dot(ws, xs), [], min_seconds,
                     lambda r: {"value": r[0], "grad_w0": ws[0].grad}, zero_grad)


def _wide(size, min_seconds, combine):
    ws, xs = common.wide_inputs(size)
    ws, xs = [Value(w) for w in ws], [Value(x) for x in xs]

    def run():
        s = combine(ws, xs)
        for v in ws:
            v.grad = 0.0
        s.backward()
        return s, ws[0].grad

    return common.measure(run, min_seconds, facts_of=lambda r: {
        "value": r[0].data, "grad_w0": r[1], "nodes": _nodes(r[0])})


def wide(size, min_seconds):
    return _wide(size, min_seconds, lambda ws, xs: sum(w * x for w, x in zip(ws, xs)))


def wide_total(size, min_seconds):
    return _wide(size, min_seconds, lambda ws, xs: total([w * x for w, x in zip(ws, xs)]))


def wide_dot(size, min_seconds):
    return _wide(size, min_seconds, dot)


def memory(size, min_seconds):
    per_node, nodes = common.bytes_per_node(lambda: build_chain(size)[1], _nodes)
    freed = common.freed_without_gc(  # probe an interior node: the last step's product
        lambda: build_chain(size)[1], lambda root: root.parents[0])
    return {"bytes_per_node": per_node, "nodes": nodes, "freed": freed}


def gc_off(workload):
    """`workload` run with the cyclic garbage collector disabled."""
    def run(size, min_seconds):
        gc.disable()
        try:
            return workload(size, min_seconds)
        finally:
            gc.enable()
    return run


if __name__ == "__main__":
    common.run_worker({"demo": demo, "demo_compiled": demo_compiled, "chain": chain,
                       "chain_compiled": chain_compiled, "wide_compiled": wide_compiled,
                       "wide": wide, "wide_total": wide_total,
                       "wide_dot": wide_dot, "memory": memory,
                       "chain_gc_off": gc_off(chain), "wide_gc_off": gc_off(wide)})
