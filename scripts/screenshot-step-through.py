"""Make docs/step-through.png, the README's picture of the step-through page.

The lecture's neuron (examples/lecture_neuron.py) at backward step 14, with the details
of Z shown, in Debian's Chromium driven by Playwright (as in tests/test_viz_html.py):

    .venv/bin/python scripts/screenshot-step-through.py [docs/step-through.png]
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "examples")]

import lecture_neuron  # noqa: E402

import viz  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main(out=ROOT / "docs" / "step-through.png"):
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = viz.to_html(lecture_neuron.build()["J"], Path(folder) / "neuron.html")
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 560})
        page.goto(page_file.resolve().as_uri())
        page.get_by_role("slider", name="Step").fill("28")  # backward step 14 of 20
        page.get_by_role("button", name="details of Z", exact=True).hover()
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
