#!/usr/bin/env bash
# make bench: VideoDecode throughput beside the ffmpeg command-line tool on the same files, in
# the same run, as ratios. Files are generated once into bench-data/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=bench-data
BENCH=.build/release/forensic-bench
SECONDS_OF_FOOTAGE=${BENCH_SECONDS:-300}
mkdir -p "$DATA"

gen() { # name size bitrate (CCTV-like: 3 Mb/s at 1080p, 1.5 at 720p)
  local f=$DATA/$1-${SECONDS_OF_FOOTAGE}s.mp4
  if [ ! -f "$f" ]; then
    echo "bench: generating $f (H.264, 25 fps, GOP 50, ${SECONDS_OF_FOOTAGE} s)" >&2
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=s=$2:r=25" -t "$SECONDS_OF_FOOTAGE" \
      -c:v libx264 -preset veryfast -b:v "$3" -maxrate "$3" -bufsize 8M -g 50 -keyint_min 50 -sc_threshold 0 -pix_fmt yuv420p "$f.tmp.mp4"
    mv "$f.tmp.mp4" "$f"
  fi
  echo "$f"
}

# Wall seconds of a command (best of 2, to damp a loaded machine).
wall() {
  local best=
  for _ in 1 2; do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    local d; d=$(echo "$e - $s" | bc -l)
    if [ -z "$best" ] || (( $(echo "$d < $best" | bc -l) )); then best=$d; fi
  done
  echo "$best"
}
ours() { # file policy threads -> seconds (best of 2)
  local best=
  for _ in 1 2; do
    local d; d=$("$BENCH" decode "$1" "$2" "$3" | cut -d' ' -f1)
    if [ -z "$best" ] || (( $(echo "$d < $best" | bc -l) )); then best=$d; fi
  done
  echo "$best"
}

command -v bc >/dev/null || { echo "bench: needs bc (apt-get install bc)" >&2; exit 1; }
# BENCH_ONLY picks sections: decode recognition index nightly watchlist search archive archive-scale serve (default: all).
ONLY=${BENCH_ONLY:-decode recognition index nightly watchlist search archive archive-scale serve}
want() { [[ " $ONLY " == *" $1 "* ]]; }
if want decode; then
printf '\n== decode throughput (%s s of footage per file; %s cores) ==\n' "$SECONDS_OF_FOOTAGE" "$(nproc)"
printf '%-6s %-26s %9s %10s %9s %22s\n' file mode seconds x-realtime frames/s "ratio vs ffmpeg CLI"
row() { # file label seconds frames baseline-seconds
  local rt fps ratio
  rt=$(echo "$SECONDS_OF_FOOTAGE / $3" | bc -l); fps=$(echo "$4 / $3" | bc -l)
  ratio=$(echo "$5 / $3" | bc -l)
  printf '%-6s %-26s %9.2f %9.1fx %9.0f %21.2fx\n' "$1" "$2" "$3" "$rt" "$fps" "$ratio"
}
for spec in 1080p:1920x1080:3M 720p:1280x720:1500k; do
  IFS=: read -r name size rate <<<"$spec"; f=$(gen "$name" "$size" "$rate")
  frames=$((SECONDS_OF_FOOTAGE * 25)); keys=$((SECONDS_OF_FOOTAGE / 2))
  ff1=$(wall ffmpeg -threads 1 -i "$f" -f null -)
  ff2=$(wall ffmpeg -threads 2 -i "$f" -f null -)
  ffk=$(wall ffmpeg -threads 1 -skip_frame nokey -i "$f" -f null -)
  row "$name" "ffmpeg -threads 1" "$ff1" $frames "$ff1"
  row "$name" "forensic all, 1 thread" "$(ours "$f" all 1)" $frames "$ff1"
  row "$name" "ffmpeg -threads 2" "$ff2" $frames "$ff2"
  row "$name" "forensic all, 2 threads" "$(ours "$f" all 2)" $frames "$ff2"
  row "$name" "ffmpeg -skip_frame nokey" "$ffk" $keys "$ffk"
  row "$name" "forensic keyframes" "$(ours "$f" keyframes 1)" $keys "$ffk"
  row "$name" "forensic 2 fps + gray 640" "$(ours "$f" fps=2 1)" $frames "$ff1"
done
echo "(ratio > 1: forensic is faster than the ffmpeg run in the line above it; 2 fps rows compare with a full 1-thread decode)"
fi

# --- Recognition ------------------------------------------------------------------------------
if want recognition; then
F1080=$(gen 1080p 1920x1080 3M)
printf '\n== plates: ms per 1080p frame (detection), ms per plate read, by precision and detector ==\n'
printf '%-10s %-9s %12s %12s %8s\n' precision detector "detect ms" "read ms" plates
"$BENCH" plates-speed "$F1080" | while read -r prec det d r n; do printf '%-10s %-9s %12s %12s %8s\n' "$prec" "$det" "$d" "$r" "$n"; done

printf '\n== faces: dlib HOG detection ms (no upsampling / 1x upsampling), descriptor ms, faces per second ==\n'
"$BENCH" faces-speed
fi

# --- Indexing throughput on a busy 1080p street ---------------------------------------------------
# scene NAME CAR_SPACING CARS PERSON_SPACING: 120 s of a 1080p street; a car with a plate every
# CAR_SPACING s (7 s across the view) and a pedestrian every PERSON_SPACING s (6 s across, the
# face ~60 px wide: dlib's example "johns" photos). Truth: $DATA/NAME-truth.txt.
J=/usr/share/doc/libdlib19.1/examples/johns
# With PHOTOS (a labels.csv of real plate photos: region,image,x,y,w,h,plate — ../shared/plates-dev),
# each car is a real US or European car's photo cropped around its plate (a square four plate widths
# wide, shown 560 px: the plate 140 px wide, with the car's front or back around it) instead of a
# drawn box; its label is the truth. Every other pedestrian is then a whole person (the man on the
# left of opencv-doc's basketball1.png, facing the camera, his face ~40 px) that a person detector
# can see, instead of a face without a body.
scene() {
  local name=$1 spacing=$2 count=$3 pspacing=$4 photos=${5:-}
  local out=$DATA/$name-120s.mkv
  [ -f "$out" ] && { echo "$out"; return; }
  echo "bench: generating a 1080p street scene ($name: a car every $spacing s, a pedestrian every $pspacing s)" >&2
  local FONT=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
  local people=() p
  for p in $(ls "$J" | sort); do people+=("$J/$p/$(ls "$J/$p" | sort | head -1)"); done
  # The view: a real street photo (opencv-doc's leuvenA.jpg); `encode` adds sensor noise that
  # changes every frame, so decoding costs what real footage costs and no packet is empty.
  local BG=/usr/share/doc/opencv-doc/examples/data/leuvenA.jpg
  [ -f "$BG" ] || { echo "bench: $BG missing (apt-get install opencv-doc)" >&2; exit 1; }
  local inputs=(-loop 1 -framerate 25 -t 120 -i "$BG") graph="[0:v]scale=1920:1080,setsar=1,format=yuv420p[v0]"
  local last=v0 L=(A B C D E F G H J K L M N P Q R S T V W X Y Z) k t0 y text n=1
  : >"$DATA/$name-truth.txt"
  local cars=()
  [ -n "$photos" ] && mapfile -t cars < <(awk -F, '($1 == "us" || $1 == "eu") && $7 != "" { print }' "$photos")
  for k in $(seq 0 $((count - 1))); do
    t0=$((k * spacing)); y=$((520 + k % 2 * 260))
    if [ ${#cars[@]} -gt 0 ]; then
      local region image px py pw ph plate cw ch cx cy
      IFS=, read -r region image px py pw ph plate _ <<<"${cars[k % ${#cars[@]}]}"
      cw=$((pw * 4)); ch=$cw; cx=$((px + pw / 2 - cw / 2)); cy=$((py + ph / 2 - ch / 2))
      echo "plate $plate" >>"$DATA/$name-truth.txt"
      inputs+=(-loop 1 -framerate 25 -t 120 -i "$(dirname "$photos")/$image")
      # Padded first, so a crop past the photo's edge stays inside it.
      graph+=";[$n:v]pad=iw+$((2 * cw)):ih+$((2 * ch)):$cw:$ch:color=gray,crop=$cw:$ch:$((cx + cw)):$((cy + ch)),scale=560:560,setsar=1[c$k];[$last][c$k]overlay=x='-560+2480*(t-$t0)/7':y=$((100 + k % 2 * 400)):eval=frame:enable='between(t,$t0,$((t0 + 7)))'[v$((k + 1))]"
      n=$((n + 1))
    else
      text="${L[k % 23]}${L[(k * 7 + 3) % 23]}${L[(k * 11 + 5) % 23]}-$((100 + k * 7))"
      echo "plate ${text/-/}" >>"$DATA/$name-truth.txt"
      graph+=";color=c=0x$(printf '%02x%02x%02x' $((40 + k * 5 % 200)) 30 $((60 + k * 9 % 180))):s=560x230:r=25,drawbox=x=140:y=130:w=280:h=74:c=0xf5d000:t=fill,drawbox=x=140:y=130:w=280:h=74:c=black:t=3,drawtext=fontfile=$FONT:text=$text:fontsize=50:fontcolor=black:x=280-tw/2:y=142[c$k]"
      graph+=";[$last][c$k]overlay=x='-560+2480*(t-$t0)/7':y=$y:eval=frame:enable='between(t,$t0,$((t0 + 7)))'[v$((k + 1))]"
    fi
    last=v$((k + 1))
  done
  local WHOLE=/usr/share/doc/opencv-doc/examples/data/basketball1.png
  for k in $(seq 0 $((120 / pspacing - 1))); do
    t0=$((5 + k * pspacing)); p=${people[k % ${#people[@]}]}
    if [ -n "$photos" ] && [ $((k % 2)) = 1 ]; then
      echo "face basketball1-left" >>"$DATA/$name-truth.txt"
      inputs+=(-loop 1 -framerate 25 -t 120 -i "$WHOLE")
      graph+=";[$n:v]crop=170:410:15:70,scale=200:482,setsar=1[f$k];[$last][f$k]overlay=x='1920-2120*(t-$t0)/6':y=120:eval=frame:enable='between(t,$t0,$((t0 + 6)))'[w$k]"
    else
      echo "face $(basename "$(dirname "$p")")" >>"$DATA/$name-truth.txt"
      inputs+=(-loop 1 -framerate 25 -t 120 -i "$p")
      graph+=";[$n:v]scale=90:90[f$k];[$last][f$k]overlay=x='1920-2010*(t-$t0)/6':y=250:eval=frame:enable='between(t,$t0,$((t0 + 6)))'[w$k]"
    fi
    last=w$k; n=$((n + 1))
  done
  ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" -filter_complex "$graph" -map "[$last]" -t 120 -c:v ffv1 -pix_fmt yuv420p "$out.tmp.mkv"
  mv "$out.tmp.mkv" "$out"
  echo "$out"
}
# encode SCENE NAME CODEC KEYINT: the scene as an archive of four 30 s files (cut at keyframes).
encode() {
  local src=$1 dir=$DATA/$2 codec=$3 keyint=$4 params
  if [ ! -f "$dir/CAM01/2026-11-20/120130.mp4" ]; then
    mkdir -p "$dir/CAM01/2026-11-20"
    if [ "$codec" = libx265 ]; then params=(-x265-params "keyint=$keyint:min-keyint=$keyint:scenecut=0:log-level=error" -b:v 2M)
    else params=(-x264-params "keyint=$keyint:min-keyint=$keyint:scenecut=0" -b:v 3M -maxrate 3M -bufsize 8M); fi
    ffmpeg -hide_banner -loglevel error -y -i "$src" -vf noise=alls=6:allf=t -c:v "$codec" -preset veryfast "${params[@]}" -pix_fmt yuv420p "$dir/whole.mp4"
    for k in 0 1 2 3; do
      ffmpeg -hide_banner -loglevel error -y -ss $((k * 30)) -i "$dir/whole.mp4" -t 30 -c copy \
        "$dir/CAM01/2026-11-20/$(printf '12%02d%02d' $((k * 30 / 60)) $((k * 30 % 60))).mp4"
    done
    printf 'id,name,site,zone,latitude,longitude\nCAM01,street,bench,bench,,\n' >"$dir/cameras.csv"
  fi
  echo "$dir"
}
if want index; then
BUSY_SRC=$(scene busy 3 40 12)
QUIET_SRC=$(scene quiet 20 6 40)
# The busy street with real cars (issue 21), where the real plate photos are present.
DEV=${PLATES_DEV:-../shared/plates-dev}
CARS_SRC="" CARS_QUIET_SRC=""
if [ -f "$DEV/labels.csv" ]; then
  CARS_SRC=$(scene cars 3 40 12 "$DEV/labels.csv")
  CARS_QUIET_SRC=$(scene cars-quiet 20 6 40 "$DEV/labels.csv")
fi

printf '\n== plates: where and how to look, one core, ms per sampled 1080p frame (30 frames at 1 fps) ==\n'
printf '%-12s %-22s %10s %10s %14s\n' scene lever "ms/frame" detections "% of pixels"
for sc in busy:$(encode "$BUSY_SRC" busy-h264 libx264 50) quiet:$(encode "$QUIET_SRC" quiet-h264 libx264 50); do
  "$BENCH" plates-levers "${sc#*:}/whole.mp4" | while read -r lever ms n share; do
    printf '%-12s %-22s %10s %10s %14s\n' "${sc%%:*}" "$lever" "$ms" "$n" "$share"; done
done

# One index run: prints seconds, plates read exactly (of the truth), sightings, face tracks (people in the truth).
index_run() { # archive truth flags...
  local dir=$1 truth=$2; shift 2
  local inc=$dir-bench s e
  rm -f "$inc.forensic" "$inc.forensic-wal" "$inc.forensic-shm" "$inc.faces"*
  .build/release/forensic incident create "$inc" --from 2026-11-20T12:00:00+05:00 --to 2026-11-20T13:00:00+05:00 \
    --archive "$dir" --cameras-file "$dir/cameras.csv" >/dev/null
  s=$(date +%s.%N); .build/release/forensic index "$inc.forensic" --workers 2 --json "$@" >"$inc.json" 2>/dev/null || true; e=$(date +%s.%N)
  local exact=0 t
  for t in $(awk '$1 == "plate" { print $2 }' "$truth"); do
    [ "$(sqlite3 "$inc.forensic" "SELECT COUNT(*) FROM plate_sighting WHERE text = '$t'")" -gt 0 ] && exact=$((exact + 1))
  done
  # Looks that ran the reader / the face descriptor, per vehicle and per person of the truth.
  local looks
  looks=$(python3 -c 'import json, sys; l = json.load(open(sys.argv[1])).get("looks", {}); print("%.1f %.1f" % (l.get("plates_read", 0) / int(sys.argv[2]), l.get("faces_described", 0) / int(sys.argv[3])))' \
    "$inc.json" "$(grep -c '^plate' "$truth")" "$(grep -c '^face' "$truth")")
  echo "$(echo "$e - $s" | bc -l) $exact $(grep -c '^plate' "$truth") $(sqlite3 "$inc.forensic" "SELECT COUNT(*) FROM plate_sighting") $(sqlite3 "$inc.forensic" "SELECT COUNT(*) FROM face_track") $(grep -c '^face' "$truth") $looks"
}
printf '\n== indexing, lever by lever: 120 s 1080p scenes (four 30 s files), plates + faces, 2 workers, beside a full ffmpeg decode ==\n'
printf '(before = the previous release'"'"'s settings; each row adds one lever to the row above; ratio = full decode time / index time, aim: quiet >= 3, busy >= 0.5)\n'
printf '%-24s %-30s %8s %9s %7s %13s %10s %12s %9s %9s\n' scene settings seconds x-realtime ratio "plates exact" sightings "face tracks" "reads/car" "descr/person"
# BENCH_INDEX_SPECS / BENCH_INDEX_ROWS narrow this table (e.g. 'busy:h264:50 quiet:h264:50' and 'now|int8').
for spec in ${BENCH_INDEX_SPECS:-busy:h264:50 busy:h265:50 quiet:h264:50 quiet:h265:50 quiet:h264:250 cars:h264:50 cars:h265:50 cars-quiet:h264:50}; do
  IFS=: read -r kind codec keyint <<<"$spec"
  case $kind in
    busy) src=$BUSY_SRC ;; quiet) src=$QUIET_SRC ;; cars) src=$CARS_SRC ;; cars-quiet) src=$CARS_QUIET_SRC ;;
  esac
  [ -n "$src" ] || continue
  lib=libx264; [ "$codec" = h265 ] && lib=libx265
  dir=$(encode "$src" "$kind-$codec-g$keyint" $lib "$keyint")
  full=$(wall ffmpeg -threads 2 -i "$dir/whole.mp4" -f null -)
  keys=$(wall ffmpeg -threads 2 -skip_frame nokey -i "$dir/whole.mp4" -f null -)
  label="$kind $codec GOP $keyint"
  printf '%-24s %-30s %8.1f %8.1fx %7.2f\n' "$label" "ffmpeg full decode" "$full" "$(echo "120 / $full" | bc -l)" 1
  printf '%-24s %-30s %8.1f %8.1fx %7.2f\n' "$label" "ffmpeg keyframes only" "$keys" "$(echo "120 / $keys" | bc -l)" "$(echo "$full / $keys" | bc -l)"
  for row in "before|--decode-quiet-gops --face-detector hog --precision auto --read-every-look --describe-every-look" \
             "+ quiet GOPs skipped|--face-detector hog --precision auto --read-every-look --describe-every-look" \
             "+ f32, not bf16|--face-detector hog --read-every-look --describe-every-look" \
             "+ track, read once|--face-detector hog --describe-every-look" "+ CenterFace|--describe-every-look" \
             "+ faces described once (= now)|" "+ cascade|--cascade" "+ int8 (NNCF)|--cascade --precision int8"; do
    [[ "${row%%|*}" =~ ${BENCH_INDEX_ROWS:-.} ]] || continue
    # shellcheck disable=SC2086
    read -r secs exact truth sightings tracks people reads descriptors <<<"$(index_run "$dir" "$DATA/$kind-truth.txt" ${row#*|})"
    printf '%-24s %-30s %8.1f %8.1fx %7.2f %8s of %-3s %10s %7s of %-3s %9s %9s\n' "$label" "${row%%|*}" "$secs" "$(echo "120 / $secs" | bc -l)" \
      "$(echo "$full / $secs" | bc -l)" "$exact" "$truth" "$sightings" "$tracks" "$people" "$reads" "$descriptors"
  done
done

[ -n "${BENCH_INDEX_SPECS:-}" ] || {
printf '\n== one long file: the busy H.264 scene as a single 120 s file, 2 workers (one file keeps one worker busy) ==\n'
one=$DATA/busy-one
if [ ! -f "$one/CAM01/2026-11-20/120000.mp4" ]; then
  mkdir -p "$one/CAM01/2026-11-20" && cp "$DATA/busy-h264-g50/whole.mp4" "$one/CAM01/2026-11-20/120000.mp4"
  printf 'id,name,site,zone,latitude,longitude\nCAM01,street,bench,bench,,\n' >"$one/cameras.csv"
fi
full=$(wall ffmpeg -threads 2 -i "$one/CAM01/2026-11-20/120000.mp4" -f null -)
for row in "one thread per model inference (before)|--model-threads 1" "the idle core joins each inference (now)|"; do
  # shellcheck disable=SC2086
  read -r secs exact truth sightings tracks people <<<"$(index_run "$one" "$DATA/busy-truth.txt" ${row#*|})"
  printf '%-42s %8.1f s %8.1fx %7.2f %8s of %-3s %10s %7s of %-3s\n' "${row%%|*}" "$secs" "$(echo "120 / $secs" | bc -l)" \
    "$(echo "$full / $secs" | bc -l)" "$exact" "$truth" "$sightings" "$tracks" "$people"
done
}

fi

# --- Watchlist matching at scale ------------------------------------------------------------------
if want watchlist; then
printf '\n== watchlist matching: 100,000 enrolled faces, 10,000 wanted plates (random), per item and per indexed hour ==\n'
"$BENCH" watchlist-scale 100000 10000
TRACKS=${BENCH_RECHECK_TRACKS:-1000000}
printf '\n== watchlist recheck through check itself: %s face tracks x 5 faces against 100,000 enrolled photos ==\n' "$TRACKS"
"$BENCH" watchlist-recheck "$DATA/watchlist" "$TRACKS" 100000 5000
fi

# --- Search latency at scale -------------------------------------------------------------------
if want search; then
READS=${BENCH_READS:-10000000}; FACES=${BENCH_FACES:-1000000}
printf '\n== search latency: %s plate reads, %s face embeddings (synthetic incident, built once) ==\n' "$READS" "$FACES"
"$BENCH" search "$DATA/search-$READS-$FACES.forensic" "$READS" "$FACES"
fi

# --- Nightly throughput and the fleet it implies -------------------------------------------------------
if want nightly; then
BUSY_SRC=$(scene busy 3 40 12); QUIET_SRC=$(scene quiet 20 6 40)
encode "$BUSY_SRC" busy-h264-g50 libx264 50 >/dev/null; encode "$QUIET_SRC" quiet-h264-g50 libx264 50 >/dev/null
printf '\n== nightly: forensic nightly over each 120 s scene'"'"'s archive into a fresh index (default settings, --settle 0, 2 workers) ==\n'
declare -A RATE
for kind in busy quiet; do
  dir=$DATA/$kind-h264-g50 idx=$DATA/$kind-nightly-index
  rm -rf "$idx"
  s=$(date +%s.%N); .build/release/forensic nightly "$idx" --archive "$dir" --cameras-file "$dir/cameras.csv" --settle 0 >/dev/null 2>&1 || true; e=$(date +%s.%N)
  RATE[$kind]=$(echo "120 / ($e - $s)" | bc -l)
  printf '%-6s %6.1f s for 120 s of footage: %5.2f footage hours per wall hour; %s sightings, %s face tracks\n' "$kind" "$(echo "$e - $s" | bc -l)" \
    "${RATE[$kind]}" "$(sqlite3 "$idx/2026-11-20.forensic" 'SELECT COUNT(*) FROM plate_sighting')" "$(sqlite3 "$idx/2026-11-20.forensic" 'SELECT COUNT(*) FROM face_track')"
done
printf 'fleet: 12,000 cameras x (8 busy + 16 quiet hours a day) = %.0f machines like this one (%d cores) indexing around the clock\n' \
  "$(echo "12000 * (8 / ${RATE[busy]} + 16 / ${RATE[quiet]}) / 24" | bc -l)" "$(nproc)"

fi

# --- Plate search across an archive index ----------------------------------------------------------
if want archive; then
DAYS=${BENCH_DAYS:-30}; DAY_READS=${BENCH_DAY_READS:-300000}
printf '\n== plate search over an archive index: %s day files x %s plate reads (synthetic, 300 cameras; built once) ==\n' "$DAYS" "$DAY_READS"
"$BENCH" archive-search "$DATA" "$DAYS" "$DAY_READS"
fi

# --- A city's archive: one day file as it grows, and 90 days at once (issue 23) ----------------------
# Data is built once into bench-data/scale (the 10 M-read day takes ~20 GB and most of an hour here);
# BENCH_SCALE_DAYS="READS:FACES ..." and BENCH_SCALE_WINDOW="DAYS:READS" change the sizes.
if want archive-scale; then
for spec in ${BENCH_SCALE_DAYS:-1000000:1000000 10000000:0 0:5000000}; do
  IFS=: read -r reads faces <<<"$spec"
  printf '\n== archive-scale: one day file, %s plate reads, %s face tracks ==\n' "$reads" "$faces"
  "$BENCH" archive-scale "$DATA/scale" day "$reads" "$faces"
done
IFS=: read -r days per <<<"${BENCH_SCALE_WINDOW:-90:100000}"
printf '\n== archive-scale: one query over %s day files of %s plate reads ==\n' "$days" "$per"
"$BENCH" archive-scale "$DATA/scale" days "$days" "$per"
fi

# --- The workbench under concurrent clients ---------------------------------------------------------
if want serve; then
DATA=$DATA bash scripts/bench-serve.sh
fi
