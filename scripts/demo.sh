#!/usr/bin/env bash
# The main job on the bundled samples.
set -euo pipefail
cd "$(dirname "$0")/.."
F=.build/release/forensic
echo "== forensic probe (all samples, 1 frame/s decode) =="
find samples/archive samples/formats samples/stills -type f | sort | xargs "$F" probe --sample 1
echo
echo "== forensic plates (the three sample cameras, one frame every 2 s) =="
"$F" plates --every 2 samples/archive/*/*/* samples/stills/plate.png
echo
echo "== forensic faces (a dlib example photo) =="
"$F" faces /usr/share/doc/libdlib19.1/examples/faces/2008_002506.jpg
