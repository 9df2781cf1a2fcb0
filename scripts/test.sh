#!/usr/bin/env bash
# Set up and run every test (unit, AppTest pages, and the end-to-end test in Debian's Chromium).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" requirements-dev.txt
if [ ! -x /usr/bin/chromium ]; then
    # Playwright's own browser download cannot work offline; it drives Debian's Chromium instead.
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
