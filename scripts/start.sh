#!/usr/bin/env bash
# Set up and start the dashboard. With no store, the first run builds the synthetic demo store.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" requirements.txt
exec .venv/bin/python -m streamlit run app.py "$@"
