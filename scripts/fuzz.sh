#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default
# 60), growing its corpus in build-fuzz/corpus/<target>/ from the checked-in seeds in
# fuzz/corpus/<target>/. A crash stops the run and leaves crash-* files in build-fuzz/.
#   ./scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true

if ! command -v clang++ >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q installed; then
  echo "fuzz.sh: installing clang and libclang-rt-14-dev" >&2
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

build="$root/build-fuzz"
CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMAILWIRE_BUILD_FUZZERS=ON -DMAILWIRE_BUILD_TESTS=OFF -DMAILWIRE_BUILD_EXAMPLES=OFF \
  -DMAILWIRE_INSTALL=OFF -DMAILWIRE_SANITIZE=address,undefined >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$root"/fuzz/*_fuzz.cpp; do t=$(basename "$f" _fuzz.cpp); targets+=("$t"); done
fi
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  echo "== $t (${seconds}s)"
  (cd "$build" && "./fuzz/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
      "$build/corpus/$t" "$root/fuzz/corpus/$t" 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done" || true)
done
