#!/usr/bin/env bash
# Refresh static/vendor/ from the npm registry at the versions pinned in package.json.
# The files are committed: the application never loads anything from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import json, subprocess, sys
deps = json.load(open("package.json"))["dependencies"]
for name, version in deps.items():
    subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", sys.argv[1]], check=True)
PY
mkdir -p static/vendor/axe-core
for tgz in "$work"/*.tgz; do mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"; done
cp "$work"/htmx.org-*/package/dist/htmx.min.js static/vendor/htmx/
cp "$work"/picocss-pico-*/package/css/pico.min.css static/vendor/pico/
cp "$work"/cytoscape-*/package/dist/cytoscape.min.js "$work"/cytoscape-*/package/LICENSE static/vendor/cytoscape/
cp "$work"/chart.js-*/package/dist/chart.umd.min.js "$work"/chart.js-*/package/LICENSE.md static/vendor/chartjs/
# axe-core: loaded by the browser tests only (tests/browser/axe.py), never by a page.
cp "$work"/axe-core-*/package/axe.min.js "$work"/axe-core-*/package/LICENSE static/vendor/axe-core/
# The source map is not vendored: drop its reference, which collectstatic's manifest storage would refuse.
sed -i '/sourceMappingURL/d' static/vendor/chartjs/chart.umd.min.js
echo "static/vendor refreshed"
