#!/usr/bin/env bash
# Three local Elasticsearch nodes as one cluster, for the cluster tests (make cluster-test).
#
#   scripts/es-cluster.sh up          start the nodes that are not running; wait for green
#   scripts/es-cluster.sh down        stop every node
#   scripts/es-cluster.sh start N     start node N (0, 1 or 2) and return at once
#   scripts/es-cluster.sh stop N      stop node N gracefully
#   scripts/es-cluster.sh urls        the nodes' HTTP URLs, comma-separated (for ES_URL)
#
# Node N serves HTTP on 127.0.0.1:925N and talks to the others on 127.0.0.1:935N; its data,
# logs and pid are under .es/cluster/node-N. Each is a node of scripts/es-local.sh (the same
# download, Java and unprivileged user), all master-eligible and holding data.
set -euo pipefail

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODES=(0 1 2)
HEAP="${ES_CLUSTER_HEAP:-512m}"

say() { echo "es-cluster: $*" >&2; }

http_url() { echo "http://127.0.0.1:$((9250 + $1))"; }

urls() {
    local n out=()
    for n in "${NODES[@]}"; do out+=("$(http_url "$n")"); done
    (IFS=,; echo "${out[*]}")
}

node() { # node N COMMAND: es-local.sh COMMAND for node N
    local n="$1" seeds=() masters=() m
    case "$n" in 0 | 1 | 2) ;; *) say "error: no node '$n' (0, 1 or 2)"; exit 2 ;; esac
    for m in "${NODES[@]}"; do
        seeds+=("127.0.0.1:$((9350 + m))")
        masters+=("node-$m")
    done
    env -u ES_API_KEY -u ES_USERNAME -u ES_PASSWORD -u ES_CA_CERTS \
        ES_URL="$(http_url "$n")" \
        ES_NODE_DIR="$root_dir/.es/cluster/node-$n" \
        ES_NODE_NAME="node-$n" \
        ES_CLUSTER_NAME=budget-search-cluster \
        ES_TRANSPORT_PORT="$((9350 + n))" \
        ES_SEED_HOSTS="$(IFS=,; echo "${seeds[*]}")" \
        ES_INITIAL_MASTERS="$(IFS=,; echo "${masters[*]}")" \
        ES_HEAP="$HEAP" \
        "$root_dir/scripts/es-local.sh" "$2"
}

cmd_up() {
    local n
    for n in "${NODES[@]}"; do node "$n" start; done
    say "waiting for the three nodes to form a green cluster"
    local waited=0
    until curl -s -m 5 --fail -o /dev/null \
        "$(http_url 0)/_cluster/health?wait_for_nodes=3&wait_for_status=green&timeout=4s"; do
        if [ "$waited" -ge 60 ]; then
            say "error: no green cluster of three nodes within about 5 minutes; see $root_dir/.es/cluster/node-*/logs/"
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    say "the cluster is up: $(urls)"
}

cmd_down() {
    local n
    for n in "${NODES[@]}"; do node "$n" down; done
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    start) node "${2:-}" start ;;
    stop) node "${2:-}" down ;;
    urls) urls ;;
    *)
        echo "usage: $0 up|down|start N|stop N|urls" >&2
        exit 2
        ;;
esac
