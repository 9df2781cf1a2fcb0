#!/usr/bin/env bash
# Prints nginx's configuration for the dashboard: one address in front of N replicas.
# Usage: deploy/nginx-site.sh LISTEN_PORT REPLICA_PORT [REPLICA_PORT ...] > /etc/nginx/conf.d/oep.conf
# TLS is the host's: put this behind its HTTPS front, or add `listen 443 ssl` and certificates.
set -euo pipefail
listen="${1:?usage: deploy/nginx-site.sh LISTEN_PORT REPLICA_PORT...}"
shift
[ "$#" -ge 1 ] || { echo "deploy/nginx-site.sh: give at least one replica port" >&2; exit 2; }
cat <<CONF
# Written by deploy/nginx-site.sh $listen $*
# A browser keeps to one replica (a cookie picks it), so its websocket, uploads and downloads of
# /media/ files all reach the process that holds its session.
map \$cookie_oep_replica \$oep_replica {
    ""      \$request_id;
    default \$cookie_oep_replica;
}
map \$cookie_oep_replica \$oep_replica_cookie {
    ""      "oep_replica=\$request_id; Path=/; HttpOnly; SameSite=Lax";
    default "";
}
map \$http_upgrade \$oep_connection {
    default upgrade;
    ""      close;
}
upstream oep_replicas {
    hash \$oep_replica consistent;
CONF
for port in "$@"; do
    echo "    server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"
done
cat <<CONF
}
server {
    listen $listen;
    client_max_body_size 200m;  # Streamlit's own upload limit
    location / {
        proxy_pass http://oep_replicas;
        proxy_http_version 1.1;
        proxy_set_header Host \$http_host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_set_header Upgrade \$http_upgrade;
        proxy_set_header Connection \$oep_connection;
        proxy_read_timeout 1d;  # a websocket stays open while the page is
        proxy_buffering off;
        add_header Set-Cookie \$oep_replica_cookie always;
        # Which replica answered (a loopback port): for whoever runs the machine and the tests.
        add_header X-OEP-Replica \$upstream_addr always;
    }
}
CONF
