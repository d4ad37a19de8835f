#!/usr/bin/env bash
# Install everything the tests need (PostgreSQL, chromium, tesseract from Debian; Python test
# packages) and run the whole suite: ruff, then pytest on SQLite and PostgreSQL with browser tests.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
apt_install postgresql chromium tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng fonts-dejavu-core
ensure_venv "test"
cd "$ROOT"
echo "==> ruff"
"$VENV/bin/ruff" check zicht tests benchmarks
"$VENV/bin/ruff" format --check zicht tests benchmarks
echo "==> pytest"
exec "$VENV/bin/pytest" -q -p no:cacheprovider "$@"
