"""`plaingrad train`: train an MLP on a 2-D toy data set or a CSV file and draw what it learned.

    $ plaingrad train                       # two moons, MLP(2, [16, 16, 1]), Adam
    $ plaingrad train --dataset xor --hidden 8,8 --activation tanh
    $ plaingrad train --csv data.csv --target label --epochs 50

Writes into --out (default runs/<dataset>/): model.json, history.csv, the
curves and (for 2-D data) the decision boundary as PNG and SVG, and the
computation graph of the first neuron on one sample as SVG.
"""

import csv
import io
import os
import sys
from typing import NamedTuple

from autograd.files import atomic_write
from nn.csv_file import load_csv
from nn.data import (
    DATASETS,
    MAX_SAMPLES,
    check_foldable,
    fold_scaling,
    standardize,
    train_test_split,
)
from nn.io import save
from nn.losses import LOSSES
from nn.module import ACTIVATIONS, MAX_PARAMETERS, MLP, count_parameters
from nn.optim import OPTIMIZERS
from nn.train import DEFAULT_LR, accuracy, default_threshold, fit, neuron_on_sample
from plaingrad import staging
from plaingrad.arguments import (
    column_names,
    folder_name,
    fraction,
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
# What `train` writes into --out.
OUTPUTS = ("model.json", "history.csv", "curves.png", "curves.svg", "decision_boundary.png",
           "decision_boundary.svg", "neuron_graph.svg", "neuron_graph.html")


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
        help="train a small network on toy 2-D data or a CSV file; writes pictures",
        description="Train an MLP with binary cross-entropy (by default) and write the model, "
                    "its history, the training curves, the decision boundary (2-D data) and "
                    "the computation graph of one neuron into an output folder. Features are "
                    "standardized with the training set's mean and std; model.json takes the "
                    "raw features (the scaling is folded into the first layer).",
        epilog="example: plaingrad train --dataset circles --hidden 8,8 --epochs 30",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=sorted(DATASETS), default=None,
                        help="a generated 2-D data set (default: moons)")
    source.add_argument("--csv", metavar="PATH",
                        help="train on a CSV file instead: a header row, numeric feature "
                             "columns and a target column of two classes (0/1, two numbers "
                             "such as -1/1, or two words such as B/M, in sorted order)")
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
    p.add_argument("--test-size", type=fraction, default=0.2,
                   help="fraction of the data held out for testing (default 0.2)")
    p.add_argument("--hidden", type=layer_sizes, default=[16, 16], metavar="SIZES",
                   help="hidden layer sizes, comma-separated (default 16,16; 'none' for no "
                        "hidden layer); the output layer has one neuron; at most "
                        f"{MAX_PARAMETERS:,} parameters in all")
    p.add_argument("--activation", choices=list(ACTIVATIONS), default="relu",
                   help="activation of the hidden layers (default relu)")
    p.add_argument("--loss", choices=list(LOSSES), default="bce_with_logits",
                   help="cost J (default bce_with_logits, on the logit Z; 'bce' puts a sigmoid "
                        "on the output and works on ŷ; 'hinge' is micrograd's max-margin loss)")
    p.add_argument("--optimizer", choices=list(OPTIMIZERS), default="adam",
                   help="update rule (default adam)")
    p.add_argument("--lr", type=positive_float, default=None,
                   help="learning rate α (default: {})".format(
                       ", ".join(f"{lr:g} for {name}" for name, lr in DEFAULT_LR.items())))
    p.add_argument("--epochs", type=positive_int, default=DEFAULT_EPOCHS,
                   help=f"passes over the training set (default {DEFAULT_EPOCHS})")
    p.add_argument("--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE,
                   help=f"samples per update step (default {DEFAULT_BATCH_SIZE})")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the data, the split, the weights and the shuffling (default 0)")
    p.add_argument("--out", metavar="DIR", type=folder_name, default=None,
                   help="output folder, checked before training (default runs/<dataset>/)")
    p.set_defaults(func=run)


class _Data(NamedTuple):
    X: list
    y: list
    name: str
    where: list     # each feature column as an error message names it
    features: list  # the features' names, for the pictures
    classes: list   # the labels of class 0 and class 1, as the data writes them


def _load_data(args):
    """The data from the generator or the CSV file the options ask for, with its names."""
    if args.csv is not None:
        for option, value in (("--samples", args.samples), ("--noise", args.noise)):
            if value is not None:
                raise ValueError(f"{option} applies to generated data, not to --csv")
        X, y, columns, classes = load_csv(
            args.csv, target="label" if args.target is None else args.target,
            return_names=True, return_classes=True, drop=args.drop or ())
        if classes != ["0", "1"]:  # say which label is which class
            print(f"classes: {classes[0]!r} is 0, {classes[1]!r} is 1")
        name = os.path.splitext(os.path.basename(args.csv))[0] or "csv"
        return _Data(X, y, name, [f"{args.csv}: column {c!r}" for c in columns], columns,
                     classes)
    for option, value in (("--target", args.target), ("--drop", args.drop)):
        if value is not None:
            raise ValueError(f"{option} applies to --csv files only")
    name = args.dataset or "moons"
    options = {"n_samples": args.samples or DEFAULT_SAMPLES, "seed": args.seed}
    if args.noise is not None:
        options["noise"] = args.noise
    try:
        X, y = DATASETS[name](**options)
    except ValueError as error:  # the generator names its parameters: say which options
        given = "".join(f" --{option} {value}" for option, value in
                        (("samples", args.samples), ("noise", args.noise)) if value is not None)
        raise ValueError(f"--dataset {name}{given}: {error}") from None
    return _Data(X, y, name, ["x1", "x2"], ["x1", "x2"], ["0", "1"])


def _history_csv(history):
    keys = list(history)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", *keys])
    for i in range(len(history["loss"])):
        writer.writerow([i + 1, *(repr(history[k][i]) for k in keys)])
    return out.getvalue()


def _count(n, noun):
    """'1 feature', '2 features', '1,000 epochs'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _neuron_caption(model, index, features, input_grads):
    """What the neuron graph shows, in its words: one neuron of the layer, its share of ∂J/∂x."""
    from autograd.explain import format_number

    width = len(model.layers[0].neurons)
    lines = [f"layer1.neuron1 on test sample {index + 1}, with the gradients of its cost J"]
    if width > 1:
        lines += [f"It is one of the {width} neurons of layer 1: each input's grad here is its "
                  "share, w·∂J/∂Z, and the rest of ∂J/∂input",
                  f"comes through the other {_count(width - 1, 'neuron')}. In all: " + ", ".join(
                      f"∂J/∂{name} = {format_number(g)}" for name, g in zip(features, input_grads))]
    return "\n".join(lines)


def _draw_outputs(folder, model, history, data, optimizer, lr, loss, X_train, y_train,
                  X_test, y_test, threshold, test_acc):
    """Write the model, its history and the pictures into `folder`; returns their paths."""
    written = [save(model, os.path.join(folder, "model.json")),
               atomic_write(os.path.join(folder, "history.csv"), _history_csv(history))]

    # Imported only now: graphviz and matplotlib take a while to load.
    from viz import RenderError, plots
    from viz.neuron import draw_neuron

    written += plots.training_curves(history, os.path.join(folder, "curves"),
                                     title=f"{data.name}, {optimizer} lr {lr:g}")
    if len(data.features) == 2:
        written += plots.decision_boundary(
            model.predict, X_test + X_train, y_test + y_train,
            os.path.join(folder, "decision_boundary"), threshold=threshold,
            title=f"{data.name}: test accuracy {test_acc:.1%} (training and test points)",
            axis_labels=data.features,
            class_names=[f"class {i}" if label == str(i) else f"{label} (class {i})"
                         for i, label in enumerate(data.classes)])
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
            except (RenderError, ValueError) as error:
                # RenderError: no `dot`, `dot` failing or too slow; ValueError: too large to
                # lay out. The model and the other pictures are written: skip only this one.
                print(f"warning: skipped {name}: {error}", file=sys.stderr)
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
        raise ValueError(f"{name}: every label is {y[0]:g}; a classifier needs samples of both "
                         "classes, 0 and 1")
    out = args.out if args.out is not None else os.path.join("runs", name)
    _check_out(out)
    count = count_parameters(len(X[0]), [*args.hidden, 1])
    if count > MAX_PARAMETERS:
        hidden = ",".join(map(str, args.hidden))
        raise ValueError(f"{_count(len(X[0]), 'feature')} and --hidden {hidden} make "
                         f"{count:,} parameters, more than the {MAX_PARAMETERS:,} a "
                         "pure-Python engine trains in reasonable time")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=args.test_size,
                                                        seed=args.seed)
    S_train, S_test, mean, std = standardize(X_train, X_test, columns)
    check_foldable(std, columns)  # model.json takes raw values: refuse what cannot be folded
    loss = args.loss
    model = MLP(len(X[0]), [*args.hidden, 1], activation=args.activation,
                output_activation="sigmoid" if loss == "bce" else "linear", seed=args.seed)
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    print(f"data: {name}, {len(X_train)} training and {_count(len(X_test), 'test sample')}, "
          f"{_count(len(X[0]), 'feature')} (standardized)")
    print(f"model: {model}, {_count(len(model.parameters()), 'parameter')}; loss {loss}, "
          f"{args.optimizer} lr {lr:g}, {_count(args.epochs, 'epoch')} of batches of "
          f"{args.batch_size}")

    from tqdm import tqdm  # imported here: `import nn` stays light

    with tqdm(total=args.epochs, desc="train", unit="epoch", file=sys.stderr) as bar:
        def progress(epoch, history):
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}",
                            acc=f"{history['accuracy'][-1]:.3f}",
                            test_acc=f"{history['test_accuracy'][-1]:.3f}", refresh=False)
            bar.update(1)

        history = fit(model, S_train, y_train, loss=loss, optimizer=args.optimizer, lr=lr,
                      epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                      callback=progress, validation_data=(S_test, y_test))

    # From here on the model takes raw features, as model.json will.
    fold_scaling(model, mean, std, columns)
    threshold = default_threshold(model, loss)
    train_acc = accuracy(model.predict(X_train), y_train, threshold)
    test_acc = accuracy(model.predict(X_test), y_test, threshold)
    print(f"train accuracy {train_acc:.1%}   test accuracy {test_acc:.1%}")
    if history["loss"][-1] > history["loss"][0]:
        print(f"warning: the cost J rose from {history['loss'][0]:.4g} (epoch 1) to "
              f"{history['loss'][-1]:.4g} (epoch {args.epochs}); the learning rate may be "
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
