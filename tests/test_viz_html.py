"""The step-through page: its data against explain, its safety, and its behaviour in Chromium.

The browser tests drive Debian's Chromium (/usr/bin/chromium, installed by `make test`
through scripts/ensure-chromium.sh) with Playwright; no browser is ever downloaded. Where
there is none they skip with the reason; in CI (CI=true) they must run.
"""

import html
import io
import json
import math
import os
import re
import sys
import types
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

import viz
from autograd import Value, explain
from autograd.engine import topological_order
from autograd.explain import format_number
from viz import graph as viz_graph
from viz import html as viz_html
from viz.text import shown

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import lecture_neuron  # noqa: E402  (the lecture's neuron with its BCE cost)

CHROMIUM = "/usr/bin/chromium"
# Headless and quiet: no GPU, and none of the background requests a browser makes itself.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
HOSTILE = "<img src=x onerror=alert(1)>"
SVG = "{http://www.w3.org/2000/svg}"


def minus(x):
    """A number as the page's sentences write it: 4 digits, a true minus sign."""
    return format_number(x).replace("-", "−")


class Page(HTMLParser):
    """The tags of a page, with the text of its <script> and <style> elements."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.scripts, self.styles, self._in = [], [], [], None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs), [])

    def handle_endtag(self, tag):
        if self._in and tag == self._in[0]:
            kind, attrs, parts = self._in
            (self.scripts if kind == "script" else self.styles).append((attrs, "".join(parts)))
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._in[2].append(data)


def page_data(text):
    """The JSON the page embeds for its script."""
    [(_, block)] = [(a, t) for a, t in Page(text).scripts if a.get("type") == "application/json"]
    return json.loads(block)


def neuron():
    neuron = lecture_neuron.build()
    return neuron, neuron["J"]


# ----- the page's text, without a browser -----

def test_page_parses_with_a_strict_policy_and_the_named_controls():
    text = viz.to_html(neuron()[1])
    page = Page(text)
    [csp] = [a["content"] for t, a in page.tags
             if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    [(_, script)] = [(a, t) for a, t in page.scripts if "type" not in a]
    [(_, style)] = page.styles
    assert "default-src 'none'" in csp and "unsafe" not in csp
    assert f"script-src {viz_html._hash(script)};" in csp  # exactly the page's own script
    assert f"style-src {viz_html._hash(style)};" in csp
    buttons = [t for t, _ in page.tags if t == "button"]
    assert len(buttons) == 5
    for name in ("First step", "Previous step", "Next step", "Last step", "Play"):
        assert f">{name}</button>" in text
    [(_, slider)] = [(t, a) for t, a in page.tags if t == "input"]
    assert slider["type"] == "range" and slider["max"] == str(len(page_data(text)["steps"]) - 1)
    assert any(t == "label" and a.get("for") == slider["id"] for t, a in page.tags)
    assert any(a.get("aria-live") == "polite" for _, a in page.tags)
    # Nothing to load and nothing inline but the two hashed blocks: no style or on… attributes.
    for tag, attrs in page.tags:
        assert tag not in ("img", "link", "iframe", "object", "embed", "audio", "video")
        assert not {"src", "href", "xlink:href", "style"} & set(attrs), (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)


def test_embedded_numbers_are_explains_and_end_as_the_closed_forms():
    n, root = neuron()
    data = page_data(viz.to_html(root))
    rows = explain(lecture_neuron.build()["J"])  # the same neuron, built afresh
    backward = [s for s in data["steps"] if "row" in s]
    assert len(backward) == len(rows) == 20
    for step, row in zip(backward, rows):
        assert step["row"] == {"node": row.node_name, "parent": row.parent_name,
                               "formula": row.formula, "local": row.local,
                               "upstream": row.upstream, "contribution": row.contribution}
    # The last value the steps give each box is the engine's (one backward pass).
    final = {}
    for step in data["steps"]:
        for i, field, value in step["set"]:
            final[i, field] = value
    names = [node["name"] for node in data["nodes"]]
    grad = {name: final[i, "grad"] for i, name in enumerate(names)}
    y_hat, y = n["ŷ"].data, n["y"].data
    assert grad["Z"] == grad["b"] == format_number(y_hat - y)  # ∂J/∂Z = ŷ − y
    for w, a in zip(n["w"], n["a"]):
        assert grad[w.label] == format_number((y_hat - y) * a.data)  # ∂J/∂w_i = (ŷ − y)·a_i
    assert final[names.index("J"), "data"] == format_number(
        -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat)))
    assert len(final) == 2 * len(names)  # every box gets its data and its grad


def test_the_step_sentences_give_the_numbers():
    data = page_data(viz.to_html(neuron()[1]))
    texts = [s["text"] for s in data["steps"]]
    assert texts[0].startswith("start")
    assert texts[2] == "forward step 2 of 13: Z = (W·a) + b = 0.04 + (−0.1) = −0.06"
    assert texts[14] == "backward starts: J.grad = ∂J/∂J = 1"
    assert texts[14 + 14] == "backward step 14 of 20: Z.grad += ∂ŷ/∂Z × ∂J/∂ŷ = 0.2498 × " \
                             "−2.062 = −0.515"
    [y_hat] = [node for node in data["nodes"] if node["name"] == "ŷ"]
    assert y_hat["local"][0][0] == ("∂ŷ/∂Z = sigmoid(Z)·(1 - sigmoid(Z)) = "
                                    "sigmoid(−0.06)·(1 - sigmoid(−0.06)) = 0.2498")


@pytest.mark.parametrize("label", [HOSTILE, "</script><script>alert(1)</script>", "<!--",
                                   "a\u2028b\u2029c", "&amp; & \"'", "]]></svg><b>x"])
def test_a_label_cannot_end_the_data_or_add_markup(label):
    x = Value(2.0, label=label)
    y = (x * 3).tanh()
    text = viz.to_html(y)
    page = Page(text)
    assert len(page.scripts) == 2  # the data and the script: no third one
    assert [t for t, _ in page.tags if t in ("img", "b")] == []
    [(_, block)] = [(a, t) for a, t in page.scripts if a.get("type") == "application/json"]
    assert not set(block) & set("<>&\u2028\u2029")
    # (as every picture shows it: the separators U+2028 and U+2029 as escapes, see viz.text)
    assert [n["label"] for n in page_data(text)["nodes"]].count(shown(label)) == 1
    if set(label) & set("<>&"):  # wherever it shows (SVG text, JSON) it is escaped
        assert label not in re.sub(r"<!-- [^<>]* -->", "", text)  # Graphviz's own comments


def test_every_highlighted_id_is_in_the_drawing_and_x_times_x_has_two_arrows():
    from autograd import dot, total

    x, y = Value(1.5, label="x"), Value(-2.0, label="y")
    root = total([x * x, x / y, y ** 3, 2 ** x, dot([x, y], [y, x]), (x - 0.5).relu()])
    text = viz.to_html(root)
    data = page_data(text)
    ids = set(re.findall(r'<g id="([^"]+)"', text))
    for step in data["steps"]:
        assert set(step["on"]) | {step["view"]} <= ids, step["text"]
    # x * x: one step per operand, each lighting its own arrow
    [times] = [i for i, n in enumerate(data["nodes"]) if n["op"] == "×"]
    name = data["nodes"][times]["name"]
    arrows = [s["on"] for s in data["steps"] if s.get("row", {}).get("node") == name]
    assert [[a for a in on if a.startswith(f"n{times}_op_in")] for on in arrows] == [
        [f"n{times}_op_in0"], [f"n{times}_op_in1"]]


def test_a_leaf_alone_is_a_page_of_two_steps():
    data = page_data(viz.to_html(Value(3.0, label="x")))
    assert [s["text"] for s in data["steps"]] == [
        "start: the inputs and parameters have their values; nothing is computed yet",
        "backward starts: x.grad = ∂x/∂x = 1"]
    assert data["steps"][1]["set"] == [[0, "grad", "1"]]


@pytest.mark.parametrize("label", ["\x1bred", "nul\x00", "not\uffff", "rtl\u202e"])
def test_a_control_character_shows_as_an_escape_on_the_page_as_in_its_drawing(label):
    y = (Value(2.0, label=label) * 3).tanh()
    y.label = label + " out"
    text = viz.to_html(y)
    Page(text)
    data = page_data(text)
    assert shown(label) in [n["label"] for n in data["nodes"]] and "\\" in shown(label)
    hidden = {c for c in label if not c.isprintable()}
    assert hidden and not set(json.dumps(data, ensure_ascii=False)) & hidden  # nothing raw
    title = re.search(r"<title>(.*?)</title>", text).group(1)  # the page's, before the SVG's
    assert title.startswith(html.escape(shown(label + " out")))
    svg = text[text.index("<svg"):text.index("</svg>") + 6]
    ET.fromstring(svg)  # the drawing is well-formed XML
    assert shown(label) in [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_script_json_escapes_the_characters_that_could_break_out():
    text = viz_html._script_json({"a": "</script>&\u2028\u2029"})
    assert text == '{"a":"\\u003c/script\\u003e\\u0026\\u2028\\u2029"}'
    assert json.loads(text) == {"a": "</script>&\u2028\u2029"}


def test_non_finite_numbers_are_json_strings():
    x = Value(1e308, label="x")
    data = page_data(viz.to_html((x * x) * 2))  # x² overflows to inf, and so does 2·2x
    assert json.dumps(data, allow_nan=False)  # valid JSON: no NaN or Infinity tokens
    rows = [s["row"] for s in data["steps"] if "row" in s and s["row"]["parent"] == "x"]
    assert [row["contribution"] for row in rows] == ["inf", "inf"]
    assert data["steps"][1]["set"] == [[1, "data", "inf"]]


def test_render_picks_html_by_suffix_and_pages_are_deterministic(tmp_path):
    root = neuron()[1]
    path = viz.render(root, tmp_path / "sub" / "graph.html")
    assert path == tmp_path / "sub" / "graph.html"
    assert path.read_text(encoding="utf-8") == viz.to_html(root) == viz.to_html(neuron()[1])
    assert viz.render(root, tmp_path / "g.htm").read_bytes() == path.read_bytes()
    assert viz.to_html(root, tmp_path / "p.html") == tmp_path / "p.html"
    with pytest.raises(ValueError, match=r"says html by its suffix, but format is 'svg'"):
        viz.render(root, tmp_path / "x.html", format="svg")


def test_the_page_leaves_the_graphs_gradients_as_they_were():
    n, root = neuron()
    root.backward()
    root.backward()  # leaves now hold twice their gradient
    before = {id(v): v.grad for v in viz_graph._nodes(root)}
    data = page_data(viz.to_html(root))
    assert {id(v): v.grad for v in viz_graph._nodes(root)} == before
    [b] = [i for i, node in enumerate(data["nodes"]) if node["name"] == "b"]
    last = [value for s in data["steps"] for i, f, value in s["set"] if (i, f) == (b, "grad")]
    assert last[-1] == format_number(n["ŷ"].data - n["y"].data)  # one pass, not three


def test_size_limits_and_options_are_those_of_the_svg(tmp_path):
    v = Value(0.1)
    for _ in range(500):
        v = v.tanh()
    with pytest.raises(ValueError, match=r"to_html: the graph has 501 Values, more than "
                                         r"max_nodes=500.*max_nodes=501"):
        viz.to_html(v)
    with pytest.raises(ValueError, match=r"to_html: the graph has 501"):
        viz.render(v, tmp_path / "v.html")
    assert not (tmp_path / "v.html").exists()
    x = Value(1.0, label="x")
    y = x
    for _ in range(60):
        y = y + x
    with pytest.raises(ValueError, match=r"to_html: the drawing's size is .* more than "
                                         r"max_size=3,000"):
        viz.to_html(y)
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        viz.to_html(x, max_nodes=0)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        viz.to_html(x, timeout=0)
    with pytest.raises(TypeError, match="expected a Value"):
        viz.to_html(1.0)
    with pytest.raises(TypeError):
        viz.to_html(x, show_grad=False)  # a page without gradients would have nothing to step


def test_a_failed_graphviz_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "page.html"
    path.write_text("old")
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: None)
    with pytest.raises(viz.GraphvizMissingError, match="to_html: the Graphviz program"):
        viz.to_html(neuron()[1], path)
    monkeypatch.setattr(viz_graph, "_find_dot", lambda: "/bin/false")
    with pytest.raises(viz.RenderError, match="dot` failed"):
        viz.render(neuron()[1], path)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["page.html"]  # no temporary file left


def test_jupyter_gets_a_sandboxed_frame_of_the_page(monkeypatch):
    root = neuron()[1]
    page = viz.GraphPage(root)
    assert page.html == viz.to_html(root)
    frame = page._repr_html_()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts" width="100%" '
                         r'height="\d+" title="[^"]*"></iframe>', frame)
    assert match and html.unescape(match.group(1)) == page.html
    shown = []
    ipython = types.ModuleType("IPython")
    display = types.ModuleType("IPython.display")
    display.display = shown.append
    ipython.display = display
    ipython.get_ipython = lambda: None
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    with pytest.raises(RuntimeError, match=r"viz.show: not running in Jupyter.*viz.to_html"):
        viz.show(root)
    ipython.get_ipython = lambda: object()
    assert viz.show(root, rankdir="TB") is None
    [shown_page] = shown
    assert isinstance(shown_page, viz.GraphPage) and 'class="graph"' in shown_page.html


# ----- in Chromium -----

@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module: Debian's, never a downloaded one."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "the playwright package is not installed (pip install playwright)"
    if problem is None and not os.access(CHROMIUM, os.X_OK):
        problem = f"{CHROMIUM} is missing (apt-get install chromium; make test installs it)"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"in CI the browser tests must run: {problem}")
        pytest.skip(problem)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, tmp_path):
    """open_page(root) → a Playwright page showing root's page from a file:// URL.

    Every request, dialog, console error and script error is recorded on the page
    (`page.requests`, …), and any request other than the page's own is aborted.
    """
    pages = []

    def open_page(root, clock=False):
        path = viz.to_html(root, tmp_path / f"page{len(pages)}.html")
        url = path.resolve().as_uri()
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        pages.append(page)
        page.requests, page.dialogs, page.errors = [], [], []
        page.on("request", lambda request: page.requests.append(request.url))
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.route("**/*", lambda route: route.continue_() if route.request.url == url
                   else route.abort())
        if clock:
            page.clock.install()
        page.goto(url)
        page.url_of_file, page.tmp = url, tmp_path
        return page

    yield open_page
    for page in pages:
        page.close()


def status(page):
    return page.get_by_role("status").text_content()


def boxes(page):
    """{node name: [its texts]} for every box, found as a user does (by role and name)."""
    found = page.get_by_role("button", name=re.compile("^details of ")).evaluate_all(
        "els => els.map(e => [e.getAttribute('aria-label'),"
        " Array.from(e.querySelectorAll('text'), t => t.textContent)])")
    return {name.removeprefix("details of "): texts for name, texts in found}


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def test_every_step_of_the_neuron_against_explain(open_page):
    n, root = neuron()
    page = open_page(root)
    # What the boxes must read at each step, from the engine alone: data once computed
    # (leaves at the start, interior nodes in the engine's order), grads as explain adds them.
    rows = explain(lecture_neuron.build()["J"])
    every = viz_graph._nodes(root)
    names = {v: v.label for v in every}
    forward = list(reversed(topological_order(root)))
    data = {names[v]: format_number(v.data) for v in every if not v.parents}
    grad = {}
    expected = [None]
    for v in forward:
        expected.append(("forward", names[v], format_number(v.data)))
    expected.append(("seed", "J", "1"))
    expected += [("backward", i, row) for i, row in enumerate(rows, 1)]
    assert page.get_by_role("slider", name="Step").get_attribute("max") == str(len(expected) - 1)
    sums = {}
    for position, step in enumerate(expected):
        if position:
            button(page, "Next step").click()
        if step is None:
            assert status(page).startswith("start")
        elif step[0] == "forward":
            _, name, value = step
            data[name] = value
            assert status(page).startswith(f"forward step {position} of {len(forward)}: {name} = ")
            assert status(page).endswith(f" = {minus(float(value))}")
        elif step[0] == "seed":
            grad["J"] = "1"
            assert status(page) == "backward starts: J.grad = ∂J/∂J = 1"
        else:
            _, i, row = step
            sums[row.parent_name] = sums.get(row.parent_name, 0.0) + row.contribution
            grad[row.parent_name] = format_number(sums[row.parent_name])
            said = status(page)
            assert said.startswith(f"backward step {i} of 20: ")
            assert said.endswith(f" = {minus(row.local)} × {minus(row.upstream)} = "
                                 f"{minus(row.contribution)}")
            assert f"∂{row.node_name}/" in said or f"∂({row.node_name})/" in said
        shown = boxes(page)
        assert set(shown) == set(names.values())
        for name, texts in shown.items():
            want = [f"data {data[name]}" if name in data else "data",
                    f"grad {grad[name]}" if name in grad else "grad"]
            assert texts[-2:] == want, (position, name)
    assert button(page, "Next step").get_attribute("aria-disabled") == "true"
    # At the last step every text of the drawing is the static SVG's, in the same place.
    fresh = lecture_neuron.build()["J"]
    fresh.backward()
    static = ET.fromstring(viz.render(fresh, page.tmp / "static.svg").read_bytes())
    want = {g.find(f"{SVG}title").text: [t.text or "" for t in g.iter(f"{SVG}text")]
            for g in static.iter(f"{SVG}g") if g.get("class") in ("node", "edge")}
    have = dict(page.locator("g.node, g.edge").evaluate_all(
        "els => els.map(e => [e.querySelector('title').textContent,"
        " Array.from(e.querySelectorAll('text'), t => t.textContent)])"))
    assert have == want
    # Going back blanks what is not computed yet; Last step is the end again.
    button(page, "First step").click()
    assert boxes(page)["J"][-2:] == ["data", "grad"] and boxes(page)["b"][-2:] == ["data -0.1",
                                                                                   "grad"]
    button(page, "Last step").click()
    assert status(page).startswith("backward step 20 of 20")
    assert page.errors == []


def test_hovering_a_node_shows_its_numbers_and_formula(open_page):
    page = open_page(neuron()[1])
    button(page, "Last step").click()
    page.get_by_role("button", name="details of ŷ", exact=True).hover()
    details = page.get_by_role("region", name="Node ŷ")
    text = details.text_content()
    for part in ("σ", "0.485", "-2.062", "ŷ = sigmoid(Z) = sigmoid(−0.06) = 0.485",
                 "∂ŷ/∂Z = sigmoid(Z)·(1 - sigmoid(Z)) = sigmoid(−0.06)·(1 - sigmoid(−0.06))"
                 " = 0.2498"):
        assert part in text
    button(page, "First step").click()  # the panel follows the steps
    assert "not computed yet" in details.text_content()


def test_play_runs_to_the_end_and_turns_back_into_play(open_page):
    page = open_page(neuron()[1], clock=True)
    last = int(page.get_by_role("slider", name="Step").get_attribute("max"))
    button(page, "Play").click()
    assert button(page, "Pause").is_visible()
    page.clock.run_for(1000)
    assert status(page).startswith("forward step 1 of")
    page.clock.run_for(1000 * last)
    assert status(page).startswith("backward step 20 of 20")
    assert button(page, "Play").is_visible() and button(page, "Pause").count() == 0
    assert page.get_by_role("slider", name="Step").input_value() == str(last)


def test_keyboard_steps_as_the_buttons_do(open_page):
    page = open_page(neuron()[1])
    slider = page.get_by_role("slider", name="Step")
    page.keyboard.press("End")
    assert status(page).startswith("backward step 20 of 20")
    page.keyboard.press("Home")
    assert status(page).startswith("start")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert status(page).startswith("forward step 2 of 13")
    page.keyboard.press("ArrowLeft")
    assert status(page).startswith("forward step 1 of 13")
    assert slider.input_value() == "1"
    assert slider.get_attribute("aria-valuetext") == status(page)
    slider.focus()  # on the slider, the arrows are the slider's own: one step each
    page.keyboard.press("ArrowRight")
    assert status(page).startswith("forward step 2 of 13")
    slider.fill("15")
    assert status(page).startswith("backward step 1 of 20")
    button(page, "Next step").focus()
    page.keyboard.press("Enter")
    assert status(page).startswith("backward step 2 of 20")
    page.keyboard.press("Tab")  # to Last step, then the boxes: focus shows a node
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.get_by_role("region", name=re.compile("^Node ")).count() == 1


def test_a_hostile_label_shows_as_text_and_runs_nothing(open_page):
    x = Value(2.0, label=HOSTILE)
    y = (x * Value(3.0, label="</script><script>alert(2)</script>")).tanh()
    y.label = "y"
    page = open_page(y)
    button(page, "Last step").click()
    node = page.get_by_role("button", name=f"details of {HOSTILE}", exact=True)
    assert node.locator("text").first.text_content() == HOSTILE
    node.click()
    assert HOSTILE in page.get_by_role("region", name=f"Node {HOSTILE}").text_content()
    assert page.locator("img").count() == 0 and page.locator("script").count() == 2
    assert page.dialogs == [] and page.errors == []
    assert page.requests == [page.url_of_file]


def test_the_page_requests_nothing_and_breaks_no_policy(open_page):
    page = open_page(neuron()[1])
    button(page, "Play").click()
    button(page, "Pause").click()
    page.get_by_role("button", name="details of Z", exact=True).hover()
    button(page, "Last step").click()
    assert page.requests == [page.url_of_file]
    assert page.errors == []  # a blocked script or style would be a console error


def test_a_screenshot_shows_the_drawing(open_page):
    image = pytest.importorskip("matplotlib.image")
    page = open_page(neuron()[1])
    page.get_by_role("slider", name="Step").fill("28")  # backward step 14, highlighted
    pixels = image.imread(io.BytesIO(page.screenshot()), format="png")
    colours = {tuple(p) for p in pixels.reshape(-1, pixels.shape[-1])[::7]}
    assert pixels.shape[:2] == (800, 1280) and len(colours) > 50
    red = (pixels[..., 0] > 0.75) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)
    assert red.sum() > 200  # the highlighted step is drawn
