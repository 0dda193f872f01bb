#!/usr/bin/env bash
# make bench, section serve: the workbench under 20 concurrent clients on loopback (wrk), plate
# search as a page and through the API, p50/p95, beside the same searches run by the CLI in the
# same run; over the search section's incident and the archive section's index (built once).
set -euo pipefail
cd "$(dirname "$0")/.."
F=.build/release/forensic; BENCH=.build/release/forensic-bench; DATA=${DATA:-bench-data}
READS=${BENCH_READS:-10000000}; FACES=${BENCH_FACES:-1000000}; DAYS=${BENCH_DAYS:-30}; DAY_READS=${BENCH_DAY_READS:-300000}
INC=$DATA/search-$READS-$FACES.forensic; IDX=$DATA/index-${DAYS}x${DAY_READS}
[ -f "$INC" ] || "$BENCH" search "$INC" "$READS" "$FACES" >/dev/null
[ -d "$IDX" ] || "$BENCH" archive-search "$DATA" "$DAYS" "$DAY_READS" >/dev/null
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 1; }
WORK=$(mktemp -d); trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
FORENSIC_PASSWORD=bench-password-1 "$F" users add bench --role supervisor --users "$WORK/users.json" >/dev/null
PORT=$((20000 + RANDOM % 10000)); B=http://127.0.0.1:$PORT
"$F" serve "$INC" "$IDX" --listen 127.0.0.1:$PORT --users "$WORK/users.json" --audit-log "$WORK/audit.jsonl" --work "$WORK/work" 2>/dev/null & SERVER=$!
for _ in $(seq 100); do curl -sf "$B/login" >/dev/null && break; sleep 0.2; done
T=$(curl -s -c "$WORK/cj" "$B/login" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -s -b "$WORK/cj" -c "$WORK/cj" -X POST -d "name=bench&password=bench-password-1&csrf=$T" "$B/login" -o /dev/null
COOKIE="forensic_session=$(awk '/forensic_session/ {print $7}' "$WORK/cj")"
# Plates that are there: every 997th sighting of the incident, and of the index's first day file.
mapfile -t PLATES < <(sqlite3 -readonly "$INC" "SELECT text FROM plate_sighting WHERE id % 997 = 1 LIMIT 20")
mapfile -t DAYPLATES < <(sqlite3 -readonly "$(ls "$IDX"/*.forensic | head -1)" "SELECT text FROM plate_sighting WHERE id % 997 = 1 LIMIT 20")

# wrk: 2 threads, 20 connections, each request the next plate; p50 and p95 from wrk's histogram.
load() { # label path-prefix plates...
  local label=$1 prefix=$2; shift 2
  { echo "local plates = {"; printf '"%s",\n' "$@"; echo "}"; cat <<LUA
local i = 0
request = function() i = i + 1; return wrk.format("GET", "$prefix" .. plates[(i % #plates) + 1], {["Cookie"] = "$COOKIE"}) end
done = function(summary, latency, requests)
  io.write(string.format("%-44s p50 %7.1f ms   p95 %7.1f ms   %6.1f req/s   %d non-2xx\n", "$label", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, summary.requests / (summary.duration / 1e6), summary.errors.status))
end
LUA
  } >"$WORK/load.lua"
  wrk -t2 -c20 -d"${BENCH_SERVE_SECONDS:-20}s" -s "$WORK/load.lua" "$B" | tail -1
}
# The same searches from the CLI, one after another: p50 and p95 of the whole command.
cli() { # label target plates...
  local label=$1 target=$2; shift 2
  local t=()
  for p in "$@"; do
    s=$(date +%s%N); "$F" search "$target" --plate "$p" --exact --json >/dev/null; e=$(date +%s%N)
    t+=("$(( (e - s) / 1000 ))")
  done
  printf '%s\n' "${t[@]}" | sort -n | awk -v l="$label" '{a[NR]=$1} END {printf "%-44s p50 %7.1f ms   p95 %7.1f ms   (one at a time)\n", l, a[int(NR*0.5)+1]/1000, a[int(NR*0.95)+1]/1000}'
}
printf '\n== workbench: plate search under 20 concurrent clients (wrk, loopback), beside the CLI; %s reads in one incident, %s day files x %s reads ==\n' "$READS" "$DAYS" "$DAY_READS"
load "page /search, incident" "/search?case=0&exact=1&plate=" "${PLATES[@]}"
load "API /api/plates, incident" "/api/plates?case=0&exact=1&plate=" "${PLATES[@]}"
cli "CLI forensic search, incident" "$INC" "${PLATES[@]}"
load "page /search, archive index (all days)" "/search?case=1&exact=1&plate=" "${DAYPLATES[@]}"
load "API /api/plates, archive index (all days)" "/api/plates?case=1&exact=1&plate=" "${DAYPLATES[@]}"
cli "CLI forensic search, archive index" "$IDX" "${DAYPLATES[@]}"
# While a writer adds a new day file to the index (a nightly run's writes; synthetic, as the index's own).
"$BENCH" archive-add-day "$IDX" "$DAY_READS" >"$WORK/added" 2>&1 & WRITER=$!
load "API /api/plates, index, while a day is written" "/api/plates?case=1&exact=1&plate=" "${DAYPLATES[@]}"
wait $WRITER || true
# The index stays as the archive section built it.
[ -f "$(cat "$WORK/added")" ] && rm -f "$(cat "$WORK/added")"*
