#!/usr/bin/env bash
# make fuzz: builds forensic-fuzz with libFuzzer + AddressSanitizer (FORENSIC_FUZZ=1, own build
# folder .build-fuzz) and runs every target for a bounded time, seeded from samples/. Fails on any
# crash, sanitizer report, leak or hang (a run over 20 s), and prints executions per target.
#   FUZZ_SECONDS  total time for all targets (default 280, split evenly)
#   FUZZ_TARGETS  which targets (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=${FUZZ_TARGETS:-media still cameras layout query incident onnx}
read -ra LIST <<<"$TARGETS"
PER=$(( ${FUZZ_SECONDS:-280} / ${#LIST[@]} )); [ "$PER" -ge 1 ] || PER=1
OUT=scratch/fuzz
FUZZ=.build-fuzz/debug/forensic-fuzz
echo "fuzz: building forensic-fuzz with -sanitize=fuzzer,address (.build-fuzz)"
FORENSIC_FUZZ=1 swift build --scratch-path .build-fuzz --product forensic-fuzz 2>&1 | grep -E "error|warning: unre|Compiling forensic|Build" || true
[ -x "$FUZZ" ] || { echo "fuzz: build failed" >&2; exit 1; }

# Seed corpora (rebuilt each time; what the fuzzer adds lives beside them in $OUT/corpus-*).
seed() { mkdir -p "$OUT/seed-$1"; }
for t in "${LIST[@]}"; do rm -rf "$OUT/seed-$t"; seed "$t"; mkdir -p "$OUT/corpus-$t"; done
cp samples/archive/*/*/* samples/formats/* Tests/fixtures/*.mkv "$OUT/seed-media/" 2>/dev/null || true
cp samples/stills/* "$OUT/seed-still/" 2>/dev/null || true
ffmpeg -hide_banner -loglevel error -y -i samples/stills/plate.png -vf scale=160:-1 "$OUT/seed-still/plate.jpg" 2>/dev/null || true
ffmpeg -hide_banner -loglevel error -y -i samples/stills/plate.png -vf scale=120:-1 "$OUT/seed-still/plate.bmp" 2>/dev/null || true
[ -d "$OUT/seed-cameras" ] && cp samples/cameras.csv "$OUT/seed-cameras/"
if [ -d "$OUT/seed-layout" ]; then
  printf '%s' '{camera}/{date}/{time}.{ext}' >"$OUT/seed-layout/default"
  printf '%s' 'site-{any}/{camera}_{date:%Y%m%d}_{time:%H-%M-%S}.{ext}' >"$OUT/seed-layout/custom"
  printf '%s' 'CAM01/2026-11-20/140000.mp4' >"$OUT/seed-layout/path"
fi
if [ -d "$OUT/seed-query" ]; then
  for q in 'BKN-12?' '*KN1*' '8KN123' '2026-11-20T14:00:00+05:00' '2026-11-20T09:00:00Z'; do printf '%s' "$q" >"$OUT/seed-query/$(echo "$q" | md5sum | cut -c1-8)"; done
fi
if [ -d "$OUT/seed-incident" ]; then
  # A small real incident (schema, cameras, audit) made by the release binary if it is built.
  if [ -x .build/release/forensic ]; then
    rm -f "$OUT/seed.forensic"*
    .build/release/forensic incident create "$OUT/seed" --from 2026-11-20T14:00:00+05:00 --to 2026-11-20T15:00:00+05:00 \
      --archive samples/archive --cameras-file samples/cameras.csv >/dev/null
    sqlite3 "$OUT/seed.forensic" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;" >/dev/null
    cp "$OUT/seed.forensic" "$OUT/seed-incident/"
  fi
fi
if [ -d "$OUT/seed-onnx" ]; then
  # A minimal ONNX ModelProto: ir_version 7 and one metadata_props entry (character = "A\nB").
  python3 -c 'import sys; kv=b"\x0a\x09character\x12\x03A\nB"; sys.stdout.buffer.write(b"\x08\x07"+b"\x72"+bytes([len(kv)])+kv)' >"$OUT/seed-onnx/tiny.onnx"
fi

# Inputs that once crashed a target stay in its seeds: a regression replays first.
for t in "${LIST[@]}"; do cp Tests/fixtures/fuzz/"$t"-* "$OUT/seed-$t/" 2>/dev/null || true; done

status=0
printf '%-10s %8s %12s %10s  %s\n' target seconds executions "exec/s" result
for t in "${LIST[@]}"; do
  mkdir -p "$OUT/crashes"
  log="$OUT/$t.log"
  set +e
  FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp "$FUZZ" "$OUT/corpus-$t" "$OUT/seed-$t" -max_total_time="$PER" -timeout=20 \
    -rss_limit_mb=4096 -max_len=200000 -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t-" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  if [ $rc -eq 0 ]; then result=clean; else result="FAILED (exit $rc; see $log and $OUT/crashes/)"; status=1; fi
  printf '%-10s %8s %12s %10s  %s\n' "$t" "$PER" "${runs:-0}" "${rate:-0}" "$result"
done
exit $status
