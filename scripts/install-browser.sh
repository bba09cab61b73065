#!/bin/sh
# Installs what the browser tests (townhall/widget/tests/test_browser.py) need, and nothing else:
#   - Debian's Chromium at /usr/bin/chromium (Playwright drives it through executable_path;
#     no browser is ever downloaded by Playwright),
#   - axe-core from the npm registry, pinned by townhall/widget/tests/package-lock.json, into
#     townhall/widget/tests/node_modules (gitignored).
# Idempotent: running it again changes nothing. Needs root (or sudo) for apt-get.
set -eu

cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
fi

if [ ! -f townhall/widget/tests/node_modules/axe-core/axe.min.js ]; then
    (cd townhall/widget/tests && npm ci --no-audit --no-fund --ignore-scripts)
fi

/usr/bin/chromium --version
echo "axe-core: townhall/widget/tests/node_modules/axe-core/axe.min.js"
