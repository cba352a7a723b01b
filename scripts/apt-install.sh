#!/usr/bin/env bash
# Installs the Debian packages a make target found missing, when run as root; otherwise says
# how, and what will not work until then.
#   apt-install.sh WHO CONSEQUENCE PACKAGE...
set -euo pipefail
who=$1 consequence=$2
shift 2
[ "$#" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "$who: installing $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
else
    echo "$who: missing $*; install them with: sudo apt-get install $*" >&2
    echo "$who: $consequence" >&2
fi
