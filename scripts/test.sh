#!/usr/bin/env bash
# Installs the Debian packages mailwire needs, builds with warnings as errors, runs every test,
# then runs the unit and transcript tests again under AddressSanitizer + UBSan (LeakSanitizer on),
# and the tests of cancel() from other threads (and the Sender's threads, pipelining and outbox)
# under ThreadSanitizer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source "$root/scripts/packages.sh"
install_packages

start=$(date +%s)
# Integration tests must not pass by skipping: without the mail stack they fail.
export MAILWIRE_REQUIRE_MAILSTACK=1
failed=0
passed=0
count() {  # parse ctest's "N% tests passed, F tests failed out of T"
  local line
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$1" | tail -n 1 || true)
  if [ -n "$line" ]; then
    local f t
    f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    t=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    passed=$((passed + t - f))
    failed=$((failed + f))
  fi
}

echo "== format check"
bad=$(git ls-files '*.hpp' '*.cpp' | xargs clang-format --dry-run -Werror 2>&1 | grep -oE '^[^:]+\.(hpp|cpp)' | sort -u || true)
if [ -n "$bad" ]; then
  echo "not clang-formatted:"; echo "$bad" | sed 's/^/  /'
  exit 1
fi

# ctest splits a test name at ';' (one Catch test would become two that fail).
if git grep -nE 'TEST_CASE\("[^"]*;' -- tests; then
  echo "test names above contain ';'"
  exit 1
fi

echo "== build (warnings are errors)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILWIRE_WERROR=ON >/dev/null
cmake --build build -j"$(nproc)"
echo "== tests"
rc=0
ctest --test-dir build --output-on-failure -j2 2>&1 | tee build/ctest.log || rc=1
count build/ctest.log

echo "== sanitizers: unit and transcript tests under ASan + UBSan + LSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMAILWIRE_WERROR=ON \
  -DMAILWIRE_SANITIZE=address,undefined -DMAILWIRE_BUILD_EXAMPLES=OFF -DMAILWIRE_INSTALL=OFF >/dev/null
cmake --build build-asan -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -L 'unit|transcript' 2>&1 | tee build-asan/ctest.log || rc=1
count build-asan/ctest.log

echo "== sanitizers: the tests of cancel() from other threads under ThreadSanitizer"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMAILWIRE_WERROR=ON \
  -DMAILWIRE_SANITIZE=thread -DMAILWIRE_BUILD_EXAMPLES=OFF -DMAILWIRE_INSTALL=OFF >/dev/null
cmake --build build-tsan -j"$(nproc)" --target mailwire_unit_tests mailwire_transcript_tests \
  mailwire_integration_tests
TSAN_OPTIONS=halt_on_error=1 \
  ctest --test-dir build-tsan --output-on-failure -R 'cancel|Sender: threads|send_pipelined|Sender .*pipelin|Outbox: ' 2>&1 | tee build-tsan/ctest.log || rc=1
count build-tsan/ctest.log

echo "== done in $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
