"""nn.io: a saved model loads back bit for bit; truncated or tampered files are refused."""

import json
import math
import os

import pytest

from autograd.files import atomic_write
from nn import MLP, load, save
from nn.io import FORMAT, VERSION

ROWS = [[0.5, -1.0], [2.0, 0.25], [-3.0, 1.5], [0.0, 0.0]]


@pytest.fixture
def model():
    m = MLP(2, [5, 3, 1], activation="tanh", output_activation="sigmoid", seed=4)
    for i, p in enumerate(m.parameters()):
        p.data += math.sin(i) / 3  # biases non-zero, digits that need every bit
    return m


@pytest.fixture
def saved(model, tmp_path):
    path = tmp_path / "model.json"
    assert save(model, path) == str(path)
    return path


def document(path):
    return json.loads(path.read_text())


def test_round_trip_gives_identical_weights_and_predictions(model, saved):
    loaded = load(saved)
    assert (loaded.nin, loaded.nouts, loaded.activation, loaded.output_activation) == \
        (2, [5, 3, 1], "tanh", "sigmoid")
    assert {k: p.data for k, p in loaded.named_parameters().items()} == \
        {k: p.data for k, p in model.named_parameters().items()}
    assert loaded.predict(ROWS) == model.predict(ROWS)
    assert [loaded(x).data for x in ROWS] == [model(x).data for x in ROWS]


def test_file_layout(saved):
    doc = document(saved)
    assert doc["format"] == FORMAT == "plaingrad-mlp" and doc["version"] == VERSION == 1
    assert doc["architecture"] == {"nin": 2, "nouts": [5, 3, 1], "activation": "tanh",
                                   "output_activation": "sigmoid"}
    assert list(doc["parameters"])[:3] == ["layer1.neuron1.w1", "layer1.neuron1.w2",
                                           "layer1.neuron1.b"]


def test_save_overwrites_atomically_and_leaves_no_temp_files(model, saved):
    model.parameters()[0].data = 123.0
    save(model, saved)
    assert load(saved).parameters()[0].data == 123.0
    assert os.listdir(saved.parent) == ["model.json"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path):
    path = tmp_path / "f.txt"
    atomic_write(path, "old")

    with pytest.raises(TypeError):
        atomic_write(path, 42)  # neither text nor bytes: refused before anything is written
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_save_refuses_non_finite_weights_and_other_objects(model, tmp_path):
    model.parameters()[3].data = math.nan
    with pytest.raises(ValueError, match="layer1.neuron2.w1 is nan"):
        save(model, tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()
    with pytest.raises(TypeError, match="expected an MLP"):
        save({"w": 1}, tmp_path / "m.json")


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.999])
def test_truncated_files_are_rejected_as_truncated(saved, fraction):
    text = saved.read_text()
    saved.write_text(text[:int(len(text) * fraction)])
    with pytest.raises(ValueError, match=r"model\.json: not a valid model file \(the JSON stops "
                                         r"before it is complete .*was the file truncated\?"):
        load(saved)
    saved.write_text("")
    with pytest.raises(ValueError, match=r"not a valid model file \(the file is empty\)"):
        load(saved)


def test_a_byte_order_mark_is_read_past(saved, model):
    # Some editors (Notepad) start a UTF-8 file with one; load_csv accepts it too.
    saved.write_bytes(b"\xef\xbb\xbf" + saved.read_bytes())
    assert load(saved).predict([[0.5, -1.0]]) == model.predict([[0.5, -1.0]])


@pytest.mark.parametrize("extra", ["\n{}", "x", "\n\nold model.json text"])
def test_text_after_the_model_is_reported_as_such(saved, extra):
    saved.write_text(saved.read_text() + extra)
    lines = saved.read_text().count("\n") + 1
    with pytest.raises(ValueError, match=r"the JSON ends before line \d+, column \d+, where more "
                                         r"text follows: .*remove what follows") as caught:
        load(saved)
    assert "truncated" not in str(caught.value)
    assert f"line {lines}," in str(caught.value)


def test_a_mistake_inside_the_json_names_its_line(saved):
    saved.write_text(saved.read_text().replace('"version": 1', '"version": 1,,', 1))
    with pytest.raises(ValueError, match=r"broken JSON at line 3, column \d+: Expecting "):
        load(saved)


def tamper(doc, change):
    change(doc)
    return doc


def set_param(name, value):
    return lambda d: d["parameters"].__setitem__(name, value)


TAMPERINGS = {
    "format": (lambda d: d.__setitem__("format", "pickle"), "format is 'pickle'"),
    "version": (lambda d: d.__setitem__("version", 2), "version 2 is not supported"),
    "version bool": (lambda d: d.__setitem__("version", True), "version True"),
    "missing key": (lambda d: d.pop("architecture"), "the file lacks 1 entry: architecture"),
    "extra key": (lambda d: d.__setitem__("code", "rm -rf"), "unexpected entry: code"),
    "nin": (lambda d: d["architecture"].__setitem__("nin", 3), "has 42 parameters but the file"),
    "nin zero": (lambda d: d["architecture"].__setitem__("nin", 0), "nin holds 0"),
    "nin float": (lambda d: d["architecture"].__setitem__("nin", 2.0), "nin holds 2.0"),
    "huge nin": (lambda d: d["architecture"].__setitem__("nin", 10 ** 12),
                 "parameters but the file holds 37"),
    "nouts": (lambda d: d["architecture"].__setitem__("nouts", "5,3,1"), "nouts is not a list"),
    "layer size": (lambda d: d["architecture"]["nouts"].__setitem__(1, -3), "holds -3"),
    "activation": (lambda d: d["architecture"].__setitem__("activation", "gelu"),
                   "unknown activation 'gelu'"),
    "activation type": (lambda d: d["architecture"].__setitem__("activation", 1),
                        "activation is not a string"),
    "missing weight": (lambda d: d["parameters"].pop("layer2.neuron3.b"),
                       "parameters"),
    "renamed weight": (lambda d: d["parameters"].__setitem__(
        "layer9.neuron1.b", d["parameters"].pop("layer2.neuron3.b")),
        "parameters lacks 1 entry: layer2.neuron3.b"),
    "string weight": (set_param("layer1.neuron1.w1", "0.5"), "layer1.neuron1.w1 is '0.5'"),
    "bool weight": (set_param("layer1.neuron1.w1", True), "is True, not a finite number"),
    "null weight": (set_param("layer1.neuron1.b", None), "is None, not a finite number"),
    "list weight": (set_param("layer1.neuron1.b", [1.0]), "not a finite number"),
    "parameters list": (lambda d: d.__setitem__("parameters", [1.0]), "parameters is not an"),
    "top list": (lambda d: d.clear(), "lacks 4 entries"),
}


@pytest.mark.parametrize("key", ["format", "version"])
def test_a_huge_tampered_value_is_shortened_in_the_message(saved, key):
    saved.write_text(json.dumps(tamper(document(saved), lambda d: d.__setitem__(key, [0] * 10**5))))
    with pytest.raises(ValueError) as info:
        load(saved)
    assert "[0, 0, 0" in str(info.value) and "…" in str(info.value)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampered_files_are_rejected(saved, name):
    change, message = TAMPERINGS[name]
    saved.write_text(json.dumps(tamper(document(saved), change)))
    with pytest.raises(ValueError, match=r"model\.json: not a valid plaingrad model: .*"
                                         + message.replace("(", r"\(").replace(".", r"\.")):
        load(saved)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_rejected(saved, literal):
    text = saved.read_text()
    key = '"layer1.neuron1.w1": '
    start = text.index(key) + len(key)
    end = text.index(",", start)
    saved.write_text(text[:start] + literal + text[end:])
    with pytest.raises(ValueError, match=r"model\.json: not a valid"):
        load(saved)


def test_other_broken_files(saved):
    saved.write_text("[1, 2]")
    with pytest.raises(ValueError, match="top level is not a JSON object"):
        load(saved)
    saved.write_text('{"format": "plaingrad-mlp", "format": "plaingrad-mlp"}')
    with pytest.raises(ValueError, match="the key 'format' appears twice"):
        load(saved)
    saved.write_bytes(b"\x80\x03}q\x00.")  # a pickle is never unpickled
    with pytest.raises(ValueError, match="not UTF-8 text"):
        load(saved)
    with pytest.raises(FileNotFoundError):
        load(saved.parent / "missing.json")


@pytest.mark.parametrize("literal, message", [
    ("1" + "0" * 400, r"layer1\.neuron1\.w1 is 1000.*\.\.\., not a finite number"),
    ("-" + "9" * 4000, r"layer1\.neuron1\.w1 is -999.*\.\.\., not a finite number"),
])
def test_integers_too_large_for_a_float_are_rejected(saved, literal, message):
    text = saved.read_text()
    key = '"layer1.neuron1.w1": '
    start = text.index(key) + len(key)
    saved.write_text(text[:start] + literal + text[text.index(",", start):])
    with pytest.raises(ValueError, match=r"model\.json: not a valid plaingrad model: parameter "
                       + message):
        load(saved)


def test_deeply_nested_json_is_a_value_error_naming_the_file(saved):
    saved.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match=r"model\.json: not a valid model file \(JSON nested "
                                         r"too deeply\)"):
        load(saved)


def test_a_file_longer_than_any_model_is_refused_without_reading_it_whole(saved, monkeypatch):
    import nn.io

    monkeypatch.setattr(nn.io, "_MAX_CHARS", 100)
    with pytest.raises(ValueError, match=r"model\.json: not a valid model file \(longer than 100 "
                                         r"characters"):
        load(saved)
    if os.path.exists("/dev/zero"):  # endless: only a bounded read can refuse it
        with pytest.raises(ValueError, match=r"/dev/zero: not a valid model file \(longer"):
            load("/dev/zero")


# ----- class names -----

def test_a_k_class_model_keeps_its_class_names(tmp_path):
    model = MLP(4, [5, 3], seed=1)
    model.classes = ["setosa", "Versicolor", "virginica"]
    path = save(model, tmp_path / "iris.json")
    assert document(tmp_path / "iris.json")["classes"] == model.classes
    loaded = load(path)
    assert loaded.classes == ["setosa", "Versicolor", "virginica"]
    rows = [[0.1, 0.2, 0.3, 0.4], [-1.0, 2.0, 0.5, 0.0]]
    assert loaded.predict(rows) == model.predict(rows)
    assert loaded.outputs(rows) == model.outputs(rows)


def test_a_model_without_class_names_loads_with_none(model, saved):
    assert "classes" not in document(saved)
    assert load(saved).classes is None


@pytest.mark.parametrize("classes, message", [
    (["a", "b"], r"2 class names for a model of 3 classes \(3 outputs\)"),
    ("abc", "classes is str, not a list of names"),
    (["a", 2, "c"], "class name 1 is 2, not a str"),
    (["a", "b", "a"], "the class name 'a' appears twice"),
])
def test_bad_class_names_are_refused_on_save_and_on_load(tmp_path, classes, message):
    model = MLP(2, [3], seed=0)
    model.classes = classes
    with pytest.raises(ValueError, match="save: model.classes: " + message):
        save(model, tmp_path / "m.json")
    model.classes = None
    path = tmp_path / "m.json"
    save(model, path)
    doc = document(path)
    doc["classes"] = classes
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="not a valid plaingrad model: " + message):
        load(path)


def test_a_one_output_model_takes_two_class_names(tmp_path):
    model = MLP(2, [1], seed=0)
    model.classes = ["B", "M"]
    assert load(save(model, tmp_path / "m.json")).classes == ["B", "M"]
    model.classes = ["B", "M", "X"]
    with pytest.raises(ValueError, match=r"3 class names for a model of 2 classes \(one output"):
        save(model, tmp_path / "m.json")
