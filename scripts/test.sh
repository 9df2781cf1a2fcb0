#!/usr/bin/env bash
# Set up and run every test (unit, AppTest pages, the browser tests in Debian's Chromium with
# axe-core from the npm registry, and the replicas test with Debian's PostgreSQL and nginx).
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
# axe-core for the accessibility test, from the npm registry (version pinned in oep/present/framework.py).
axe_version="$(.venv/bin/python -c 'from oep.present.framework import AXE_VERSION; print(AXE_VERSION)')"
axe_dir=".cache/axe-core-$axe_version"
if [ ! -f "$axe_dir/axe.min.js" ]; then
    if ! command -v npm >/dev/null; then
        sudo_cmd=""
        [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq npm >/dev/null
    fi
    work="$(mktemp -d)"
    # npm checks the package against the registry's integrity hash as it fetches it.
    (cd "$work" && npm pack --silent "axe-core@$axe_version" >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$axe_dir"
    mv "$work/package/axe.min.js" "$axe_dir/axe.min.js"
    rm -rf "$work"
fi
# One process per core (pytest-xdist), each taking whole test files: the files' servers and
# stores stay within one process, and the suite fits CI's 20 minutes on two cores.
exec .venv/bin/python -m pytest -n auto --dist loadfile "$@"
