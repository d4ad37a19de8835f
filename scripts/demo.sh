#!/usr/bin/env bash
# Install Zicht and run the demo: generate a synthetic market, serve it on 127.0.0.1, crawl it,
# process it and start the web app. Extra arguments go to `zicht demo` (e.g. --no-serve).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
apt_install tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng fonts-dejavu-core || \
    echo "(could not install tesseract; photos will be hashed but their text not read)"
ensure_venv ""
cd "$ROOT"
exec "$VENV/bin/zicht" --db "sqlite:///$ROOT/demo-data/zicht.db" demo "$@"
