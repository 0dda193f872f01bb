#!/usr/bin/env python3
"""int8 copies of the text detector, the text reader and the face detector (NNCF post-training
quantisation), made by set-up from a fixed calibration set. Issue 21.

  quantise.py check MODELS                  exit 0 when every int8 model matches its recipe
  quantise.py make MODELS CALIBRATION_DIR   make the calibration set there (once) and quantise
                                            (needs nncf and openvino on PYTHONPATH)

The calibration pictures: a synthetic plate set made by scripts/make-plate-eval.sh with its own
seed (never one an evaluation uses), the committed sample footage one frame a second, and
Debian's opencv-doc photos. Each model sees them packed as forensic packs its inputs
(TensorPacking.swift): the detector BGR (x/255-0.5)/0.5 at a long side of 1280 and in 640x384
crops at full scale (moving regions), the reader plate lines 48 px high padded to 320+, CenterFace
RGB 0-255 padded to multiples of 32.

NNCF measures activation ranges by running the f32 model, whose last bits differ between CPUs
(AVX2, AVX-512), so the int8 files may differ in their last bits from machine to machine. What
forensic fingerprints is therefore each model's recipe (`NAME.recipe`: source model SHA-256,
NNCF and OpenVINO versions, this script, the calibration recipe), which is the same everywhere.
"""
import hashlib, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NNCF_VERSION = "3.4.0"
OPENVINO_VERSION = "2026.4.1"
CALIBRATION_SEED = 31        # make-plate-eval.sh seed: the evaluations use 20261126, 7 and 13
CALIBRATION_PLATES = 100
OPENCV_PHOTOS = ["aero1", "aero3", "building", "home", "leuvenA", "leuvenB", "messi5", "fruits", "board",
                 "licenseplate_motion", "baboon", "left01", "right01"]

# name → (source model relative to MODELS, int8 file stem relative to MODELS/int8)
MODELS = {
    "ppocrv6-det": "ppocr6/PP-OCRv6_det_small.onnx",
    "ppocrv6-rec": "ppocr6/PP-OCRv6_rec_small.onnx",
    "centerface": "centerface/centerface.onnx",
}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sample_footage():
    out = []
    for base, _, files in os.walk(os.path.join(ROOT, "samples", "archive")):
        out += [os.path.join(base, f) for f in files if f.endswith((".mp4", ".mkv", ".ts"))]
    return sorted(out)


def opencv_photos():
    paths = [f"/usr/share/doc/opencv-doc/examples/data/{n}.jpg" for n in OPENCV_PHOTOS]
    return [p for p in paths if os.path.exists(p)]


def recipe(models_dir, name):
    """The text that names an int8 model: the same on every machine that makes it."""
    lines = [
        f"model {name}",
        f"source {MODELS[name]} sha256 {sha256(os.path.join(models_dir, MODELS[name]))}",
        f"nncf {NNCF_VERSION} openvino {OPENVINO_VERSION} preset performance, fast bias correction"
        + (", transformer" if name == "ppocrv6-rec" else ""),
        f"script {sha256(os.path.abspath(__file__))}",
        f"requirements {sha256(os.path.join(ROOT, 'scripts', 'quantise-requirements.txt'))}",
        f"calibration plates make-plate-eval.sh {sha256(os.path.join(ROOT, 'scripts', 'make-plate-eval.sh'))} "
        f"seed {CALIBRATION_SEED} count {CALIBRATION_PLATES}",
    ]
    lines += [f"calibration footage {os.path.relpath(p, ROOT)} {sha256(p)}" for p in sample_footage()]
    lines += [f"calibration photo {os.path.basename(p)} {sha256(p)}" for p in opencv_photos()]
    return "\n".join(lines) + "\n"


def paths(models_dir, name):
    stem = os.path.join(models_dir, "int8", os.path.splitext(MODELS[name])[0])
    return stem + ".xml", stem + ".bin", stem + ".recipe"


def is_current(models_dir, name):
    xml, binary, rec = paths(models_dir, name)
    if not all(os.path.exists(p) for p in (xml, binary, rec)):
        return False
    with open(rec) as f:
        return f.read() == recipe(models_dir, name)


# --- Calibration pictures, decoded by the ffmpeg command-line tool -----------------------------

def probe_size(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                          "-of", "json", path], check=True, capture_output=True, text=True).stdout
    s = json.loads(out)["streams"][0]
    return s["width"], s["height"]


def decode(path, width, height, frames=1, rate=None, crop=None):
    """RGB frames (uint8, [n, height, width, 3]) of `path`, scaled (bilinear) after an optional crop."""
    import numpy as np
    vf = []
    if rate:
        vf.append(f"fps={rate}")
    if crop:
        x, y, w, h = crop
        vf.append(f"crop={w}:{h}:{x}:{y}")
    vf.append(f"scale={width}:{height}:flags=bilinear")
    cmd = ["ffmpeg", "-v", "error", "-i", path, "-vf", ",".join(vf), "-frames:v", str(frames),
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, check=True, capture_output=True).stdout
    n = len(raw) // (width * height * 3)
    return np.frombuffer(raw[: n * width * height * 3], dtype=np.uint8).reshape(n, height, width, 3)


def pack(rgb, width, height, bgr, mean, std):
    """forensic's TensorPacking: [1, 3, height, width], (x/255-mean)/std, zero beyond the picture."""
    import numpy as np
    x = rgb[..., ::-1] if bgr else rgb
    x = (x.astype(np.float32) / 255 - mean) / std
    out = np.zeros((1, 3, height, width), dtype=np.float32)
    out[0, :, : x.shape[0], : x.shape[1]] = x.transpose(2, 0, 1)
    return out


def fit(w, h, side):
    s = min(1.0, side / max(w, h))
    return max(1, round(w * s)), max(1, round(h * s))


def round32(v):
    return max(32, int(round(v / 32)) * 32)


def pictures(calibration_dir):
    """(path, width, height) of every calibration still, and footage frames (one a second)."""
    import numpy as np
    stills = [os.path.join(calibration_dir, f) for f in sorted(os.listdir(calibration_dir)) if f.endswith(".jpg")]
    stills += opencv_photos()
    frames = []
    for video in sample_footage():
        w, h = probe_size(video)
        frames += list(decode(video, w, h, frames=20, rate=1))
    return stills, frames


def detector_inputs(calibration_dir):
    stills, frames = pictures(calibration_dir)
    items = []
    for p in stills:
        w, h = probe_size(p)
        fw, fh = fit(w, h, 1280)
        tw, th = round32(fw), round32(fh)
        items.append(pack(decode(p, tw, th)[0], tw, th, True, 0.5, 0.5))
        if w >= 640 and h >= 384 and len(items) % 2 == 0:   # a moving region at full scale
            items.append(pack(decode(p, 640, 384, crop=((w - 640) // 2, (h - 384) // 2, 640, 384))[0], 640, 384, True, 0.5, 0.5))
    for f in frames[::2]:
        h, w = f.shape[:2]
        fw, fh = fit(w, h, 1280)
        tw, th = round32(fw), round32(fh)
        import numpy as np
        ys = (np.arange(th) * h / th).astype(int)
        xs = (np.arange(tw) * w / tw).astype(int)
        items.append(pack(f[ys][:, xs], tw, th, True, 0.5, 0.5))
    return items


def reader_inputs(calibration_dir):
    import csv
    items = []
    with open(os.path.join(calibration_dir, "labels.csv")) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        p = os.path.join(calibration_dir, r["file"])
        x, y, w, h = (int(r[k]) for k in ("x", "y", "w", "h"))
        lines = [(x, y, w, h)] if r["lines"] == "1" else [(x, y, w, h // 2), (x, y + h // 2, w, h - h // 2)]
        for (lx, ly, lw, lh) in lines:
            tw = min(640, max(8, -(-48 * lw // max(lh, 1))))
            batch = max(320, (tw + 7) // 8 * 8)
            items.append(pack(decode(p, tw, 48, crop=(lx, ly, lw, lh))[0], batch, 48, True, 0.5, 0.5))
    return items


def face_inputs(calibration_dir):
    import numpy as np
    stills, frames = pictures(calibration_dir)
    items = []
    for p in stills[::2]:
        w, h = probe_size(p)
        fw, fh = fit(w, h, 1280)
        items.append(pack(decode(p, fw, fh)[0], (fw + 31) // 32 * 32, (fh + 31) // 32 * 32, False, 0, 1 / 255))
    for f in frames:
        h, w = f.shape[:2]
        items.append(pack(f, (w + 31) // 32 * 32, (h + 31) // 32 * 32, False, 0, 1 / 255))
    return items


def make(models_dir, calibration_dir):
    import nncf
    import openvino as ov
    assert nncf.__version__ == NNCF_VERSION, f"nncf {nncf.__version__}, expected {NNCF_VERSION}"
    subprocess.run(["bash", os.path.join(ROOT, "scripts", "make-plate-eval.sh"), calibration_dir,
                    str(CALIBRATION_PLATES), str(CALIBRATION_SEED)], check=True, stdout=subprocess.DEVNULL)
    core = ov.Core()
    inputs = {"ppocrv6-det": detector_inputs, "ppocrv6-rec": reader_inputs, "centerface": face_inputs}
    for name, source in MODELS.items():
        if is_current(models_dir, name):
            continue
        xml, binary, rec = paths(models_dir, name)
        items = inputs[name](calibration_dir)
        print(f"quantise: {name}: {len(items)} calibration inputs", flush=True)
        model = core.read_model(os.path.join(models_dir, source))
        if name == "centerface":
            model.reshape([1, 3, -1, -1])     # as forensic loads it (anyImageSize)
        # The reader is a small transformer (attention, layer norms, GELU): quantised as a CNN its
        # exact reads fell from 92% to 37% on the synthetic set; as a transformer, none lost.
        kind = {"model_type": nncf.ModelType.TRANSFORMER} if name == "ppocrv6-rec" else {}
        quantised = nncf.quantize(model, nncf.Dataset(items), subset_size=len(items),
                                  preset=nncf.QuantizationPreset.PERFORMANCE, fast_bias_correction=True, **kind)
        os.makedirs(os.path.dirname(xml), exist_ok=True)
        ov.save_model(quantised, xml + ".tmp.xml", compress_to_fp16=False)
        os.replace(xml + ".tmp.bin", binary)
        os.replace(xml + ".tmp.xml", xml)
        with open(rec + ".tmp", "w") as f:
            f.write(recipe(models_dir, name))
        os.replace(rec + ".tmp", rec)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        sys.exit(0 if all(is_current(sys.argv[2], n) for n in MODELS) else 1)
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
        sys.exit(0)
    print(__doc__, file=sys.stderr)
    sys.exit(2)
