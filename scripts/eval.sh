#!/usr/bin/env bash
# make eval: plate detection/reading on the synthetic set, face detection on dlib's testing.xml.
set -euo pipefail
cd "$(dirname "$0")/.."
B=.build/release/forensic-bench
bash scripts/make-plate-eval.sh eval-data/plates 120
bash scripts/make-plate-eval.sh eval-data/plates-heldout 120 7
echo "== plates: synthetic Pakistani plates on real photos (eval-data/plates, regenerate with scripts/make-plate-eval.sh) =="
echo "   every detector with every reader"
"$B" plates-eval eval-data/plates platedet text ppocr platerec combined
echo
echo "== plates: held-out synthetic set (seed 7, never used to choose anything), default detector and reader =="
"$B" plates-eval eval-data/plates-heldout text ppocr
echo
echo "== plates: real photos available on this machine =="
.build/release/forensic plates --json /usr/share/doc/opencv-doc/examples/data/licenseplate_motion.jpg | grep . \
  || echo "licenseplate_motion.jpg (opencv-doc, heavy motion blur, no label): no plate read by the default detector"
echo
echo "== faces: detection recall on dlib's testing.xml (faces >= 40 px, IoU >= 0.5) =="
"$B" faces-eval
