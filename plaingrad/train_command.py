"""`plaingrad train`: train an MLP on a toy data set, the digits or a CSV file and draw what
it learned.

    $ plaingrad train                       # two moons, MLP(2, [16, 16, 1]), Adam
    $ plaingrad train --dataset xor --hidden 8,8 --activation tanh
    $ plaingrad train --dataset spiral      # 3 classes: MLP(2, [16, 16, 3]), cross-entropy
    $ plaingrad train --dataset digits      # 10 classes of 8×8 images: MLP(64, [32, 10])
    $ plaingrad train --csv data.csv --target label --epochs 50

Writes into --out (default runs/<dataset>/): model.json, history.csv, the
curves and (for 2-D data) the decision regions as PNG and SVG, and the
computation graph of the first neuron on one sample as SVG. A run of more than
two classes (trained with cross_entropy) also writes the confusion matrix of
the test set, and digits a grid of the test images it got wrong.
"""

import argparse
import csv
import io
import math
import os
import re
import shutil
import sys
import tempfile
from typing import NamedTuple

try:
    import fcntl  # POSIX: locks that die with their process (see _sweep_staging)
except ImportError:
    fcntl = None

from autograd.files import atomic_write
from nn.data import (
    DATASETS,
    DIGIT_SHAPE,
    MAX_SAMPLES,
    digits,
    load_csv,
    standardize,
    train_test_split,
)
from nn.io import save
from nn.losses import LOSSES, get_loss
from nn.module import ACTIVATIONS, INITS, MAX_PARAMETERS, MLP, count_parameters
from nn.optim import OPTIMIZERS
from nn.train import DEFAULT_LR, accuracy, class_accuracy, confusion_matrix, default_threshold, fit
from plaingrad.cli import positive_int, signals_held

DEFAULT_EPOCHS = 20
DEFAULT_BATCH_SIZE = 32
DEFAULT_SAMPLES = 300
DEFAULT_HIDDEN = [16, 16]
DEFAULT_CLASSES = 3  # the arms of --dataset spiral
# The digits' own defaults: 64 inputs want small starting weights (init fan_in), and five
# epochs of MLP(64, [32, 10]) pass 95% test accuracy (bench/README.md has the figures).
DIGITS_DEFAULTS = {"hidden": [32], "epochs": 5, "init": "fan_in"}
# The cost of more than two classes; two take bce_with_logits unless told otherwise.
MANY_CLASSES_LOSS = "cross_entropy"
# A run's hidden staging folder is STAGING + mkdtemp's 8 random characters; the run holds a
# lock on the file STAGING_LOCK in it for as long as it lives (see _sweep_staging).
STAGING = ".plaingrad-train-"
STAGING_LOCK = ".lock"
_STAGING_NAME = re.compile(re.escape(STAGING) + r"[a-z0-9_]{8}")
# What `train` writes into --out.
OUTPUTS = ("model.json", "history.csv", "curves.png", "curves.svg", "decision_boundary.png",
           "decision_boundary.svg", "confusion_matrix.png", "confusion_matrix.svg",
           "misclassified.png", "misclassified.svg", "neuron_graph.svg")


def _samples(text):
    n = positive_int(text)
    if n < 2:
        raise argparse.ArgumentTypeError(f"at least 2 points (some to train on, some to "
                                         f"test), got {n}")
    if n > MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"at most {MAX_SAMPLES:,} points, got {n:,}")
    return n


def _finite(text):
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return x


def _positive_float(text):
    x = _finite(text)
    if x <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return x


def _non_negative_float(text):
    x = _finite(text)
    if x < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return x


def _fraction(text):
    x = _finite(text)
    if not 0 < x < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {text}")
    return x


def _column_list(text):
    """--drop: column names, comma-separated and quoted as in a CSV header ("a,b",id)."""
    try:
        names = [name.strip() for name in next(csv.reader([text]), [])]
    except csv.Error:
        names = []
    if not names or not all(names):
        raise argparse.ArgumentTypeError(f"expected comma-separated column names, got {text!r}")
    return names


def _at_least_two(text):
    n = positive_int(text)
    if n < 2:
        raise argparse.ArgumentTypeError(f"at least 2 classes, got {n}")
    return n


def _hidden(text):
    """'16,16' → [16, 16]; '' or 'none' → [] (no hidden layer: logistic regression)."""
    if text.strip().lower() in ("", "none"):
        return []
    sizes = []
    for part in text.split(","):
        try:
            n = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated layer sizes like 16,16, got {text!r}") from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {n}")
        if n > MAX_PARAMETERS:
            raise argparse.ArgumentTypeError(
                f"a layer of {n:,} neurons has more than the {MAX_PARAMETERS:,} parameters "
                "a model may have")
        sizes.append(n)
    return sizes


def _folder(text):
    if not text.strip():
        raise argparse.ArgumentTypeError("the output folder name is empty")
    return text


def _check_out(out):
    """Refuse an output folder `train` could not write into, before training starts."""
    if os.path.islink(out) and not os.path.exists(out):
        raise ValueError(f"--out {out}: a broken symbolic link (to {os.readlink(out)})")
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out}: exists and is not a folder")
    for name in OUTPUTS:
        path = os.path.join(out, name)
        if os.path.isdir(path):
            raise ValueError(f"--out {out}: {name} is a folder, so it cannot be written")
        if os.path.exists(path) and not os.path.isfile(path):
            raise ValueError(f"--out {out}: {name} is not a regular file (a device or a pipe), "
                             "so it cannot be written")
        if os.path.islink(path):  # written through: where it leads must be writable too
            _check_writable_folder(os.path.dirname(os.path.realpath(path)),
                                   f"--out {out}: {name} links to {os.path.realpath(path)}, but")
    _check_writable_folder(os.path.abspath(out), f"--out {out}:")


def _check_writable_folder(folder, what):
    """Refuse `folder` unless it exists or can be made, and can be written in."""
    existing = folder
    while not os.path.exists(existing):  # the nearest folder that exists
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ValueError(f"{what} {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{what} no permission to write in {existing}")


def register(subparsers):
    """Add the `train` subcommand to the `plaingrad` parser."""
    p = subparsers.add_parser(
        "train",
        help="train a small network on toy data, the digits or a CSV file; writes pictures",
        description="Train an MLP with binary cross-entropy (two classes, by default) or "
                    "cross-entropy (more classes) and write the model, its history, the "
                    "training curves, the decision regions (2-D data), the confusion matrix "
                    "(more than two classes), the misclassified images (digits) and the "
                    "computation graph of one neuron into an output folder. Features are "
                    "standardized with the training set's mean and std; model.json takes the "
                    "raw features (the scaling is folded into the first layer).",
        epilog="examples: plaingrad train --dataset circles --hidden 8,8 --epochs 30; "
               "plaingrad train --dataset digits",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=sorted([*DATASETS, "digits"]), default=None,
                        help="a generated 2-D data set (default: moons; spiral has "
                             "--classes arms), or digits: 1,797 handwritten 8×8 images of "
                             "0 to 9, shipped with plaingrad")
    source.add_argument("--csv", metavar="PATH",
                        help="train on a CSV file instead: a header row, numeric feature "
                             "columns and a target column of two or more classes (numbers "
                             "such as 0/1 or 1/2/3 in their order, or words such as B/M in "
                             "sorted order)")
    p.add_argument("--target", metavar="COL", default=None,
                   help="the target column of the CSV file (default: label)")
    p.add_argument("--drop", metavar="COLS", type=_column_list, action="extend", default=None,
                   help="columns of the CSV file to leave out, comma-separated as in the "
                        "file's header (an ID column, say); may be repeated")
    p.add_argument("--samples", type=_samples, default=None,
                   help=f"number of generated points (default {DEFAULT_SAMPLES}, "
                        f"at most {MAX_SAMPLES:,})")
    p.add_argument("--noise", type=_non_negative_float, default=None,
                   help="noise of the generated points (default: the data set's own, "
                        "0.1 for moons)")
    p.add_argument("--classes", type=_at_least_two, default=None,
                   help=f"arms of --dataset spiral, one class each (default {DEFAULT_CLASSES})")
    p.add_argument("--test-size", type=_fraction, default=0.2,
                   help="fraction of the data held out for testing (default 0.2)")
    p.add_argument("--hidden", type=_hidden, default=None, metavar="SIZES",
                   help="hidden layer sizes, comma-separated (default 16,16; 32 for digits; "
                        "'none' for no hidden layer); the output layer has one neuron, or "
                        "one per class with cross_entropy; at most "
                        f"{MAX_PARAMETERS:,} parameters in all")
    p.add_argument("--init", choices=list(INITS), default=None,
                   help="how the weights start: uniform in [-1, 1] (micrograd's, the default) "
                        "or fan_in, in [-1/√n, 1/√n] for n inputs (the default for digits)")
    p.add_argument("--activation", choices=list(ACTIVATIONS), default="relu",
                   help="activation of the hidden layers (default relu)")
    p.add_argument("--loss", choices=list(LOSSES), default=None,
                   help="cost J (default bce_with_logits, on the logit Z, for two classes and "
                        "cross_entropy, on one logit per class, for more; 'bce' puts a sigmoid "
                        "on the output and works on ŷ; 'hinge' is micrograd's max-margin loss)")
    p.add_argument("--optimizer", choices=list(OPTIMIZERS), default="adam",
                   help="update rule (default adam)")
    p.add_argument("--lr", type=_positive_float, default=None,
                   help="learning rate α (default: {})".format(
                       ", ".join(f"{lr:g} for {name}" for name, lr in DEFAULT_LR.items())))
    p.add_argument("--epochs", type=positive_int, default=None,
                   help=f"passes over the training set (default {DEFAULT_EPOCHS}; "
                        f"{DIGITS_DEFAULTS['epochs']} for digits)")
    p.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE,
                   help=f"samples per update step (default {DEFAULT_BATCH_SIZE})")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the data, the split, the weights and the shuffling (default 0)")
    p.add_argument("--out", metavar="DIR", type=_folder, default=None,
                   help="output folder, checked before training (default runs/<dataset>/)")
    p.set_defaults(func=run)


class _Data(NamedTuple):
    X: list
    y: list
    name: str
    where: list     # each feature column as an error message names it
    features: list  # the features' names, for the pictures
    classes: list   # the labels of class 0, 1, ..., as the data writes them
    shape: tuple = None  # (height, width) when each row is an image


def _load_data(args):
    """The data from the generator or the CSV file the options ask for, with its names."""
    if args.csv is not None:
        for option, value in (("--samples", args.samples), ("--noise", args.noise)):
            if value is not None:
                raise ValueError(f"{option} applies to generated data, not to --csv")
        X, y, columns, classes = load_csv(
            args.csv, target="label" if args.target is None else args.target,
            return_names=True, return_classes=True, drop=args.drop or ())
        if classes != [str(c) for c in range(len(classes))]:  # say which label is which class
            print("classes: " + ", ".join(f"{label!r} is {c}" for c, label in enumerate(classes)))
        name = os.path.splitext(os.path.basename(args.csv))[0] or "csv"
        return _Data(X, y, name, [f"{args.csv}: column {c!r}" for c in columns], columns,
                     classes)
    for option, value in (("--target", args.target), ("--drop", args.drop)):
        if value is not None:
            raise ValueError(f"{option} applies to --csv files only")
    name = args.dataset or "moons"
    if name != "spiral" and args.classes is not None:
        raise ValueError("--classes applies to --dataset spiral")
    if name == "digits":
        for option, value in (("--samples", args.samples), ("--noise", args.noise)):
            if value is not None:
                raise ValueError(f"{option} applies to generated data, not to the digits")
        X, y = digits()
        pixels = [f"pixel {r + 1},{c + 1}" for r in range(DIGIT_SHAPE[0])
                  for c in range(DIGIT_SHAPE[1])]
        return _Data(X, y, name, [f"digits: {p}" for p in pixels], pixels,
                     [str(d) for d in range(10)], DIGIT_SHAPE)
    options = {"n_samples": args.samples or DEFAULT_SAMPLES, "seed": args.seed}
    if args.noise is not None:
        options["noise"] = args.noise
    if name == "spiral":
        options["classes"] = args.classes or DEFAULT_CLASSES
    try:
        X, y = DATASETS[name](**options)
    except ValueError as error:  # the generator names its parameters: say which options
        given = "".join(f" --{option} {value}" for option, value in
                        (("samples", args.samples), ("noise", args.noise),
                         ("classes", args.classes)) if value is not None)
        raise ValueError(f"--dataset {name}{given}: {error}") from None
    return _Data(X, y, name, ["x1", "x2"], ["x1", "x2"],
                 [str(c) for c in range(options.get("classes", 2))])


def _too_small(column, std):
    return (f"{column}: the values are too small: they vary by {std:.3g} (std), too little "
            "for a model that takes the raw values; multiply the column by a large number")


def _fold_scaling(model, mean, std, columns=None):
    """Make the first layer take raw features: x' = (x − mean)/std folded into W and b.

    Z = Σ w_j·(x_j − m_j)/s_j + b = Σ (w_j/s_j)·x_j + (b − Σ w_j·(m_j/s_j)).
    A weight or bias that overflows is a ValueError naming its column.
    """
    columns = columns or [f"feature {j}" for j in range(1, len(std) + 1)]
    for neuron in model.layers[0].neurons:
        # mean/std first: w·mean alone overflows for values near 1.8e308 (mean/std never
        # does: a column's spread is at least about an ulp of its mean over √n).
        shifts = [w.data * (m / s) for w, m, s in zip(neuron.w, mean, std)]
        b = neuron.b.data - sum(shifts)
        if not math.isfinite(b):
            j = max(range(len(shifts)), key=lambda j: abs(shifts[j]))
            raise ValueError(f"{columns[j]}: the trained weight {neuron.w[j].data:.3g} times "
                             f"mean/std {mean[j] / std[j]:.3g} overflows the raw-value bias of "
                             "model.json; train with a smaller learning rate")
        for w, s, column in zip(neuron.w, std, columns):
            w.data /= s
            if not math.isfinite(w.data):
                raise ValueError(_too_small(column, s))
        neuron.b.data = b


def _history_csv(history, classes):
    """One row per epoch; a per-class list (class_accuracy) becomes a column per class,
    named after the class, left empty in an epoch where the class has no samples."""
    keys = list(history)
    header = ["epoch"]
    for k in keys:
        per_class = history[k] and isinstance(history[k][0], list)
        header += [f"{k}[{label}]" for label in classes] if per_class else [k]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(len(history["loss"])):
        row = [i + 1]
        for k in keys:
            value = history[k][i]
            cells = value if isinstance(value, list) else [value]
            row += ["" if v is None else repr(v) for v in cells]
        writer.writerow(row)
    return out.getvalue()


def _neuron_graph(model, X, y, loss, path):
    """Draw layer1.neuron1 on one sample, with the gradients of the cost J on that sample.

    The sample is the first one on which the neuron is active (Z > 0), so its
    gradients are not all zero; its features are labelled x1, x2, ...
    """
    from autograd import Value

    neuron = model.layers[0].neurons[0]
    index = next((i for i, row in enumerate(X)
                  if sum(w.data * v for w, v in zip(neuron.w, row)) + neuron.b.data > 0), 0)
    x = [Value(v, label=f"x{j}") for j, v in enumerate(X[index], 1)]
    model.zero_grad()
    hidden = model.layers[0].forward(x)  # hidden[0] is the first neuron's output
    outputs = hidden
    for layer in model.layers[1:]:
        outputs = layer.forward(outputs)
    # One sample: a list of one Value, or of k logits (one sample of cross_entropy).
    get_loss(loss)([outputs] if len(outputs) > 1 else outputs, [y[index]]).backward()
    # Name the lecture's quantities on the drawing: W·x, Z = W·x + b, a = g(Z).
    a = hidden[0]
    z = a if neuron.activation == "linear" else a.parents[0]
    z.parents[0].label = "W·x"
    z.label = "Z = W·x + b"
    if a is not z:
        a.label = f"layer1.neuron1 = {neuron.activation}(Z)"
    else:
        a.label = "layer1.neuron1 = Z"
    import viz

    try:
        return viz.render(hidden[0], path, format="svg"), index
    finally:
        model.zero_grad()


def _draw_outputs(folder, model, history, data, optimizer, lr, loss, X_train, y_train,
                  X_test, y_test, threshold, test_acc):
    """Write the model, its history and the pictures into `folder`; returns their paths."""
    written = [save(model, os.path.join(folder, "model.json")),
               atomic_write(os.path.join(folder, "history.csv"),
                            _history_csv(history, data.classes))]

    from viz import plots  # matplotlib is imported only now

    written += plots.training_curves(history, os.path.join(folder, "curves"),
                                     title=f"{data.name}, {optimizer} lr {lr:g}")
    class_names = [f"class {i}" if label == str(i) else f"{label} (class {i})"
                   for i, label in enumerate(data.classes)]
    if len(data.features) == 2:
        written += plots.decision_boundary(
            model.predict, X_test + X_train, y_test + y_train,
            os.path.join(folder, "decision_boundary"), threshold=threshold,
            title=f"{data.name}: test accuracy {test_acc:.1%} (training and test points)",
            axis_labels=data.features, class_names=class_names)
    if threshold is None:  # one output per class: which classes are taken for which
        predicted = model.predict(X_test)
        written += plots.confusion_matrix(
            confusion_matrix(predicted, y_test, len(data.classes)),
            os.path.join(folder, "confusion_matrix"), class_names=data.classes,
            title=f"{data.name}, test set")
        if data.shape is not None:
            wrong = [i for i, (p, t) in enumerate(zip(predicted, y_test)) if p != t]
            written += plots.misclassified_images(
                [X_test[i] for i in wrong], [y_test[i] for i in wrong],
                [predicted[i] for i in wrong], os.path.join(folder, "misclassified"),
                data.shape, class_names=data.classes,
                title=f"{data.name}: {len(wrong)} of {len(y_test)} test images misclassified")
    import viz  # imported here: it needs graphviz, which `import nn` must not load

    try:
        drawn, index = _neuron_graph(model, X_test, y_test, loss,
                                     os.path.join(folder, "neuron_graph.svg"))
    except (viz.RenderError, ValueError) as error:
        # RenderError: no `dot`, `dot` failing or too slow; ValueError: too large to lay out.
        # The model and the other pictures are written: skip only this one.
        print(f"warning: skipped neuron_graph.svg: {error}", file=sys.stderr)
    else:
        written.append(os.fspath(drawn))
        print(f"neuron graph: layer1.neuron1 on test sample {index + 1}, "
              "with the gradients of its cost J")
    return written


def _lock_staging(folder):
    """Lock a file in this run's staging folder; the lock lasts as long as the process.

    Returns the file descriptor to close at the end, or None where there is no flock.
    """
    if fcntl is None:
        return None
    path = os.path.join(folder, STAGING_LOCK)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without locks: no lock file, so no run sweeps this one
        os.close(fd)
        os.unlink(path)
        return None
    return fd


def _sweep_staging(out):
    """Remove the staging folders that unfinished runs left in `out`; return their paths.

    A run killed outright (SIGKILL, a power cut) cannot remove its staging folder, but
    the kernel releases its lock on the folder's lock file when the process ends, on
    any host and in any container. A later run removes a folder whose lock it can take.
    A folder whose lock is held (a live run), with no lock file (a run just starting),
    of another user, or not named and made as a staging folder, stays.
    """
    swept = []
    if fcntl is None:
        return swept  # no flock (Windows): leftovers stay
    for entry in os.scandir(out):
        if not _STAGING_NAME.fullmatch(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            fd = os.open(os.path.join(entry.path, STAGING_LOCK), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # refused while a live run holds it
            shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue
        finally:
            os.close(fd)
        if not os.path.lexists(entry.path):
            swept.append(entry.path)
    return swept


def _move_into(out, paths):
    """Move the finished files into `out` (renames in one folder: quick); returns the new paths.

    A symbolic link in `out` is written through, as atomic_write does, not replaced.
    """
    moved = []
    for path in paths:
        target = os.path.join(out, os.path.basename(path))
        if os.path.islink(target):
            with open(path, "rb") as file:
                atomic_write(target, file.read())
        else:
            os.replace(path, target)
        moved.append(target)
    return moved


def run(args):
    """Train as the options say, write the outputs, print the paths; returns the exit status."""
    data = _load_data(args)
    X, y, name, columns = data.X, data.y, data.name, data.where
    if len(X) < 2:
        raise ValueError(f"{name}: {len(X)} sample(s) cannot be split into training and test")
    if len(set(y)) < 2:
        raise ValueError(f"{name}: every label is {y[0]:g}; a classifier needs samples of at "
                         "least two classes")
    k = len(data.classes)
    defaults = DIGITS_DEFAULTS if name == "digits" and args.csv is None else {}
    hidden = args.hidden if args.hidden is not None else defaults.get("hidden", DEFAULT_HIDDEN)
    epochs = args.epochs if args.epochs is not None else defaults.get("epochs", DEFAULT_EPOCHS)
    init = args.init if args.init is not None else defaults.get("init", "uniform")
    loss = args.loss or (MANY_CLASSES_LOSS if k > 2 else "bce_with_logits")
    if k > 2 and loss != MANY_CLASSES_LOSS:
        raise ValueError(f"--loss {loss}: {name} has {k} classes, but {loss} tells two apart "
                         f"(one output); use --loss {MANY_CLASSES_LOSS}, the default for more "
                         "than two")
    outputs = k if loss == MANY_CLASSES_LOSS else 1
    out = args.out if args.out is not None else os.path.join("runs", name)
    _check_out(out)
    count = count_parameters(len(X[0]), [*hidden, outputs])
    if count > MAX_PARAMETERS:
        raise ValueError(f"{len(X[0])} features and --hidden {','.join(map(str, hidden))} "
                         f"make {count:,} parameters, more than the {MAX_PARAMETERS:,} a "
                         "pure-Python engine trains in reasonable time")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=args.test_size,
                                                        seed=args.seed)
    S_train, S_test, mean, std = standardize(X_train, X_test, columns)
    for column, s in zip(columns, std):
        if not math.isfinite(1.0 / s):  # model.json takes raw values: W / std would overflow
            raise ValueError(_too_small(column, s))
    model = MLP(len(X[0]), [*hidden, outputs], activation=args.activation,
                output_activation="sigmoid" if loss == "bce" else "linear", seed=args.seed,
                init=init)
    model.classes = list(data.classes)  # model.json names them
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    print(f"data: {name}, {len(X_train)} training and {len(X_test)} test samples, "
          f"{len(X[0])} features (standardized), {k} classes")
    print(f"model: {model}, {len(model.parameters())} parameters (init {init}); loss {loss}, "
          f"{args.optimizer} lr {lr:g}, {epochs} epochs of batches of {args.batch_size}")

    from tqdm import tqdm  # imported here: `import nn` stays light

    with tqdm(total=epochs, desc="train", unit="epoch", file=sys.stderr) as bar:
        def progress(epoch, history):
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                            acc=f"{history['accuracy'][-1]:.3f}",
                            test_acc=f"{history['test_accuracy'][-1]:.3f}", refresh=False)
            bar.update(1)

        history = fit(model, S_train, y_train, loss=loss, optimizer=args.optimizer, lr=lr,
                      epochs=epochs, batch_size=args.batch_size, seed=args.seed,
                      callback=progress, validation_data=(S_test, y_test))

    # From here on the model takes raw features, as model.json will.
    _fold_scaling(model, mean, std, columns)
    threshold = None if outputs > 1 else default_threshold(model, loss)
    train_acc = accuracy(model.predict(X_train), y_train, threshold)
    test_acc = accuracy(model.predict(X_test), y_test, threshold)
    print(f"train accuracy {train_acc:.1%}   test accuracy {test_acc:.1%}")
    if outputs > 1:
        shares = class_accuracy(model.predict(X_test), y_test, k)
        print("test accuracy per class: " + ", ".join(
            f"{label} {'-' if a is None else f'{a:.1%}'}"
            for label, a in zip(data.classes, shares)))
    if history["loss"][-1] > history["loss"][0]:
        print(f"warning: the cost J rose from {history['loss'][0]:.4g} (epoch 1) to "
              f"{history['loss'][-1]:.4g} (epoch {epochs}); the learning rate may be "
              "too large", file=sys.stderr)

    # Everything is drawn into a hidden folder inside `out` first and moved in only when
    # all of it is done: an error or Ctrl-C while drawing leaves the earlier run whole, and
    # a signal during the moves waits for them, so that the folder never holds two runs.
    os.makedirs(out, exist_ok=True)
    with signals_held():
        for path in _sweep_staging(out):
            print(f"removed {path} (left by an unfinished run)")
        staging = tempfile.mkdtemp(prefix=STAGING, dir=out)
    lock = None
    try:
        lock = _lock_staging(staging)
        drawn = _draw_outputs(staging, model, history, data, args.optimizer, lr, loss,
                              X_train, y_train, X_test, y_test, threshold, test_acc)
        with signals_held():
            written = _move_into(out, drawn)
            # A picture this run did not draw (no decision boundary for 3 features, a
            # skipped graph) must not stay beside the new model as if it showed it.
            stale = [os.path.join(out, name) for name in OUTPUTS
                     if name not in {os.path.basename(p) for p in written}
                     and os.path.isfile(os.path.join(out, name))]
            for path in stale:
                os.remove(path)
    finally:
        with signals_held():
            shutil.rmtree(staging, ignore_errors=True)
            if lock is not None:
                os.close(lock)
    print("wrote:")
    for path in written:
        print(f"  {path}")
    for path in stale:
        print(f"removed {path} (from an earlier run)")
    return 0
