#!/usr/bin/env bash
# make fuzz-api: schemathesis (PyPI, in a throwaway venv) against the workbench's own OpenAPI
# document, logged in as a supervisor (session cookie and CSRF token), over the demo's incident
# and archive index (make demo first). Passes when no request gets a 5xx answer and every answer
# matches the document (status code, content type, schema).
set -euo pipefail
cd "$(dirname "$0")/.."
F=${FORENSIC_BIN:-.build/release/forensic}
DEMO=scratch/demo
[ -f "$DEMO/airport-run.forensic" ] || { echo "fuzz-api: run make demo first" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
VENV=${XDG_CACHE_HOME:-$HOME/.cache}/forensic/schemathesis-venv
[ -x "$VENV/bin/schemathesis" ] || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q "schemathesis==4.32.5"; }
FORENSIC_PASSWORD=fuzz-password-1 "$F" users add fuzz --role supervisor --users "$WORK/users.json" >/dev/null
PORT=$((20000 + RANDOM % 10000)); B=http://127.0.0.1:$PORT
"$F" serve "$DEMO/airport-run.forensic" "$DEMO/index" --listen 127.0.0.1:$PORT --users "$WORK/users.json" \
  --audit-log "$WORK/audit.jsonl" --work "$WORK/work" --log-json 2>"$WORK/serve.err" & SERVER=$!
for _ in $(seq 50); do curl -sf "$B/login" >/dev/null && break; sleep 0.2; done
T=$(curl -s -c "$WORK/cj" "$B/login" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//;s/"//')
curl -s -b "$WORK/cj" -c "$WORK/cj" -X POST -d "name=fuzz&password=fuzz-password-1&csrf=$T" "$B/login" -o /dev/null
S=$(awk '/forensic_session/ {print $7}' "$WORK/cj")
C=$(curl -s -b "$WORK/cj" "$B/face" | grep -o 'data-csrf="[^"]*"' | sed 's/.*="//;s/"//')
curl -s -b "$WORK/cj" "$B/openapi.json" >"$WORK/openapi.json"
# Refusals of well-formed requests are the API's point (an unknown camera, a photo without a
# face), so positive_data_acceptance is left out; unsupported methods answer 404.
"$VENV/bin/schemathesis" run "$WORK/openapi.json" --url "$B" -H "Cookie: forensic_session=$S" -H "X-CSRF-Token: $C" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection \
  --max-examples "${FUZZ_EXAMPLES:-100}" --report junit --report-dir "$WORK/report" "$@"
# Answers per operation and status class, from the server's own request log.
python3 - "$WORK/serve.err" <<'PY'
import collections, json, sys
counts = collections.Counter()
for line in open(sys.argv[1]):
    try: r = json.loads(line)
    except ValueError: continue
    if r["path"].startswith("/api/"): counts[(r["method"] + " " + r["path"], r["status"][0] + "xx")] += 1
for op in sorted({k[0] for k in counts}):
    print("fuzz-api: %-18s %s" % (op, ", ".join("%s %d" % (c, counts[(op, c)]) for c in ("2xx", "4xx", "5xx") if counts[(op, c)])))
PY
