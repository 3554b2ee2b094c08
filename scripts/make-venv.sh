#!/usr/bin/env bash
# Create the virtual environment $2 with Python $1 unless it exists. Debian and
# Ubuntu ship `venv` separately (python3-venv): install it there when we are root.
set -u
python=${1:-python3}
venv=${2:-.venv}
[ -x "$venv/bin/python" ] && exit 0
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "error: plaingrad needs Python 3.10 or newer; $python is $("$python" --version 2>&1)" >&2
  exit 1
}
rm -rf "$venv"  # a half-made venv from a failed attempt
if "$python" -m venv "$venv"; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing python3-venv with apt-get..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  rm -rf "$venv"
  "$python" -m venv "$venv" && exit 0
fi
echo "error: could not create $venv; install your Python's venv module (e.g. apt-get install python3-venv)" >&2
exit 1
