#!/usr/bin/env bash
# Installs what mailwire needs, builds it, and runs the examples that work without a server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source "$root/scripts/packages.sh"
install_packages
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
echo "== mailwire --help"
./build/examples/mailwire --help
