#!/usr/bin/env bash
# The main job on the bundled samples: open an incident, index it against a watchlist, list the
# hits, search it, follow a vehicle.
set -euo pipefail
cd "$(dirname "$0")/.."
F=.build/release/forensic
DEMO=scratch/demo
rm -rf "$DEMO" && mkdir -p "$DEMO"
# The sample archive, plus CAM04 footage with faces made from dlib's example photos.
cp -r samples/archive "$DEMO/archive"
bash scripts/make-face-footage.sh "$DEMO/archive"
say() { printf '\n== %s ==\n' "$*"; }

say "forensic probe (one file per camera)"
"$F" probe "$DEMO"/archive/CAM0{1,2,3,4}/2026-11-20/*

say "forensic incident create"
"$F" incident create "$DEMO/airport-run" --from 2026-11-20T14:00:00+05:00 --to 2026-11-20T14:30:00+05:00 \
  --archive "$DEMO/archive" --cameras-file samples/cameras.csv

say "forensic watchlist (a wanted vehicle; an inmate enrolled from another photo of the man on CAM04)"
WL=$DEMO/watchlist.db
printf 'plate,reason,notes\nBKN-123,stolen,white Corolla\n' >"$DEMO/wanted-vehicles.csv"
mkdir -p "$DEMO/inmates/CJ-0417"
ffmpeg -hide_banner -loglevel error -y -i /usr/share/doc/libdlib19.1/examples/johns/John_Salley/000183_02159543.jpg \
  -vf pad=450:450:150:150:color=gray "$DEMO/inmates/CJ-0417/front.png"
"$F" watchlist create wanted-vehicles --kind plates --watchlist "$WL"
"$F" watchlist add-plates wanted-vehicles "$DEMO/wanted-vehicles.csv" --watchlist "$WL"
"$F" watchlist create inmates --kind faces --description "Central Jail (demo)" --watchlist "$WL"
"$F" watchlist add-faces inmates "$DEMO/inmates" --watchlist "$WL"
"$F" watchlist list --watchlist "$WL"

say "forensic index (plates and faces, checked against the watchlist)"
"$F" index "$DEMO/airport-run.forensic" --watchlist "$WL"
"$F" incident info "$DEMO/airport-run.forensic"

say "forensic hits (watchlist hits in time order)"
"$F" hits "$DEMO/airport-run.forensic"

say "forensic search --plate 'BKN-12?' (a witness remembers most of it)"
"$F" search "$DEMO/airport-run.forensic" --plate 'BKN-12?'

say "forensic search --plate 8KN123 (a misread: near misses are ranked)"
"$F" search "$DEMO/airport-run.forensic" --plate 8KN123

say "forensic search --face (another photo of the person on CAM04)"
"$F" search "$DEMO/airport-run.forensic" --face /usr/share/doc/libdlib19.1/examples/johns/John_Salley/000183_02159543.jpg

say "forensic track --plate BKN-123"
"$F" track "$DEMO/airport-run.forensic" --plate BKN-123 --svg "$DEMO/BKN-123-route.svg"

say "forensic convoy --plate BKN-123"
"$F" convoy "$DEMO/airport-run.forensic" --plate BKN-123

say "forensic export (the suspect vehicle's sightings, for a court) and verify"
mkdir -p "$DEMO/keys"
"$F" keys create --out "$DEMO/keys/court-key"
"$F" export "$DEMO/airport-run.forensic" --plate BKN-123 --redact --out "$DEMO/BKN-123-evidence.zip" --key "$DEMO/keys/court-key"
"$F" verify "$DEMO/BKN-123-evidence.zip" --key "$DEMO/keys/court-key.pub" | tail -4
"$F" audit "$DEMO/airport-run.forensic" --verify | tail -2

say "forensic nightly (the archive index: one day file per day, searched across days)"
"$F" nightly "$DEMO/index" --archive "$DEMO/archive" --cameras-file samples/cameras.csv --settle 0 --watchlist "$WL" --summary
"$F" search "$DEMO/index" --plate BKN-123 --exact

say "forensic serve (the workbench in a browser, over the incident and the archive index)"
PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 16)
FORENSIC_PASSWORD=$PASSWORD "$F" users add demo --role supervisor --users "$DEMO/users.json"
echo "Start it with:"
echo "  $F serve $DEMO/airport-run.forensic $DEMO/index --users $DEMO/users.json --audit-log $DEMO/workbench-audit.jsonl --work $DEMO/workbench --key $DEMO/keys/court-key"
echo "then open http://127.0.0.1:8080/ and log in as demo with the password $PASSWORD (made for this run)."
