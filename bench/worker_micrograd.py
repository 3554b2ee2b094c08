"""Benchmark worker: micrograd 0.1.0 (the baseline), written as its own demo writes it.

micrograd sorts the graph recursively, so graphs deeper than about 1,000 nodes need
`sys.setrecursionlimit`; run.py passes the limit as an optional 4th argument and reports it.
"""

import sys

import common
from micrograd.engine import Value
from micrograd.nn import MLP


def demo(size, min_seconds):
    points, labels = common.two_moons(size)
    model = MLP(common.DEMO_SIZES[0], common.DEMO_SIZES[1:])
    for layer, layer_weights in zip(model.layers, common.demo_weights()):
        for neuron, (w, b) in zip(layer.neurons, layer_weights):
            for p, value in zip(neuron.w, w):
                p.data = value
            neuron.b.data = b
    losses = []

    def step():
        # the loss of micrograd's demo.ipynb
        inputs = [list(map(Value, xrow)) for xrow in points]
        scores = list(map(model, inputs))
        margins = [(1 + -yi * scorei).relu() for yi, scorei in zip(labels, scores)]
        data_loss = sum(margins) * (1.0 / len(margins))
        reg_loss = common.DEMO_ALPHA * sum(p * p for p in model.parameters())
        loss = data_loss + reg_loss
        model.zero_grad()
        loss.backward()
        lr = common.demo_lr(len(losses))
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
        return loss

    result = common.measure(step, min_seconds, 2, facts_of=lambda loss: {"nodes": _nodes(loss)})
    return {**result, "loss0": losses[0], "loss1": losses[1]}


def chain(size, min_seconds):
    def run():
        x0 = Value(1.0)
        x = x0
        for _ in range(size):
            x = x * common.CHAIN_FACTOR + 0.0
        x.backward()
        return x, x0.grad

    return common.measure(run, min_seconds, facts_of=lambda r: {
        "value": r[0].data, "grad": r[1], "nodes": _nodes(r[0])})


def wide(size, min_seconds):
    ws, xs = common.wide_inputs(size)
    ws, xs = [Value(w) for w in ws], [Value(x) for x in xs]

    def run():
        s = sum(w * x for w, x in zip(ws, xs))
        for v in ws:
            v.grad = 0
        s.backward()
        return s, ws[0].grad

    return common.measure(run, min_seconds, facts_of=lambda r: {
        "value": r[0].data, "grad_w0": r[1], "nodes": _nodes(r[0])})


def _nodes(root):
    return common.count_graph(root, lambda v: v._prev)


def build_chain(size):
    x = Value(1.0)
    for _ in range(size):
        x = x * common.CHAIN_FACTOR + 0.0
    return x


def memory(size, min_seconds):
    per_node, nodes = common.bytes_per_node(lambda: build_chain(size), _nodes)
    freed = common.freed_without_gc(  # probe an interior node: the last step's product
        lambda: build_chain(size), lambda root: next(v for v in root._prev if v._op == "*"))
    return {"bytes_per_node": per_node, "nodes": nodes, "freed": freed}


if __name__ == "__main__":
    if len(sys.argv) > 4 and int(sys.argv[4]):
        sys.setrecursionlimit(int(sys.argv[4]))
    common.run_worker({"demo": demo, "chain": chain, "wide": wide, "memory": memory})
