#!/usr/bin/env bash
# The OCR engine (RapidOCR on OpenVINO) loads OpenCV, which needs libGL and GLib from the
# system. Without them the indexer still runs: it says once that OCR is unavailable and
# reports scanned files.
set -euo pipefail
# (grep reads all of its input: with -q it would stop early, and pipefail would then take the
# writer's SIGPIPE for a failure)

missing=()
/sbin/ldconfig -p | grep "libGL.so.1 " >/dev/null || missing+=(libgl1)
/sbin/ldconfig -p | grep "libglib-2.0.so.0 " >/dev/null || missing+=(libglib2.0-0)
exec "$(dirname "$0")/apt-install.sh" ocr-deps \
    "scanned pages will be reported, not read, until then" ${missing[@]+"${missing[@]}"}
