#!/usr/bin/env bash
# Shared setup for start.sh and test.sh: a virtual environment in .venv with the pinned packages.
# Usage: source scripts/setup.sh [requirements file]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
requirements="${1:-requirements.txt}"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
