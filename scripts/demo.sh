#!/usr/bin/env bash
# The main job on the bundled samples: probe every file, with a 1-frame-per-second decode.
set -euo pipefail
cd "$(dirname "$0")/.."
F=.build/release/forensic
echo "== forensic probe (all samples, 1 frame/s decode) =="
find samples/archive samples/formats samples/stills -type f | sort | xargs "$F" probe --sample 1
