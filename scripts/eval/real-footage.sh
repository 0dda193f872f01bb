#!/usr/bin/env bash
# make eval: footage made from the real Pakistani photos of ../shared/plates-dev, as a 720p CCTV
# camera would record them (the view panning across each photo for 4 s, H.264 at about 1.5 Mb/s),
# indexed with forensic's defaults; then every labelled plate is searched for exactly.
# Usage: real-footage.sh PLATES_DEV OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
DEV=$1; OUT=$2; F=.build/release/forensic
[ -f "$DEV/labels.csv" ] || { echo "real footage: $DEV/labels.csv not found; skipped"; exit 0; }
ARCH=$OUT/archive/CAMPK/2026-11-20
if [ ! -f "$OUT/.made" ]; then
  rm -rf "$OUT" && mkdir -p "$ARCH"
  s=0
  for img in $(awk -F, '$1=="pk"{print $2}' "$DEV/labels.csv" | sort -u); do
    # The photo fitted to 900 px high on a dark background at least 1440 wide; a 1280x720 window
    # pans across it (left to right, a little down) over 4 s at 25 fps.
    name=$(printf '14%02d%02d' $((s / 60)) $((s % 60)))
    ffmpeg -hide_banner -loglevel error -y -loop 1 -framerate 25 -t 4 -i "$DEV/$img" -vf \
      "scale=-2:900,pad='max(iw,1440)':900:'(ow-iw)/2':0:color=0x202020,crop=1280:720:'(iw-1280)*t/4':'180*t/4',format=yuv420p" \
      -c:v libx264 -b:v 1500k -maxrate 1500k -bufsize 3000k -g 50 "$ARCH/$name.mp4"
    echo "$name $img" >>"$OUT/clips.txt"
    s=$((s + 4))
  done
  printf 'id,name,site,zone,latitude,longitude\nCAMPK,Real photos panned,Eval,Eval,,\n' >"$OUT/cameras.csv"
  touch "$OUT/.made"
fi
rm -f "$OUT"/real.forensic*
"$F" incident create "$OUT/real" --from 2026-11-20T14:00:00+05:00 --to 2026-11-20T15:00:00+05:00 \
  --archive "$OUT/archive" --cameras-file "$OUT/cameras.csv" >/dev/null
"$F" index "$OUT/real.forensic" >/dev/null
total=0; found=0; missed=""
while IFS=, read -r region img x y w h plate with_year; do
  [ "$region" = pk ] && [ -n "$plate" ] || continue
  total=$((total + 1))
  if [ -n "$("$F" search "$OUT/real.forensic" --plate "$plate" --exact --json-lines)" ] \
     || { [ -n "$with_year" ] && [ -n "$("$F" search "$OUT/real.forensic" --plate "$with_year" --exact --json-lines)" ]; }; then
    found=$((found + 1))
  else
    missed="$missed $plate($(basename "$img"))"
  fi
done < <(tr -d '\r' <"$DEV/labels.csv" | tail -n +2)
echo "real Pakistani plates in 720p footage: $found of $total found by exact search ($(awk "BEGIN{printf \"%.1f\", 100*$found/$total}")%)"
[ -z "$missed" ] || echo "  not found:$missed"
