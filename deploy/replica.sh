#!/usr/bin/env bash
# One app replica on 127.0.0.1:PORT, for the proxy in front (nginx-site.sh). The environment must
# name the shared state: OEP_DB, OEP_ACTIVITY_URL, OEP_COOKIE_KEY (see oep.env.example).
# Usage: deploy/replica.sh PORT
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
port="${1:?usage: deploy/replica.sh PORT}"
for name in OEP_DB OEP_ACTIVITY_URL OEP_COOKIE_KEY; do
    if [ -z "${!name:-}" ]; then
        echo "deploy/replica.sh: $name is not set; replicas must share it (deploy/oep.env.example)" >&2
        exit 2
    fi
done
if [ ! -f "$OEP_DB" ]; then
    # Replicas never build a store: two starting at once would both try.
    echo "deploy/replica.sh: no store at $OEP_DB; import one (or python -m oep demo) first" >&2
    exit 2
fi
exec .venv/bin/python -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1
