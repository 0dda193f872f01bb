#!/usr/bin/env python3
"""The reference for make eval: rapidocr 3.10.0's own pipeline (PP-OCRv6 small detector and
recogniser, onnxruntime) over the real plate photos of ../shared/plates-dev.

A plate counts as found when some detected text line lies over it (its centre inside the labelled
box); its read is the lines over it, top to bottom, with names printed on the plate (a line of four
or more letters and no digit, when another line has digits) left out, letters and digits only.
Prints one line per plate (tab-separated) and a summary per region; run in a throwaway venv:
    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install rapidocr==3.10.0 onnxruntime
    /tmp/ref/bin/python scripts/eval/reference-plates.py ../shared/plates-dev
"""
import csv, re, sys, collections
from rapidocr import RapidOCR, OCRVersion, ModelType, EngineType, LangDet, LangRec

root = sys.argv[1]
engine = RapidOCR(params={
    "Det.ocr_version": OCRVersion.PPOCRV6, "Det.model_type": ModelType.SMALL,
    "Rec.ocr_version": OCRVersion.PPOCRV6, "Rec.model_type": ModelType.SMALL,
    "Global.log_level": "error",
}) if hasattr(OCRVersion, "PPOCRV6") else RapidOCR()

def plate_chars(s):
    return re.sub(r"[^A-Z0-9]", "", s.upper())

rows = list(csv.DictReader(open(f"{root}/labels.csv")))
cache = {}
stats = collections.defaultdict(lambda: [0, 0, 0, 0])   # plates, found, with text, exact
for r in rows:
    img = f"{root}/{r['image']}"
    if img not in cache:
        out = engine(img)
        boxes = [] if out.boxes is None else out.boxes
        cache[img] = list(zip(boxes, out.txts or [], out.scores or []))
    x, y, w, h = (int(r[k]) for k in "xywh")
    over = []
    for box, txt, score in cache[img]:
        cx = sum(p[0] for p in box) / 4; cy = sum(p[1] for p in box) / 4
        if x <= cx <= x + w and y <= cy <= y + h:
            over.append((cy, plate_chars(txt)))
    over.sort()
    lines = [t for _, t in over if t]
    kept = [t for t in lines if not (len(t) >= 4 and t.isalpha())]
    read = "".join(kept if any(any(c.isdigit() for c in t) for t in kept) else lines)
    truth = {r["plate"], r["plate_with_year"]} - {""}
    s = stats[r["region"]]
    s[0] += 1; s[1] += bool(over); s[2] += bool(truth); s[3] += read in truth
    print(f"{r['region']}\t{r['image']}\t{r['plate'] or '?'}\t{read or '-'}\t{'found' if over else 'missed'}\t{'exact' if read in truth else ''}")
print()
for region, (n, found, texted, exact) in sorted(stats.items()):
    print(f"reference {region}: plates {n}, found {found} ({100*found/n:.1f}%), exact {exact} of {texted} ({100*exact/max(texted,1):.1f}%)")
