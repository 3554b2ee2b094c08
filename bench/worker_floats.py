"""Benchmark worker: hand-written forward and backward on plain floats (the pure-Python floor).

No graph, no objects: the derivatives are written out by hand for each workload, so this is
the speed an autograd engine would have if bookkeeping cost nothing.
"""

import common


def demo_step(weights, points, labels, step):
    """One micrograd-demo step on lists of floats; returns the loss before the update.

    weights[layer][neuron] = [w list, b]. Loss J = mean(relu(1 - y·score)) + α Σ p².
    The loss is a sum over samples, so each sample's backward pass runs right after its
    forward pass and adds into the gradient.
    """
    n = len(points)
    grads = [[[[0.0] * len(w), 0.0] for w, _ in layer] for layer in weights]
    last = len(weights) - 1
    data_loss = 0.0
    for x, y in zip(points, labels):
        # forward: keep each layer's input a and pre-activation Z = W·a + b
        inputs, zs = [], []
        a = x
        for k, layer in enumerate(weights):
            z = [b + sum([wi * ai for wi, ai in zip(w, a)]) for w, b in layer]
            inputs.append(a)
            zs.append(z)
            a = z if k == last else [zj if zj > 0 else 0.0 for zj in z]
        margin = 1.0 - y * a[0]
        if margin <= 0:
            continue  # relu(margin) = 0: no loss, no gradient from this sample
        data_loss += margin
        # backward: d loss_i / d score = -y / n, then through the layers
        dz = [-y / n]
        for k in range(last, -1, -1):
            layer, a_in = weights[k], inputs[k]
            if k != last:
                dz = [d if zj > 0 else 0.0 for d, zj in zip(dz, zs[k])]
            da = [0.0] * len(a_in)
            for (w, _), g, d in zip(layer, grads[k], dz):
                gw = g[0]
                for i, ai in enumerate(a_in):
                    gw[i] += d * ai
                    da[i] += d * w[i]
                g[1] += d
            dz = da
    reg = 0.0
    for layer in weights:
        for w, b in layer:
            reg += sum([wi * wi for wi in w]) + b * b
    loss = data_loss / n + common.DEMO_ALPHA * reg
    # L2 gradient 2αp, then the SGD update p <- p - lr·dp
    lr = common.demo_lr(step)
    two_alpha = 2 * common.DEMO_ALPHA
    for layer, glayer in zip(weights, grads):
        for neuron, (gw, gb) in zip(layer, glayer):
            w, b = neuron
            for i, wi in enumerate(w):
                w[i] = wi - lr * (gw[i] + two_alpha * wi)
            neuron[1] = b - lr * (gb + two_alpha * b)
    return loss


def demo(size, min_seconds):
    points, labels = common.two_moons(size)
    weights = [[[list(w), b] for w, b in layer] for layer in common.demo_weights()]
    losses = []
    result = common.measure(
        lambda: losses.append(demo_step(weights, points, labels, len(losses))), min_seconds, 2)
    return {**result, "loss0": losses[0], "loss1": losses[1]}


def chain(size, min_seconds):
    def run():
        x = 1.0
        for _ in range(size):
            x = x * common.CHAIN_FACTOR + 0.0
        grad = 1.0  # dx_n/dx_0 = Π 1.0001, multiplied back from the end
        for _ in range(size):
            grad = grad * common.CHAIN_FACTOR
        return x, grad

    return common.measure(run, min_seconds, facts_of=lambda r: {"value": r[0], "grad": r[1]})


def wide(size, min_seconds):
    ws, xs = common.wide_inputs(size)

    def run():
        s = 0.0
        for w, x in zip(ws, xs):
            s += w * x
        # d s / d w_i = x_i and d s / d x_i = w_i
        return s, list(xs), list(ws)

    return common.measure(run, min_seconds, facts_of=lambda r: {"value": r[0], "grad_w0": r[1][0]})


if __name__ == "__main__":
    common.run_worker({"demo": demo, "chain": chain, "wide": wide})
