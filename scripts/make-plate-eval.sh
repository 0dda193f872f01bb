#!/usr/bin/env bash
# Builds the synthetic plate evaluation set: Pakistani-format plates (one- and two-line, the
# four colour schemes) rendered with DejaVu Sans Bold, warped in perspective and composited onto
# real photographs from Debian's opencv-doc and libdlib-dev examples, then blurred, noised,
# darkened and JPEG-compressed. Deterministic (fixed seed). The plates are SYNTHETIC; the
# backgrounds are third-party photos, so the set is generated here, never committed.
# Usage: make-plate-eval.sh OUTDIR [COUNT] [SEED] [SCENE]
#   another SEED gives a held-out set; SCENE is the picture size (default 1280x720; the plates keep
#   their 100-330 px widths, so a large SCENE is a high-resolution photo with distant plates).
set -euo pipefail
OUT=${1:?output directory}; COUNT=${2:-120}; SEED=${3:-20261126}; SCENE=${4:-1280x720}
SW=${SCENE%x*}; SH=${SCENE#*x}
FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
mkdir -p "$OUT"
# Version 2: labels are the plate's extent (1 measured the warped transparent margin too).
VERSION="2 $SEED $SCENE"
if [ -f "$OUT/labels.csv" ] && [ "$(cat "$OUT/.version" 2>/dev/null)" = "$VERSION" ] \
   && [ "$(($(wc -l <"$OUT/labels.csv") - 1))" -eq "$COUNT" ]; then exit 0; fi
BACKS=()
for f in aero1 aero3 building home leuvenA leuvenB messi5 ela_original fruits baboon board; do
  p=/usr/share/doc/opencv-doc/examples/data/$f.jpg; [ -f "$p" ] && BACKS+=("$p")
done
for p in /usr/share/doc/libdlib19.1/examples/faces/*.jpg; do BACKS+=("$p"); done
[ ${#BACKS[@]} -gt 0 ] || { echo "make-plate-eval: no background photos (apt-get install opencv-doc libdlib-dev)" >&2; exit 1; }

RANDOM=$SEED
LETTERS=ABCDEFGHJKLMNPQRSTVWXYZ   # Pakistani series avoid I, O and U
# These set REPLY instead of printing: $(...) subshells reseed RANDOM and would break determinism.
rnd() { REPLY=$((RANDOM % ($2 - $1 + 1) + $1)); }
letters() { REPLY=""; for _ in $(seq "$1"); do REPLY+=${LETTERS:$((RANDOM % ${#LETTERS})):1}; done; }
digits() { REPLY=""; for _ in $(seq "$1"); do REPLY+=$((RANDOM % 10)); done; }

rm -f "$OUT/.version"
echo "file,text,x,y,w,h,lines,condition" >"$OUT/labels.csv"
for i in $(seq -w 1 "$COUNT"); do
  kind=$((RANDOM % 10))
  case $((RANDOM % 4)) in
    0) bg=0xF2C500; fg=black; small=SINDH ;;
    1) bg=0xF4F4F0; fg=black; small=SINDH ;;
    2) bg=0x111111; fg=white; small=SINDH ;;
    *) bg=0x1E6B35; fg=white; small=GOVT ;;
  esac
  if [ $kind -lt 3 ]; then   # two-line (motorcycle / commercial): letters over digits
    letters 3; top=$REPLY; digits $((RANDOM % 2 + 3)); bottom=$REPLY; text=$top$bottom; lines=2
    PW=330; PH=230
    draw="drawtext=fontfile=$FONT:text=$small:fontsize=22:fontcolor=$fg:x=(w-tw)/2:y=8,drawtext=fontfile=$FONT:text=$top:fontsize=82:fontcolor=$fg:x=(w-tw)/2:y=36,drawtext=fontfile=$FONT:text=$bottom:fontsize=82:fontcolor=$fg:x=(w-tw)/2:y=130"
  else
    case $((RANDOM % 3)) in
      0) letters 3; text=$REPLY; digits 3; text+=$REPLY; shown=${text:0:3}-${text:3} ;;
      1) letters 3; text=$REPLY; digits 4; text+=$REPLY; shown=${text:0:3}-${text:3} ;;
      *) letters 2; text=$REPLY; digits 4; text+=$REPLY; shown=${text:0:2}-${text:2} ;;
    esac
    lines=1; PW=520; PH=140
    draw="drawtext=fontfile=$FONT:text=$small:fontsize=20:fontcolor=$fg:x=(w-tw)/2:y=6,drawtext=fontfile=$FONT:text=$shown:fontsize=84:fontcolor=$fg:x=(w-tw)/2:y=36"
  fi
  m=30                                   # transparent margin around the plate for the warp
  j=$((PH / 6))                          # corner jitter: mild perspective
  dx=(); for _ in 0 1 2 3 4 5 6 7; do rnd -$j $j; dx+=("$REPLY"); done
  X0=$((m + dx[0])); Y0=$((m + dx[1])); X1=$((m + PW + dx[2])); Y1=$((m + dx[3]))
  X2=$((m + dx[4])); Y2=$((m + PH + dx[5])); X3=$((m + PW + dx[6])); Y3=$((m + PH + dx[7]))
  rnd 100 330; target=$REPLY                  # plate width in pixels, whatever the scene size
  [ $lines = 2 ] && target=$((target * 2 / 3))
  scale=$(echo "$target / ($PW + 2 * $m)" | bc -l)
  TW=$(printf '%.0f' "$(echo "($PW + 2 * $m) * $scale" | bc -l)"); TW=$((TW / 2 * 2))
  rnd 40 $((SW - TW - 40)); ox=$REPLY; rnd 200 $((SH - 200)); oy=$REPLY
  # The label is the plate's own extent: the same warp applied to a white plate on a black
  # margin, measured by ffmpeg's bbox filter (the quad corners above include the margin).
  ext=$(ffmpeg -hide_banner -nostats -f lavfi -i "color=c=white:s=${PW}x${PH}" -filter_complex \
    "format=rgba,pad=iw+$((2 * m)):ih+$((2 * m)):$m:$m:color=black@0,perspective=x0=$X0:y0=$Y0:x1=$X1:y1=$Y1:x2=$X2:y2=$Y2:x3=$X3:y3=$Y3:sense=destination,scale=$TW:-1,format=rgb24,bbox=min_val=128" \
    -frames:v 1 -f null - 2>&1 | grep -o 'crop=[0-9:]*' | tail -1)
  IFS=: read -r bw bh bx by <<<"${ext#crop=}"
  bx=$((ox + bx)); by=$((oy + by))
  case $((RANDOM % 5)) in
    0) post="null"; cond=clean; q=3 ;;
    1) post="gblur=sigma=1.0"; cond=blur; q=5 ;;
    2) post="noise=alls=14:allf=t"; cond=noise; q=5 ;;
    3) post="eq=brightness=-0.28:contrast=0.65,noise=alls=10:allf=t"; cond=night; q=6 ;;
    *) post="gblur=sigma=0.6"; cond=jpeg; q=18 ;;
  esac
  back=${BACKS[$((RANDOM % ${#BACKS[@]}))]}
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=$bg:s=${PW}x${PH}" -i "$back" -filter_complex \
    "[0]drawbox=x=0:y=0:w=iw:h=ih:c=black:t=4,$draw,format=rgba,pad=iw+$((2 * m)):ih+$((2 * m)):$m:$m:color=black@0,perspective=x0=$X0:y0=$Y0:x1=$X1:y1=$Y1:x2=$X2:y2=$Y2:x3=$X3:y3=$Y3:sense=destination,scale=$TW:-1[p];[1]scale=$SW:$SH:force_original_aspect_ratio=increase,crop=$SW:$SH,format=rgb24[b];[b][p]overlay=$ox:$oy:format=auto,$post" \
    -frames:v 1 -q:v $q "$OUT/plate-$i.jpg"
  echo "plate-$i.jpg,$text,$bx,$by,$bw,$bh,$lines,$cond" >>"$OUT/labels.csv"
done
echo "$VERSION" >"$OUT/.version"
