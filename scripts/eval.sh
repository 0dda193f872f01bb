#!/usr/bin/env bash
# make eval: plates on real photos (stages, reference, footage), then on the synthetic sets; faces on dlib's photos.
set -euo pipefail
cd "$(dirname "$0")/.."
B=.build/release/forensic-bench
DEV=${PLATES_DEV:-../shared/plates-dev}

echo "== plates: real photos ($DEV: Pakistani, US, European; labels.csv) =="
echo "   each region corrected toward its own formats (pk) or kept as read (us, eu); every miss named by the stage that lost it"
"$B" plates-real "$DEV" v6 --plates
echo
echo "   the same photos with Pakistani corrections on every photo (forensic's default --region pk)"
"$B" plates-real "$DEV" v6 --region pk | sed -n '/^region/,/^plates lost/p' | head -n -1
if [ -f "$DEV/labels.csv" ]; then
  echo
  echo "   the reference: rapidocr 3.10.0's own pipeline (PP-OCRv6 small, onnxruntime) on the same photos"
  REF=eval-data/rapidocr-venv
  [ -x "$REF/bin/python" ] || { python3 -m venv "$REF" && "$REF/bin/pip" install -q rapidocr==3.10.0 onnxruntime; }
  "$REF/bin/python" scripts/eval/reference-plates.py "$DEV" | grep '^reference'
  echo
  bash scripts/eval/real-footage.sh "$DEV" eval-data/real-footage
fi
echo
bash scripts/make-plate-eval.sh eval-data/plates 120
bash scripts/make-plate-eval.sh eval-data/plates-heldout 120 7
echo "== plates: synthetic Pakistani, US, European and Brazilian plates on real photos (eval-data/plates; scripts/make-plate-eval.sh) =="
echo "   PP-OCRv6 and v4, text detector, PP-OCR reader; by region and plate kind"
"$B" plates-eval eval-data/plates text ppocr v6 v4
echo
echo "   the other detector and readers (PP-OCRv6)"
"$B" plates-eval eval-data/plates platedet text platerec combined v6
echo
echo "== plates: held-out synthetic set (seed 7, never used to choose anything), v6 and v4 =="
"$B" plates-eval eval-data/plates-heldout text ppocr v6 v4
echo
echo "== plates: what a sighting's vote adds over single frames (held-out set, 5 looks per plate) =="
"$B" plates-vote eval-data/plates-heldout 5
echo
echo "== plates: 4032x3024 photos with the same 100-330 px plates (seed 13, held out), without and with tiles =="
bash scripts/make-plate-eval.sh eval-data/plates-4032-heldout 60 13 4032x3024
"$B" plates-eval eval-data/plates-4032-heldout text ppocr
EVAL_TILES=1 "$B" plates-eval eval-data/plates-4032-heldout text ppocr
echo
echo "== plates: real photos available on this machine (no labels; results as they are) =="
# licenseplate_motion.jpg: a motion-blurred plate. The bus photos: London traffic at 546x413 (plates
# 6-8 px high); opencv_bus_res.jpg also carries drawn detector labels ("bus: 0.93").
for f in /usr/share/doc/opencv-doc/examples/data/licenseplate_motion.jpg /usr/share/doc/opencv-doc/opencv4/html/pexels_double_decker_bus.jpg \
         /usr/share/doc/opencv-doc/opencv4/html/bus_det.jpg /usr/share/doc/opencv-doc/opencv4/html/opencv_bus_res.jpg; do
  [ -f "$f" ] || continue
  out=$(.build/release/forensic plates "$f" 2>&1) || true
  if [ -n "$out" ]; then echo "$out"; else echo "$(basename "$f"): no plate read"; fi
done
echo
echo "== faces: detection recall on dlib's testing.xml (faces >= 40 px, IoU >= 0.5) =="
"$B" faces-eval
echo
echo "== faces at CCTV size: the CAM04 face clip at 640x360, half and a third of that; dlib's johns at 40/60/80 px =="
bash scripts/make-face-footage.sh eval-data/face-archive
FR=eval-data/face-frames
for s in 640x360 320x180 213x120; do
  [ -d "$FR/$s" ] && continue
  mkdir -p "$FR/$s.tmp" && ffmpeg -hide_banner -loglevel error -i eval-data/face-archive/CAM04/2026-11-20/140300.mp4 \
    -vf "fps=5,scale=${s/x/:}" "$FR/$s.tmp/%03d.png" && mv "$FR/$s.tmp" "$FR/$s"
done
"$B" faces-small "$FR"
