"""Backpropagation you can step through: one self-contained HTML page per graph.

    >>> from autograd import Value
    >>> import viz
    >>> x, w = Value(1.0, label="x"), Value(-2.0, label="w")
    >>> y = (x * w).tanh(); y.label = "y"
    >>> viz.to_html(y, "runs/neuron.html")   # doctest: +SKIP
    >>> viz.GraphPage(y)   # a cell's value in Jupyter: the page in the notebook  # doctest: +SKIP

The page holds the Graphviz drawing (SVG), its script, its styles and its data in one
file: it works opened from disk (file://), needs no server and makes no request (its
Content-Security-Policy allows nothing but its own inline script and styles, by hash).

Every number on the page is computed here, in Python, by the engine: the forward steps
are the interior nodes in the engine's topological order (parents first), each with its
value; the backward steps are the rows of `autograd.explain`, `parent.grad += local ×
upstream`, each with the parent's gradient after it. The page's script only shows them,
step by step, so it can never disagree with the engine. At the last step every box reads
as in `viz.render(root, "graph.svg")` after one `backward()` from zero gradients.

The page shows one backward pass from the root, run by `to_html` itself: the graph's
`.grad` fields are put back afterwards as they were (a leaf's accumulated gradient does
not grow, and an earlier `backward()` is not needed).
"""

import base64
import hashlib
import html
import json
import math
import re
import unicodedata

from autograd.engine import topological_order
from autograd.explain import explain, format_number, local_formula, op_text
from autograd.files import atomic_write, check_target
from viz import graph as _graph
from viz.text import shown

__all__ = ["GraphPage", "show", "to_html"]


class GraphPage:
    """The step-through page of `root`'s graph, made now (later changes to the graph don't show).

    `.html` is the page's text; `save(path)` writes it; Jupyter shows it in the notebook
    (`_repr_html_`, in a sandboxed frame, so the page's script and its policy stay its own).
    Options: `rankdir`, `show_local`, `max_nodes`, `max_size`, `caption` as for `viz.draw_dot`
    (the same limits, with the same errors), and `timeout` as for `viz.render`.
    """

    def __init__(self, root, *, rankdir="LR", show_local=True, max_nodes=_graph.MAX_NODES,
                 max_size=_graph.MAX_SIZE, timeout=_graph.TIMEOUT, caption=""):
        self.html, self._height = _page(root, "GraphPage", rankdir, show_local, max_nodes,
                                        max_size, timeout, caption)

    def save(self, path):
        """Write the page to `path` atomically; return the path as given."""
        atomic_write(path, self.html)
        return path

    def _repr_html_(self):
        # A frame of its own: the notebook's styles, ids and keys are not the page's, and a
        # Content-Security-Policy only applies to a whole document.
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
                f'width="100%" height="{self._height}" title="backpropagation, step by step">'
                f"</iframe>")


def to_html(root, path=None, *, rankdir="LR", show_local=True, max_nodes=_graph.MAX_NODES,
            max_size=_graph.MAX_SIZE, timeout=_graph.TIMEOUT, caption=""):
    """The step-through page of `root`'s graph: written to `path` (returned), or its text.

    Options are those of `GraphPage`. Errors: as `viz.render` (ValueError for bad options
    or a graph over the size limits, before anything runs; `viz.RenderError` when Graphviz
    is missing or fails). The file is written atomically.
    """
    if path is not None:
        check_target(path)  # before `dot` runs: a place that cannot be written fails fast
    text, _ = _page(root, "to_html", rankdir, show_local, max_nodes, max_size, timeout,
                    caption)
    if path is None:
        return text
    atomic_write(path, text)
    return path


def show(root, **options):
    """Show `root`'s step-through page in Jupyter (IPython's `display`); options as `to_html`."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        raise RuntimeError("viz.show: not running in Jupyter or IPython, so there is nowhere to "
                           "show the page; write it with viz.to_html(root, 'graph.html') and "
                           "open that file in a browser")
    display(GraphPage(root, **options))


# ----- the steps, computed by the engine -----

def _steps(root, nodes):
    """The page's data: its nodes and its steps (start, forward, seed, backward)."""
    index = {node: i for i, node in enumerate(nodes)}
    rows = explain(root)
    names = {root: root.label or "out"}
    for row in rows:
        names[row.node], names[row.parent] = row.node_name, row.parent_name
    numbers = {node: _number(node.data) for node in nodes}
    forward = list(reversed(topological_order(root)))  # each node after its parents
    computed = {node: 0 for node in nodes if not node.parents}
    for k, node in enumerate(forward, 1):
        computed[node] = k

    def on(node, parents=None):  # the SVG ids to highlight: the node, its op and its arrows
        i = index[node]
        ids = [f"n{i}"]
        if node.parents:
            ids += [f"n{i}_op", f"n{i}_op_out"]
            ids += [f"n{i}_op_in{k}" for k in (parents or range(len(node.parents)))]
        return ids

    leaves = [node for node in nodes if not node.parents]
    steps = [{"text": "start: the inputs and parameters have their values; nothing is "
                      "computed yet",
              "on": [f"n{index[v]}" for v in leaves], "view": f"n{index[leaves[0]]}",
              "set": [[index[v], "data", format_number(v.data)] for v in leaves]}]
    for k, node in enumerate(forward, 1):
        steps.append({
            "text": f"forward step {k} of {len(forward)}: {_forward_text(node, names, numbers)}",
            "on": on(node), "view": f"n{index[node]}_op",
            "set": [[index[node], "data", format_number(node.data)]]})
    r = names[root]
    steps.append({"text": f"backward starts: {_term(r)}.grad = ∂{_term(r)}/∂{_term(r)} = 1",
                  "on": [f"n{index[root]}"], "view": f"n{index[root]}",
                  "set": [[index[root], "grad", "1"]]})
    grads = {root: 1.0}
    edge = {}  # which of a node's operands each row is about (x * x has the same one twice)
    for j, row in enumerate(rows, 1):
        k = edge[row.node] = edge.get(row.node, -1) + 1
        # Adding the rows up in order is what backward() did, so this is the engine's grad.
        grads[row.parent] = grads.get(row.parent, 0.0) + row.contribution
        n, p = _term(row.node_name), _term(row.parent_name)
        steps.append({
            "text": f"backward step {j} of {len(rows)}: {p}.grad += ∂{n}/∂{p} × ∂{_term(r)}/∂{n}"
                    f" = {_number(row.local)} × {_number(row.upstream)} = "
                    f"{_number(row.contribution)}",
            "on": on(row.node, [k]) + [f"n{index[row.parent]}"],
            "view": f"n{index[row.node]}_op",  # between the node and the parent
            "set": [[index[row.parent], "grad", format_number(grads[row.parent])]],
            "row": {"node": row.node_name, "parent": row.parent_name, "formula": row.formula,
                    "local": _json(row.local), "upstream": _json(row.upstream),
                    "contribution": _json(row.contribution)}})
    return {"root": r, "nodes": [_node(node, i, names, numbers, computed[node])
                                 for i, node in enumerate(nodes)], "steps": steps}


def _node(node, i, names, numbers, computed):
    """What the details panel says of one node (its changing data and grad come from the steps)."""
    if node.parents:
        op = op_text(node, _graph.OP_SYMBOLS)
    else:
        op = "none: an input or parameter" if node.label else "none: a constant"
    n = _term(names[node])
    local = []
    for k, (parent, value) in enumerate(zip(node.parents, node.local_grads)):
        formula, plugged = local_formula(node, k, names), local_formula(node, k, numbers)
        parts = [f"∂{n}/∂{_term(names[parent])}", formula]
        for part in (plugged, _number(value)):  # "1 = 1 = 1" and "-1 = −1" are said once
            if part.replace("-", "−") != parts[-1].replace("-", "−"):
                parts.append(part)
        # before the forward pass has reached the node, only the formula is shown
        local.append([" = ".join(parts), " = ".join(parts[:2])])
    return {"id": f"n{i}", "name": names[node], "label": node.label, "op": op,
            "forward": _forward_text(node, names, numbers) if node.parents else "",
            "local": local, "computed": computed}


def _forward_text(node, names, numbers):
    """How the node's value comes from its operands, in names and in numbers: "Z = a + b = …"."""
    expression = [_expression(node, lambda v, m=m: m[v]) for m in (names, numbers)]
    return " = ".join(dict.fromkeys([names[node], *expression, numbers[node]]))


def _expression(node, name):
    """The node's op over its operands' names: "a + b", "w1·a1 + w2·a2", "tanh(x)", "x^2"."""
    op, c = node.op, node.constant
    terms = [_term(name(v)) for v in node.parents]
    if op == "dot":  # parents are (*weights, *inputs)
        n = len(terms) // 2
        return " + ".join(f"{terms[i]}·{terms[i + n]}" for i in range(n))
    if op == "**":
        return f"{terms[0]}^{terms[1] if c is None else _term(_number(c, 12))}"
    symbol = {"+": "+", "sum": "+", "*": "×", "/": "/"}.get(op)
    if symbol is None:  # a function of its operand(s): exp(x), tanh(x), …
        arguments = [name(v) for v in node.parents]
        if c is not None:
            arguments.append(_number(c, 12))
        return f"{op}({', '.join(arguments)})"
    if c is not None and op == "+" and c < 0:  # x - 0.5 is stored as x + (-0.5)
        return f"{' + '.join(terms)} − {_number(-c, 12)}"
    if c is not None:
        terms.append(_term(_number(c, 12)))
    return f" {symbol} ".join(terms)


def _term(text):
    """`text` bare if it is a name (letters, digits, _) or a plain number, else in brackets.

    >>> _term("ŷ"), _term("w1"), _term("0.5"), _term("W·a"), _term("1−ŷ"), _term("−0.5")
    ('ŷ', 'w1', '0.5', '(W·a)', '(1−ŷ)', '(−0.5)')
    """
    name = text.isidentifier() and all(
        c.isalnum() or c == "_" or unicodedata.category(c).startswith("M") for c in text)
    return text if name or re.fullmatch(r"[0-9.]+(e[+−][0-9]+)?", text) else f"({text})"


def _number(x, digits=4):
    """`x` as on the drawing (`format_number`), with a true minus sign for reading: −0.515."""
    return format_number(x, digits).replace("-", "−")


def _json(x):
    """A float for JSON, which has no inf or NaN: those become the strings "inf", "-inf", "nan"."""
    return x if math.isfinite(x) else str(x)


# ----- the page -----

def _page(root, caller, rankdir, show_local, max_nodes, max_size, timeout, caption=""):
    """The page's text and the height (pixels) a frame needs to show it whole."""
    _graph._check_timeout(timeout, caller)
    nodes = _graph._checked_nodes(root, caller, rankdir, max_nodes, max_size, show_local)
    saved = [node.grad for node in nodes]
    try:
        for node in nodes:
            if not node.parents:
                node.grad = 0.0  # one backward pass from zero, as the page tells it
        data = _visible(_steps(root, nodes))
        source = _graph._digraph(root, nodes, rankdir, True, show_local, ids=True,
                                 caption=caption).source
    finally:
        for node, grad in zip(nodes, saved):
            node.grad = grad
    svg = _graph._run_dot(source, "svg", timeout, caller).decode("utf-8")
    svg = svg[svg.index("<svg"):]  # without the XML declaration and DOCTYPE
    height = re.search(r'<svg[^>]*\bheight="([0-9.]+)pt"', svg)
    frame_height = 260 + round(float(height.group(1)) * 4 / 3) if height else 600
    title = f"{data['root']}: backpropagation, step by step"
    last = len(data["steps"]) - 1
    page = _TEMPLATE.format(
        csp=(f"default-src 'none'; script-src {_hash(_SCRIPT)}; style-src {_hash(_STYLE)}; "
             "base-uri 'none'; form-action 'none'"),
        title=html.escape(title), style=_STYLE, script=_SCRIPT, svg=svg, last=last,
        data=_script_json(data))
    return page, frame_height


def _visible(data):
    """`data` with every text as the pictures show it (viz.text.shown): the page names nodes
    by their labels, and a control character in one would show as nothing."""
    if isinstance(data, str):
        return shown(data)
    if isinstance(data, dict):
        return {key: _visible(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_visible(value) for value in data]
    return data


def _hash(text):
    """The CSP source that allows exactly this inline script or style."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _script_json(data):
    """`data` as JSON that cannot end its <script> block or break a JavaScript string.

    <, > and & are written as \\u escapes (so no "</script>" or "<!--" can appear), and
    so are U+2028 and U+2029, line breaks to older JavaScript.
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


_STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 1rem; color: #222; background: #fff; }
h1 { font-size: 1.2rem; margin: 0 0 .5rem; }
h2 { font-size: 1rem; margin: 0 0 .3rem; }
.controls { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
button { font: inherit; padding: .2rem .7rem; }
button[aria-disabled="true"] { opacity: .45; }
input[type=range] { flex: 1 1 14rem; }
#pg-status { font-size: 1.05rem; min-height: 1.5em; margin: .6rem 0; padding: .3rem .5rem;
  background: #f4f4f4; border-left: 4px solid #d62728; }
.layout { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.drawing { flex: 1 1 30rem; overflow: auto; border: 1px solid #ddd; }
#pg-details { flex: 0 1 22rem; border: 1px solid #ddd; padding: .5rem .7rem; }
#pg-details dt { font-weight: 600; }
#pg-details dd { margin: 0 0 .3rem; overflow-wrap: anywhere; }
.node { cursor: pointer; }
.node:focus { outline: 2px solid #1f77b4; }
.pg-on > polygon, .pg-on > ellipse, .pg-on > path { stroke: #d62728; stroke-width: 3px; }
.edge.pg-on > polygon { fill: #d62728; }
.pg-on > text { font-weight: bold; }
.pg-shown > polygon, .pg-shown > ellipse { stroke: #1f77b4; stroke-width: 3px; }
"""

_SCRIPT = """
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("pg-data").textContent);
  const steps = data.steps, nodes = data.nodes, last = steps.length - 1;
  const byId = (id) => document.getElementById(id);
  const status = byId("pg-status"), slider = byId("pg-slider"), play = byId("pg-play");
  const buttons = {first: byId("pg-first"), previous: byId("pg-previous"),
                   next: byId("pg-next"), end: byId("pg-last")};
  // The last two texts of a box are its data and grad fields (a label may take several lines).
  const boxes = nodes.map((node) => {
    const texts = byId(node.id).querySelectorAll("text");
    return {data: texts[texts.length - 2], grad: texts[texts.length - 1]};
  });
  let position = 0, timer = null, shown = null, values = null;

  function go(p) {
    position = Math.max(0, Math.min(last, p));
    values = {data: nodes.map(() => ""), grad: nodes.map(() => "")};
    for (let s = 0; s <= position; s++) {
      for (const [i, field, text] of steps[s].set) values[field][i] = text;
    }
    boxes.forEach((box, i) => {
      box.data.textContent = values.data[i] === "" ? "data" : "data " + values.data[i];
      box.grad.textContent = values.grad[i] === "" ? "grad" : "grad " + values.grad[i];
    });
    document.querySelectorAll(".pg-on").forEach((e) => e.classList.remove("pg-on"));
    for (const id of steps[position].on) {
      const element = byId(id);
      if (element) element.classList.add("pg-on");
    }
    // A wide drawing scrolls in its frame: bring the step's node into view.
    const focus = byId(steps[position].view);
    if (focus) focus.scrollIntoView({block: "nearest", inline: "center"});
    status.textContent = steps[position].text;
    slider.value = String(position);
    slider.setAttribute("aria-valuetext", steps[position].text);
    const atStart = String(position === 0), atEnd = String(position === last);
    buttons.first.setAttribute("aria-disabled", atStart);
    buttons.previous.setAttribute("aria-disabled", atStart);
    buttons.next.setAttribute("aria-disabled", atEnd);
    buttons.end.setAttribute("aria-disabled", atEnd);
    if (shown !== null) details(shown);
  }

  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = "Play";
  }

  function toggle() {
    if (timer !== null) { pause(); return; }
    if (position === last) go(0);
    play.textContent = "Pause";
    timer = setInterval(() => {
      go(position + 1);
      if (position === last) pause();
    }, 900);
  }

  function step(p) { pause(); go(p); }

  function add(list, term, description) {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = description;
    list.append(dt, dd);
  }

  function details(i) {
    shown = i;
    const node = nodes[i], list = byId("pg-dl");
    document.querySelectorAll(".pg-shown").forEach((e) => e.classList.remove("pg-shown"));
    byId(node.id).classList.add("pg-shown");
    byId("pg-details-name").textContent = "Node " + node.name;
    list.replaceChildren();
    add(list, "label", node.label === "" ? "(none)" : node.label);
    add(list, "op", node.op);
    const done = position >= node.computed;
    add(list, "data", values.data[i] === "" ? "not computed yet" : values.data[i]);
    add(list, "grad", values.grad[i] === "" ? "none yet" : values.grad[i]);
    if (node.forward) add(list, "computed as", node.forward);
    for (const line of node.local) {
      add(list, "local derivative", done ? line[0] : line[1] + " (its number comes with the "
          + "forward pass)");
    }
  }

  buttons.first.addEventListener("click", () => step(0));
  buttons.previous.addEventListener("click", () => step(position - 1));
  buttons.next.addEventListener("click", () => step(position + 1));
  buttons.end.addEventListener("click", () => step(last));
  play.addEventListener("click", toggle);
  slider.addEventListener("input", () => step(Number(slider.value)));
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.target === slider) return;
    const target = {ArrowLeft: position - 1, ArrowRight: position + 1, Home: 0, End: last};
    if (!(event.key in target)) return;
    event.preventDefault();
    step(target[event.key]);
  });
  nodes.forEach((node, i) => {
    const group = byId(node.id);
    group.setAttribute("tabindex", "0");
    group.setAttribute("role", "button");
    group.setAttribute("aria-label", "details of " + node.name);
    for (const kind of ["mouseenter", "focus", "click"]) {
      group.addEventListener(kind, () => details(i));
    }
  });
  go(0);
})();
"""

# The drawing comes as Graphviz wrote it: its labels are already escaped as SVG text.
_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<main>
<h1>{title}</h1>
<div class="controls" role="group" aria-label="Steps">
<button type="button" id="pg-first">First step</button>
<button type="button" id="pg-previous">Previous step</button>
<button type="button" id="pg-play">Play</button>
<button type="button" id="pg-next">Next step</button>
<button type="button" id="pg-last">Last step</button>
<label for="pg-slider">Step</label>
<input type="range" id="pg-slider" min="0" max="{last}" step="1" value="{last}">
</div>
<p id="pg-status" role="status" aria-live="polite"></p>
<div class="layout">
<div class="drawing">
{svg}
</div>
<section id="pg-details" aria-labelledby="pg-details-name">
<h2 id="pg-details-name">Node details</h2>
<p>Point at a box, click it or move to it with Tab to see how it was computed.</p>
<dl id="pg-dl"></dl>
</section>
</div>
<p>Keys: ← and → step back and forward, Home and End go to the first and the last step.</p>
</main>
<script type="application/json" id="pg-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
