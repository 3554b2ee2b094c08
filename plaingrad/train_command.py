"""`plaingrad train`: train an MLP on a toy data set, the digits or a CSV file and draw what
it learned.

    $ plaingrad train                       # two moons, MLP(2, [16, 16, 1]), Adam
    $ plaingrad train --dataset xor --hidden 8,8 --activation tanh
    $ plaingrad train --dataset spiral      # 3 classes: MLP(2, [16, 16, 3]), cross-entropy
    $ plaingrad train --dataset digits      # 10 classes of 8×8 images: MLP(64, [32, 10])
    $ plaingrad train --csv data.csv --target label --epochs 50

Writes into --out (default runs/<dataset>/): model.json, history.csv, the
curves and (for 2-D data) the decision regions as PNG and SVG, and the
computation graph of the first neuron on one sample as SVG and HTML. A run of
one output per class (cross_entropy, the default beyond two classes) also
writes the confusion matrix of the test set, and digits a grid of the test
images it got wrong.
"""

import argparse
import csv
import io
import os
import sys
from typing import NamedTuple

from autograd.files import atomic_write
from nn.csv_file import load_csv
from nn.data import (
    DATASETS,
    DIGIT_SHAPE,
    MAX_SAMPLES,
    check_foldable,
    digits,
    fold_scaling,
    standardize,
    train_test_split,
)
from nn.io import save
from nn.losses import LOSSES
from nn.module import ACTIVATIONS, INITS, MAX_PARAMETERS, MLP, count_parameters
from nn.optim import OPTIMIZERS
from nn.train import (
    DEFAULT_LR,
    accuracy,
    class_accuracy,
    confusion_matrix,
    default_threshold,
    fit,
    neuron_on_sample,
)
from plaingrad import staging
from plaingrad.arguments import (
    column_names,
    folder_name,
    fraction,
    integer,
    layer_sizes,
    non_negative_float,
    positive_float,
    positive_int,
    sample_count,
)
from plaingrad.outputs import check_file, check_folder

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
# What `train` writes into --out.
OUTPUTS = ("model.json", "history.csv", "curves.png", "curves.svg", "decision_boundary.png",
           "decision_boundary.svg", "confusion_matrix.png", "confusion_matrix.svg",
           "misclassified.png", "misclassified.svg", "neuron_graph.svg", "neuron_graph.html")


def _check_out(out):
    """Refuse an output folder `train` could not write into, before training starts."""
    what = f"--out {out}:"
    check_folder(os.path.abspath(out), what)
    for name in OUTPUTS:
        check_file(os.path.join(out, name), what, name)


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
    p.add_argument("--drop", metavar="COLS", type=column_names, action="extend", default=None,
                   help="columns of the CSV file to leave out, comma-separated as in the "
                        "file's header (an ID column, say); may be repeated")
    p.add_argument("--samples", type=sample_count, default=None,
                   help=f"number of generated points (default {DEFAULT_SAMPLES}, "
                        f"at most {MAX_SAMPLES:,})")
    p.add_argument("--noise", type=non_negative_float, default=None,
                   help="noise of the generated points (default: the data set's own, "
                        "0.1 for moons)")
    p.add_argument("--classes", type=_at_least_two, default=None,
                   help=f"arms of --dataset spiral, one class each (default {DEFAULT_CLASSES})")
    p.add_argument("--test-size", type=fraction, default=0.2,
                   help="fraction of the data held out for testing (default 0.2)")
    p.add_argument("--hidden", type=layer_sizes, default=None, metavar="SIZES",
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
    p.add_argument("--lr", type=positive_float, default=None,
                   help="learning rate α (default: {})".format(
                       ", ".join(f"{lr:g} for {name}" for name, lr in DEFAULT_LR.items())))
    p.add_argument("--epochs", type=positive_int, default=None,
                   help=f"passes over the training set (default {DEFAULT_EPOCHS}; "
                        f"{DIGITS_DEFAULTS['epochs']} for digits)")
    p.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE,
                   help=f"samples per update step (default {DEFAULT_BATCH_SIZE})")
    p.add_argument("--seed", type=integer, default=0,
                   help="seed of the data, the split, the weights and the shuffling (default 0)")
    p.add_argument("--no-compile", action="store_true",
                   help="build every batch's graph eagerly instead of running the compiled "
                        "per-sample cost (autograd.compile); the same numbers to rounding")
    p.add_argument("--out", metavar="DIR", type=folder_name, default=None,
                   help="output folder, checked before training (default runs/<dataset>/)")
    p.set_defaults(func=run)


def _at_least_two(text):
    n = positive_int(text)
    if n < 2:
        raise argparse.ArgumentTypeError(f"at least 2 classes, got {n}")
    return n


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


def _count(n, noun):
    """'1 feature', '2 features', '1,000 epochs'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


_LISTED = 6  # the neuron graph's caption gives the whole ∂J/∂x of this many inputs at most


def _neuron_caption(model, index, features, input_grads):
    """What the neuron graph shows, in its words: one neuron of the layer, its share of ∂J/∂x."""
    from autograd.explain import format_number

    width = len(model.layers[0].neurons)
    lines = [f"layer1.neuron1 on test sample {index + 1}, with the gradients of its cost J"]
    if width > 1:
        lines += [f"It is one of the {width} neurons of layer 1: each input's grad here is its "
                  "share, w·∂J/∂Z, and the rest of ∂J/∂input",
                  f"comes through the other {_count(width - 1, 'neuron')}. In all: " + ", ".join(
                      f"∂J/∂{name} = {format_number(g)}"
                      for name, g in zip(features[:_LISTED], input_grads))
                  + (", …" if len(features) > _LISTED else "")]
    return "\n".join(lines)


def _draw_outputs(folder, model, history, data, optimizer, lr, loss, X_train, y_train,
                  X_test, y_test, threshold, test_acc):
    """Write the model, its history and the pictures into `folder`; returns their paths."""
    written = [save(model, os.path.join(folder, "model.json")),
               atomic_write(os.path.join(folder, "history.csv"),
                            _history_csv(history, data.classes))]

    # Imported only now: graphviz and matplotlib take a while to load.
    from viz import RenderError, plots
    from viz.neuron import draw_neuron

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
    # layer1.neuron1 on one test sample, with the gradients of the cost J on that sample.
    a, index, input_grads = neuron_on_sample(model, X_test, y_test, loss, names=data.features)
    caption = _neuron_caption(model, index, data.features, input_grads)
    drawn = []
    try:
        for name in ("neuron_graph.svg", "neuron_graph.html"):
            try:
                drawn.append(os.fspath(draw_neuron(a, os.path.join(folder, name),
                                                   model.layers[0].neurons[0].activation,
                                                   caption=caption)))
            except RenderError as error:  # no `dot`, `dot` failing or too slow
                # The model and the other pictures are written: skip only this one.
                print(f"warning: skipped {name}: {error}", file=sys.stderr)
            except ValueError:  # over viz's size limits (its message speaks to Python callers)
                inputs = len(model.layers[0].neurons[0].w)
                print(f"warning: skipped {name}: a neuron of {_count(inputs, 'input')} is too "
                      "large a drawing for Graphviz to lay out in reasonable time; the other "
                      "outputs are written", file=sys.stderr)
    finally:
        model.zero_grad()
    if drawn:
        written += drawn
        print(f"neuron graph: layer1.neuron1 on test sample {index + 1}, "
              "with the gradients of its cost J")
    return written


def run(args):
    """Train as the options say, write the outputs, print the paths; returns the exit status."""
    data = _load_data(args)
    X, y, name, columns = data.X, data.y, data.name, data.where
    if len(X) < 2:
        raise ValueError(f"{name}: {_count(len(X), 'sample')} cannot be split into training "
                         "and test")
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
        sizes = ",".join(map(str, hidden))
        raise ValueError(f"{_count(len(X[0]), 'feature')} and --hidden {sizes} make "
                         f"{count:,} parameters, more than the {MAX_PARAMETERS:,} a "
                         "pure-Python engine trains in reasonable time")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=args.test_size,
                                                        seed=args.seed)
    S_train, S_test, mean, std = standardize(X_train, X_test, columns)
    check_foldable(std, columns)  # model.json takes raw values: refuse what cannot be folded
    model = MLP(len(X[0]), [*hidden, outputs], activation=args.activation,
                output_activation="sigmoid" if loss == "bce" else "linear", seed=args.seed,
                init=init)
    model.classes = list(data.classes)  # model.json names them
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    print(f"data: {name}, {len(X_train)} training and {_count(len(X_test), 'test sample')}, "
          f"{_count(len(X[0]), 'feature')} (standardized), {k} classes")
    print(f"model: {model}, {_count(len(model.parameters()), 'parameter')} (init {init}); "
          f"loss {loss}, {args.optimizer} lr {lr:g}, {_count(epochs, 'epoch')} of batches of "
          f"{args.batch_size}")

    from tqdm import tqdm  # imported here: `import nn` stays light

    with tqdm(total=epochs, desc="train", unit="epoch", file=sys.stderr) as bar:
        def progress(epoch, history):
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                            acc=f"{history['accuracy'][-1]:.3f}",
                            test_acc=f"{history['test_accuracy'][-1]:.3f}", refresh=False)
            bar.update(1)

        history = fit(model, S_train, y_train, loss=loss, optimizer=args.optimizer, lr=lr,
                      epochs=epochs, batch_size=args.batch_size, seed=args.seed,
                      callback=progress, validation_data=(S_test, y_test),
                      compile=not args.no_compile)

    # From here on the model takes raw features, as model.json will.
    fold_scaling(model, mean, std, columns)
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
    # all of it is done: an error or Ctrl-C while drawing leaves the earlier run whole.
    os.makedirs(out, exist_ok=True)
    with staging.folder(out) as (folder, swept):
        for path in swept:
            print(f"removed {path} (left by an unfinished run)")
        drawn = _draw_outputs(folder, model, history, data, args.optimizer, lr, loss,
                              X_train, y_train, X_test, y_test, threshold, test_acc)
        written, stale = staging.move_into(out, drawn, OUTPUTS)
    print("wrote:")
    for path in written:
        print(f"  {path}")
    for path in stale:
        print(f"removed {path} (from an earlier run)")
    return 0
