#!/usr/bin/env bash
# The browser test drives Debian's Chromium (never a downloaded browser) and needs a CJK font
# for readable screenshots.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
exec "$(dirname "$0")/apt-install.sh" browser-deps \
    "the browser test will fail until then" ${missing[@]+"${missing[@]}"}
