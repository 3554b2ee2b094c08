"""The `plaingrad` command (also `python -m plaingrad`): one subcommand per job.

Each subcommand lives in its own module with a `register(subparsers)` function
that adds its parser and sets `func`, the function that runs it.
"""

import argparse
import contextlib
import os
import signal
import sys


def _version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("plaingrad")
    except PackageNotFoundError:  # run from a source tree that is not installed
        return "(not installed)"


# Ctrl-C, `kill` and a closed terminal: the signals that end a run through its cleanup.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                if hasattr(signal, name))
_received = []  # the signals that arrived during this run of main()


def _on_signal(signum, frame):
    _received.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)  # as shells report it; `finally` blocks still run


def _catch_signals():
    """Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed terminal (SIGHUP) all end a run
    through its cleanup (train's unfinished outputs are removed), and are remembered: a
    library that turns the interrupt into an error of its own (matplotlib's C code does)
    cannot make it look like the user's mistake."""
    _received.clear()
    for number in SIGNALS:
        try:
            signal.signal(number, _on_signal)
        except ValueError:  # main() called outside the main thread: leave them be
            return


@contextlib.contextmanager
def signals_held():
    """Hold the SIGNALS until the block is done; they arrive right after it.

    (Python runs a signal's handler in the main thread, whichever thread received it,
    so the handlers are swapped for one that notes the signal, then raised again.)
    """
    noted = []
    handlers = {}
    try:
        for number in SIGNALS:
            handlers[number] = signal.signal(number, lambda signum, frame: noted.append(signum))
    except ValueError:  # not the main thread: signals cannot be handled here at all
        pass
    try:
        yield
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for number in noted:
            signal.raise_signal(number)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="plaingrad",
        description="plaingrad: neural-network learning as plain calculations.",
    )
    parser.add_argument("--version", action="version", version=f"plaingrad {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Imported here so that `plaingrad --version` stays quick.
    from plaingrad import check_command, explain_command, graph_command, train_command

    for command in (train_command, check_command, graph_command, explain_command):
        command.register(subparsers)
    return parser


def main(argv=None):
    """Run the command line; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # a bare `plaingrad`: show what it can do
        parser.print_help()
        return 2
    _catch_signals()
    try:
        return args.func(args) or 0
    except BrokenPipeError:
        # The reader went away (`plaingrad explain ... | head`): stop quietly, and keep
        # Python from complaining when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (ValueError, TypeError, OSError, ArithmeticError, RuntimeError) as error:
        if _received:  # an interrupt that some library turned into an error
            print(f"plaingrad {args.command}: interrupted", file=sys.stderr)
            return 128 + _received[0]
        # A user's mistake (bad file, bad expression, bad number) or a failing external
        # program (Graphviz; RenderError is a RuntimeError): say what, not a traceback.
        message = str(error) or type(error).__name__
    except MemoryError:
        message = "out of memory; try a smaller input or smaller sizes"
    except KeyboardInterrupt:
        print(f"plaingrad {args.command}: interrupted", file=sys.stderr)
        return 130  # 128 + SIGINT, as shells report it
    except SystemExit:
        if not _received:
            raise
        # `kill` (SIGTERM) or a closed terminal (SIGHUP): said, as Ctrl-C is
        name = signal.Signals(_received[0]).name
        print(f"plaingrad {args.command}: interrupted ({name})", file=sys.stderr)
        return 128 + _received[0]
    print(f"plaingrad {args.command}: error: {message}", file=sys.stderr)
    return 2
