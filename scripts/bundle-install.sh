#!/usr/bin/env bash
# Budget Search's offline installer (install.sh in dist/budget-search-bundle.tar.gz).
#
#   ./install.sh [FOLDER]     install into FOLDER (default: ~/budget-search)
#
# Needs only Python 3.11 or newer (PYTHON names another interpreter); installs from the wheels
# beside this script with pip --no-index, so nothing is fetched. Afterwards, in FOLDER:
#
#   bin/budget-es up|down|status   the local Elasticsearch node on 127.0.0.1:9200 (on the
#                                  bundle's JDK, in FOLDER/jdk; data under FOLDER/es)
#   bin/budget-index PATH...       index budget PDFs and text files
#   bin/budget-search              serve the page and the API on http://127.0.0.1:8000
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:-$HOME/budget-search}"
python="${PYTHON:-python3}"

say() { echo "install: $*" >&2; }
die() { say "error: $*"; exit 1; }

command -v "$python" > /dev/null || die "$python is not found; Python 3.11 or newer is needed (set PYTHON)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$("$python" -V 2>&1) is too old; Python 3.11 or newer is needed (set PYTHON)"

mkdir -p "$target/bin" "$target/es" "$target/scripts"
target="$(cd "$target" && pwd)"

say "a virtualenv in $target/venv"
"$python" -m venv "$target/venv"
say "the project and its dependencies, from the bundle's wheels only"
"$target/venv/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" \
    --disable-pip-version-check "$here"/wheels/budget_search-*.whl
say "the JDK"
rm -rf "$target/jdk"
cp -a "$here/jdk" "$target/jdk"

cp "$here/es-local.sh" "$target/scripts/es-local.sh"
cp "$here/requirements.lock" "$target/"
# Elasticsearch unpacked where es-local.sh looks for it, keeping the files' modes (so neither
# unzip nor Maven is needed: es-local.sh finds the distribution in place).
zip="$(echo "$here"/elasticsearch/elasticsearch-*.zip)"
say "unpacking $(basename "$zip")"
rm -rf "$target/es/dist"
"$target/venv/bin/python" - "$zip" "$target/es/dist" << 'UNZIP'
import os, sys, zipfile

with zipfile.ZipFile(sys.argv[1]) as archive:
    for info in archive.infolist():
        path = archive.extract(info, sys.argv[2])
        mode = info.external_attr >> 16
        if mode:
            os.chmod(path, mode & 0o7777)
UNZIP
ln -sf ../venv/bin/budget-index ../venv/bin/budget-search "$target/bin/"

# The node's script, with the bundle's JDK and the node's files under the install folder.
cat > "$target/bin/budget-es" << EOF
#!/usr/bin/env bash
# The local Elasticsearch node: budget-es up|down|status (scripts/es-local.sh).
export ES_JAVA_HOME="$target/jdk"
export ES_LOCAL_DIR="$target/es"
exec "$target/scripts/es-local.sh" "\${@:-up}"
EOF
chmod +x "$target/bin/budget-es" "$target/scripts/es-local.sh"

say "installed in $target:"
say "  $target/bin/budget-es up          start the local Elasticsearch node"
say "  $target/bin/budget-index FOLDER   index budget PDFs and text files"
say "  $target/bin/budget-search         serve http://127.0.0.1:8000"
