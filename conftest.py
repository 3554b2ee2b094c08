"""Optional oracles: skipped, with the reason, where they are missing; never missing in CI.
And the notebooks of examples/notebooks run as tests, where nbmake is installed.

`make test` installs every optional package, so there everything runs; a checkout with
only `pip install -e . pytest hypothesis` skips the tests and docstring examples that
need one, saying which package is missing. In CI (CI set) a missing oracle is an error,
so that a skip can never hide a check there.
"""

import importlib.util
import os

import pytest

# The independent truths the tests compare against (see tests/test_oracle_torch.py ...).
ORACLES = ("torch", "micrograd", "mpmath")
# module → the optional package its examples need
NEEDS = {"nn.torch_bridge": "torch"}


# Each notebook runs top to bottom in a fresh kernel (nbmake), a cell at most this long.
NOTEBOOK_CELL_TIMEOUT = 60  # seconds


def pytest_configure(config):
    # Here rather than `--nbmake` in addopts, which pytest refuses where nbmake is missing.
    if config.pluginmanager.hasplugin("nbmake"):
        config.option.nbmake = True
        if not any(arg.startswith("--nbmake-timeout") for arg in config.invocation_params.args):
            config.option.nbmake_timeout = NOTEBOOK_CELL_TIMEOUT


def pytest_sessionstart(session):
    missing = [name for name in ORACLES if importlib.util.find_spec(name) is None]
    if not session.config.pluginmanager.hasplugin("nbmake"):
        missing.append("nbmake")  # the notebooks would not run
    if os.environ.get("CI") and missing:
        raise pytest.UsageError(f"CI runs every oracle test, but {', '.join(missing)} "
                                "is not installed (make test installs them)")


def pytest_collection_modifyitems(items):
    for item in items:
        test = getattr(item, "dtest", None)  # a doctest item
        package = test and NEEDS.get(test.globs.get("__name__"))
        if package and importlib.util.find_spec(package) is None:
            item.add_marker(pytest.mark.skip(
                reason=f"{test.name}'s examples need {package}, which is not installed "
                       f"(pip install {package}; make test installs it)"))
