#!/usr/bin/env bash
# Set up and run every test (unit, AppTest pages, the end-to-end test in Debian's Chromium, and the
# replicas test with Debian's PostgreSQL and nginx).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" requirements-dev.txt
missing=()
# Playwright's own browser download cannot work offline; it drives Debian's Chromium instead.
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    # The tests start their own PostgreSQL and nginx on free ports, whatever the packages start.
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
