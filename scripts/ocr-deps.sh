#!/usr/bin/env bash
# The OCR engine (RapidOCR on OpenVINO) loads OpenCV, which needs libGL and GLib from the
# system. Installs what is missing when run as root; otherwise says how. Without them the
# indexer still runs: it says once that OCR is unavailable and reports scanned files.
set -euo pipefail

missing=()
/sbin/ldconfig -p | grep -q "libGL.so.1 " || missing+=(libgl1)
/sbin/ldconfig -p | grep -q "libglib-2.0.so.0 " || missing+=(libglib2.0-0)
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "ocr-deps: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "ocr-deps: missing ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    echo "ocr-deps: scanned pages will be reported, not read, until then" >&2
fi
