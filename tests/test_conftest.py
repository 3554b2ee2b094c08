"""conftest.py: a missing optional oracle skips the tests that need it, except in CI."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def run_pytest_without_mpmath(ci):
    code = ("import sys; sys.modules['mpmath'] = None\n"  # makes `import mpmath` fail
            "import pytest\n"
            "sys.exit(pytest.main(['-q', '-rs', '-p', 'no:cacheprovider', "
            "'tests/test_nn_losses.py', '-k', 'every_z and 30']))\n")
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env)


def test_a_missing_oracle_skips_with_the_reason():
    done = run_pytest_without_mpmath(ci=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped" in done.stdout and "passed" not in done.stdout
    assert "mpmath (test extra) gives the 40-digit reference" in done.stdout


def test_in_ci_a_missing_oracle_is_an_error():
    done = run_pytest_without_mpmath(ci=True)
    assert done.returncode != 0
    assert "CI runs every oracle test, but mpmath is not installed" in done.stdout + done.stderr
