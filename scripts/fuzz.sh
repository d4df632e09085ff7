#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ over the QuickupCore sources and runs them.
#
#   scripts/fuzz.sh [properties|version|all] [seconds-per-target]   (default: all 60)
#
# Everything goes to .build-fuzz/ (git-ignored): binaries, the growing corpus per target, and
# crash artifacts (crash-*, leak-*, timeout-*). See docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

which_targets=${1:-all}
seconds=${2:-60}
out=.build-fuzz
# Swift's own crash backtracer trips AddressSanitizer after a fatalError and buries the real
# message; libFuzzer already prints a stack, so keep the output readable.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

case "$which_targets" in
  all) targets=(properties version) ;;
  properties|version) targets=("$which_targets") ;;
  *) echo "usage: $0 [properties|version|all] [seconds]" >&2; exit 64 ;;
esac

# Harness directory for each target name.
harness_dir() {
  case "$1" in
    properties) echo Fuzz/PropertiesFuzz ;;
    version) echo Fuzz/VersionFuzz ;;
  esac
}

mapfile -t core_sources < <(find Sources/QuickupCore -name '*.swift' | sort)
linker=()
if [[ "$(uname -s)" == Linux ]]; then linker=(-use-ld=lld); fi

mkdir -p "$out/crashes"
for target in "${targets[@]}"; do
  dir=$(harness_dir "$target")
  binary="$out/$target-fuzz"
  corpus="$out/corpus/$target"
  echo "== building $binary"
  # One module: the harness calls the parser directly; -O so the fuzzer explores fast.
  swiftc -sanitize=fuzzer,address -parse-as-library -O -g "${linker[@]}" \
    -module-name QuickupFuzz "${core_sources[@]}" "$dir/main.swift" -o "$binary"
  mkdir -p "$corpus"
  cp -n "$dir"/seeds/* "$corpus"/ 2>/dev/null || true
  dict=("$dir"/*.dict)
  echo "== fuzzing $target for ${seconds}s (corpus $corpus)"
  "$binary" "$corpus" -dict="${dict[0]}" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/crashes/$target-"
done
