#!/bin/sh
# Install Debian's chromium for the report test when it is missing and we are root.
# Exit 0 when chromium is available afterwards, 1 otherwise (the test then skips).
set -u
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "chromium is not installed and installing it needs root (apt-get install chromium)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null 2>&1 || true
apt-get install -y -q chromium >/dev/null 2>&1 || { echo "apt-get install chromium failed" >&2; exit 1; }
command -v chromium >/dev/null 2>&1
