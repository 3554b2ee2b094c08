#!/usr/bin/env bash
# Make sure the Graphviz `dot` program is there: install it with apt-get when we
# are root on Debian/Ubuntu, otherwise say how and carry on (only drawing needs it).
if command -v dot >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Graphviz (dot) with apt-get..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null && exit 0
  echo "warning: apt-get could not install graphviz" >&2
fi
echo "warning: the Graphviz 'dot' program is missing, so graphs will not be drawn." >&2
echo "  Install it with your package manager (apt-get install graphviz, brew install graphviz," >&2
echo "  conda install graphviz) or from https://graphviz.org/download/ ; everything else works." >&2
exit 0
