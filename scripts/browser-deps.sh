#!/usr/bin/env bash
# The browser test drives Debian's Chromium (never a downloaded browser) and needs a CJK font
# for readable screenshots. Installs what is missing when run as root; otherwise says how.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "browser-deps: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "browser-deps: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    echo "browser-deps: the browser test will fail until then" >&2
fi
