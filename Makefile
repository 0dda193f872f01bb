# forensic — set-up, build, demo, tests and benchmarks. See README.md.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
FORENSIC := .build/release/forensic

.PHONY: setup build demo test bench eval fuzz samples clean fuzz-api

setup:
	@bash scripts/setup.sh

build: setup
	swift build -c release --product forensic
	swift build -c release --product forensic-bench

# The main job on the bundled samples.
demo: build
	@bash scripts/demo.sh

test:
	@bash scripts/setup.sh --test
	swift test

bench: build
	@bash scripts/bench.sh

# Regenerate the committed sample footage (needs the ffmpeg command-line tool).
samples:
	bash samples/make-samples.sh

clean:
	rm -rf .build

# Recognition accuracy: real plate photos (../shared/plates-dev, with the rapidocr reference and footage made from
# them), then the generated sets (synthetic plates on real photos; dlib's faces).
eval: build
	@bash scripts/eval.sh

# libFuzzer + AddressSanitizer over every parser of outside data (FUZZ_SECONDS total, default 280).
fuzz: build
	@bash scripts/fuzz.sh

# schemathesis against the workbench's OpenAPI document, logged in (needs make demo's files).
fuzz-api: build
	@bash scripts/fuzz-api.sh
