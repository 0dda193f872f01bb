#!/usr/bin/env bash
# Regenerates the bundled sample footage with the ffmpeg command-line tool (the product itself
# decodes through the libraries). Everything here is synthetic: drawn boxes and DejaVu text.
# Deterministic for a given ffmpeg build: single-threaded x264, bitexact muxing, no metadata.
set -euo pipefail
cd "$(dirname "$0")"
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
[ -f "$FONT" ] || { echo "make-samples: $FONT missing (apt-get install fonts-dejavu-core)" >&2; exit 1; }
FF=(ffmpeg -hide_banner -loglevel error -y)
BITEXACT=(-fflags +bitexact -flags:v +bitexact -map_metadata -1)

# A street: grey road, darker kerb, two static "buildings".
street() { # width height
  echo "color=c=0x5a6068:s=$1x$2:r=25,drawbox=x=0:y=0:w=iw:h=ih*0.35:c=0x8a8f99:t=fill,drawbox=x=iw*0.1:y=ih*0.05:w=iw*0.2:h=ih*0.28:c=0x6b4f3a:t=fill,drawbox=x=iw*0.6:y=ih*0.08:w=iw*0.25:h=ih*0.25:c=0x3d556b:t=fill,drawbox=x=0:y=ih*0.78:w=iw:h=6:c=0xe0e0e0:t=fill"
}

# A car crossing left to right between T0 and T1 at height Y, carrying a yellow plate with TEXT.
# Appends to the filter graph on label [v] and leaves the result on [v].
# car LABEL TEXT T0 T1 Y BODYCOLOUR FRAMEWIDTH
car() {
  local n=$1 text=$2 t0=$3 t1=$4 y=$5 body=$6 fw=$7
  echo "color=c=$body:s=420x170:r=25,drawbox=x=90:y=95:w=240:h=62:c=0xf5d000:t=fill,drawbox=x=90:y=95:w=240:h=62:c=black:t=3,drawtext=fontfile=$FONT:text=$text:fontsize=44:fontcolor=black:x=210-tw/2:y=104[car$n];[v][car$n]overlay=x='-420+($fw+420)*(t-$t0)/($t1-$t0)':y=$y:eval=frame:enable='between(t,$t0,$t1)'[v]"
}

mkdir -p archive/CAM01/2026-11-20 archive/CAM02/2026-11-20 archive/CAM03/2026-11-20 formats stills

# CAM01: 720p H.264 MP4 with AAC audio, GOP 50; BKN-123 passes 2–8 s.
"${FF[@]}" -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 12 \
  -filter_complex "$(street 1280 720)[v];$(car 1 BKN-123 2 8 420 0x7a1010 1280)" -map '[v]' -map 0:a -t 12 \
  -c:v libx264 -preset veryfast -crf 28 -g 50 -keyint_min 50 -sc_threshold 0 -threads 1 -pix_fmt yuv420p \
  -c:a aac -b:a 64k "${BITEXACT[@]}" archive/CAM01/2026-11-20/140000.mp4

# CAM02: 720p H.264 MPEG-TS (non-zero start time); BKN-123 then LEA-4521 close behind, 3–9 s.
"${FF[@]}" -filter_complex "$(street 1280 720)[v];$(car 1 BKN-123 3 9 420 0x7a1010 1280);$(car 2 LEA-4521 4.5 10.5 420 0x1b3d7a 1280)" -map '[v]' -t 12 \
  -c:v libx264 -preset veryfast -crf 28 -g 50 -keyint_min 50 -sc_threshold 0 -threads 1 -pix_fmt yuv420p \
  "${BITEXACT[@]}" -f mpegts archive/CAM02/2026-11-20/140100.ts

# CAM03: 640x360 H.265 Matroska, quiet street, then BKN-123 and LEA-4521 again; GOP 250.
"${FF[@]}" -filter_complex "$(street 640 360)[v];$(car 1 BKN-123 3 8 150 0x7a1010 640);$(car 2 LEA-4521 5.5 10.5 150 0x1b3d7a 640)" -map '[v]' -t 12 \
  -c:v libx265 -preset veryfast -crf 30 -g 250 -pix_fmt yuv420p -x265-params log-level=error:pools=1:frame-threads=1 \
  "${BITEXACT[@]}" archive/CAM03/2026-11-20/140200.mkv

# Other codecs and containers an archive may hold (2 s each, test pattern).
"${FF[@]}" -f lavfi -i testsrc2=s=320x240:r=25 -t 2 -c:v mjpeg -q:v 5 "${BITEXACT[@]}" formats/mjpeg.avi
"${FF[@]}" -f lavfi -i testsrc2=s=320x240:r=25 -t 2 -c:v mpeg4 -q:v 5 -g 25 "${BITEXACT[@]}" formats/mpeg4.mov
"${FF[@]}" -f lavfi -i testsrc2=s=320x240:r=15 -t 2 -c:v flv1 -q:v 5 "${BITEXACT[@]}" formats/flv1.flv

# A plate photo as an investigator might bring one (PNG, lossless).
"${FF[@]}" -filter_complex "$(street 800 450)[v];$(car 1 ABC-1234 0 1 200 0x20302a 800)" -map '[v]' -ss 0.5 -frames:v 1 stills/plate.png
