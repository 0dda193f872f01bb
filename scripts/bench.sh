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
