#!/usr/bin/env bash
# Make sure Debian's chromium and chromedriver are installed, for the dashboard's browser test.
# Quiet when both are there; installs them with apt-get when run as root; otherwise says what to do.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

if [[ -x $CHROMIUM && -x $CHROMEDRIVER ]]; then
    exit 0
fi

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: install Debian's 'chromium' and 'chromium-driver' packages" \
        "($CHROMIUM, $CHROMEDRIVER) for the browser test: apt-get install chromium chromium-driver" >&2
    exit 1
fi

echo "ensure_chromium: installing chromium and chromium-driver with apt-get (once per machine)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
"$CHROMIUM" --version
"$CHROMEDRIVER" --version
