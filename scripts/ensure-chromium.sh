#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests: install it
# with apt-get when we are root on Debian/Ubuntu, otherwise say so and carry on (the
# browser tests then skip with the reason, except in CI, where they fail).
# Playwright's own browser download (`playwright install`) is never used.
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium with apt-get (for the browser tests)..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    && exit 0
  echo "warning: apt-get could not install chromium" >&2
fi
echo "warning: /usr/bin/chromium is missing, so the browser tests will skip." >&2
echo "  Install Debian's chromium package (apt-get install chromium); everything else works." >&2
exit 0
