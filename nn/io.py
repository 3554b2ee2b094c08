"""Save and load an MLP as JSON: its architecture and every weight by name. Never pickle.

>>> import os, tempfile
>>> from nn import MLP
>>> model = MLP(2, [16, 16, 1], seed=0)
>>> path = save(model, os.path.join(tempfile.mkdtemp(), "model.json"))  # atomically
>>> load(path).predict([[0.5, -1.0]]) == model.predict([[0.5, -1.0]])  # checked on load
True

The file looks like::

    {"format": "plaingrad-mlp", "version": 1,
     "architecture": {"nin": 2, "nouts": [16, 16, 1],
                      "activation": "relu", "output_activation": "linear"},
     "parameters": {"layer1.neuron1.w1": 0.41, ..., "layer3.neuron1.b": -0.2}}

and, when the model's `classes` names them, ``"classes": ["setosa", "versicolor", ...]``
(class 0 first): one name per output of a k-class model, two for one output.
"""

import json
import math
import numbers
import os

from autograd.files import atomic_write
from nn.module import MAX_PARAMETERS, MLP, count_parameters

__all__ = ["FORMAT", "VERSION", "save", "load"]

FORMAT = "plaingrad-mlp"
VERSION = 1

# A saved parameter takes ~40 characters ("layer1.neuron1.w1": -0.123...); anything far
# beyond that for the largest model allowed is not a model file (e.g. /dev/zero).
_MAX_CHARS = 100 * MAX_PARAMETERS


def _class_count(nouts):
    """How many classes names a model with these layer sizes has: k outputs, or 2 for one."""
    return nouts[-1] if nouts[-1] > 1 else 2


def _check_classes(classes, nouts):
    """The class names as a list of str, one per class, else the problem as a message."""
    if not isinstance(classes, (list, tuple)):
        return None, f"classes is {type(classes).__name__}, not a list of names"
    k = _class_count(nouts)
    if len(classes) != k:
        return None, (f"{len(classes)} class names for a model of {k} classes "
                      f"({'one output' if nouts[-1] == 1 else f'{k} outputs'})")
    for i, name in enumerate(classes):
        if not isinstance(name, str):
            return None, f"class name {i} is {_short(name)}, not a str"
    if len(set(classes)) != len(classes):
        twice = next(name for i, name in enumerate(classes) if name in classes[:i])
        return None, f"the class name {_short(twice)} appears twice"
    return list(classes), None


def save(model, path):
    """Write `model` (an MLP) to `path` as JSON, with its `classes` if set; returns the path."""
    if not isinstance(model, MLP):
        raise TypeError(f"save: expected an MLP, got {type(model).__name__}")
    classes = getattr(model, "classes", None)
    if classes is not None:
        classes, problem = _check_classes(classes, model.nouts)
        if problem:
            raise ValueError(f"save: model.classes: {problem}")
    params = {}
    for name, p in model.named_parameters().items():
        if not math.isfinite(p.data):
            raise ValueError(f"save: parameter {name} is {p.data}; refusing to save a "
                             "model with non-finite weights")
        params[name] = p.data
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {
            "nin": model.nin,
            "nouts": list(model.nouts),
            "activation": model.activation,
            "output_activation": model.output_activation,
        },
        "parameters": params,
    }
    if classes is not None:
        document["classes"] = classes
    # json writes floats with repr, so they read back bit for bit.
    return atomic_write(path, json.dumps(document, indent=1, allow_nan=False) + "\n")


def _reject_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _unique_keys(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"the key {twice!r} appears twice")
    return obj


def _short(value, width=60):
    """repr(value) cut to `width` characters: a tampered file can hold a huge value."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def load(path):
    """Read an MLP written by `save`, checking everything; a bad file is a ValueError."""
    path = os.fspath(path)
    try:
        # utf-8-sig: a byte-order mark (some editors write one) is read past, as load_csv does.
        with open(path, encoding="utf-8-sig") as f:
            text = f.read(_MAX_CHARS + 1)
        if len(text) > _MAX_CHARS:
            raise ValueError(f"longer than {_MAX_CHARS:,} characters, more than a model "
                             f"of {MAX_PARAMETERS:,} parameters needs")
        document = json.loads(text, parse_constant=_reject_constant,
                              object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError(f"{path}: not a valid model file (JSON nested too deeply)") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a valid model file (not UTF-8 text)") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not a valid model file ({_json_problem(error)})") from None
    except ValueError as error:
        raise ValueError(f"{path}: not a valid model file ({error})") from None

    def bad(message):
        return ValueError(f"{path}: not a valid plaingrad model: {message}")

    if not isinstance(document, dict):
        raise bad("the top level is not a JSON object")
    _expect_keys(document, {"format", "version", "architecture", "parameters"}, "the file", bad,
                 optional={"classes"})
    if document["format"] != FORMAT:
        raise bad(f"format is {_short(document['format'])}, expected {FORMAT!r}")
    if document["version"] != VERSION or isinstance(document["version"], bool):
        raise bad(f"version {_short(document['version'])} is not supported (this plaingrad "
                  f"reads version {VERSION})")

    arch = document["architecture"]
    if not isinstance(arch, dict):
        raise bad("architecture is not an object")
    _expect_keys(arch, {"nin", "nouts", "activation", "output_activation"}, "architecture", bad)
    nouts = arch["nouts"]
    if not isinstance(nouts, list):
        raise bad(f"architecture.nouts is not a list: {_short(nouts)}")
    for key, value in [("nin", arch["nin"])] + [("nouts", n) for n in nouts]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad(f"architecture.{key} holds {_short(value)}, not a positive int")
    for key in ("activation", "output_activation"):
        if not isinstance(arch[key], str):
            raise bad(f"architecture.{key} is not a string: {_short(arch[key])}")
    params = document["parameters"]
    if not isinstance(params, dict):
        raise bad("parameters is not an object")
    # Count before building, so a tampered size cannot allocate a giant model.
    count = count_parameters(arch["nin"], nouts)
    if count != len(params):
        raise bad(f"the architecture has {count} parameters but the file holds {len(params)}")
    try:
        model = MLP(arch["nin"], nouts, arch["activation"], arch["output_activation"], seed=0)
    except ValueError as error:
        raise bad(str(error)) from None

    expected = model.named_parameters()
    _expect_keys(params, set(expected), "parameters", bad)
    for name, p in expected.items():
        value = params[name]
        if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                or not math.isfinite(_as_float(value)):
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            raise bad(f"parameter {name} is {shown}, not a finite number")
        p.data = float(value)
    if "classes" in document:
        model.classes, problem = _check_classes(document["classes"], nouts)
        if problem:
            raise bad(problem)
    return model


def _json_problem(error):
    """What is wrong with the JSON text, in a user's words: text after the end, a file that
    stops early, or a mistake at a line and column."""
    at = f"line {error.lineno}, column {error.colno}"
    if error.msg == "Extra data":  # a whole JSON document, then more
        follows = error.doc[error.pos:error.pos + 30].split("\n")[0]
        return (f"the JSON ends before {at}, where more text follows: {follows!r}; "
                "remove what follows the model")
    if not error.doc.strip():
        return "the file is empty"
    # A string without its closing quote runs to the end of the file.
    if not error.doc[error.pos:].strip() or error.msg.startswith("Unterminated string"):
        return f"the JSON stops before it is complete (at {at}); was the file truncated?"
    return f"broken JSON at {at}: {error.msg}"


def _as_float(value):
    """float(value), or inf for an int too large for a float (JSON allows 1 with 400 zeros)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _expect_keys(obj, keys, where, bad, optional=frozenset()):
    missing = sorted(keys - obj.keys())
    extra = sorted(obj.keys() - keys - optional)
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise bad(f"{where} lacks {len(missing)} entr{'y' if len(missing) == 1 else 'ies'}: "
                  f"{shown}")
    if extra:
        shown = ", ".join(extra[:5]) + (", ..." if len(extra) > 5 else "")
        raise bad(f"{where} has unexpected entr{'y' if len(extra) == 1 else 'ies'}: {shown}")
