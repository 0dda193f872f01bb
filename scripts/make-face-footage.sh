#!/usr/bin/env bash
# Makes CAM04 footage with faces for the demo and tests: two people from dlib's example photos
# (libdlib-dev; third-party, so generated here and never committed) walk past an arrivals hall.
#   2–7 s   John_Salley (photo 000179)     8–11 s   John_Simm (first photo)
# Usage: make-face-footage.sh ARCHIVE_DIR   → ARCHIVE_DIR/CAM04/2026-11-20/140300.mp4
set -euo pipefail
OUT=${1:?archive directory}
J=/usr/share/doc/libdlib19.1/examples/johns
[ -d "$J" ] || { echo "make-face-footage: $J missing (apt-get install libdlib-dev)" >&2; exit 1; }
A=$J/John_Salley/000179_02159509.jpg
B=$J/John_Simm/$(ls "$J/John_Simm" | sort | head -1)
mkdir -p "$OUT/CAM04/2026-11-20"
F=$OUT/CAM04/2026-11-20/140300.mp4
[ -f "$F" ] && exit 0
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0x9aa3ad:s=1280x720:r=25" -i "$A" -i "$B" -filter_complex \
  "[0]drawbox=x=0:y=560:w=iw:h=160:c=0x6b6f75:t=fill[bg];[1]scale=260:260[a];[2]scale=240:240[b];[bg][a]overlay=x='100+90*(t-2)':y=180:enable='between(t,2,7)'[v1];[v1][b]overlay=x='900-60*(t-8)':y=200:enable='between(t,8,11)'" \
  -t 12 -c:v libx264 -preset veryfast -crf 24 -g 50 -pix_fmt yuv420p -threads 1 -fflags +bitexact -map_metadata -1 "$F"
