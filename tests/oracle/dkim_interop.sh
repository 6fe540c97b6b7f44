#!/usr/bin/env bash
# Runs dkim_interop.py with a python3 that has dkimpy and PyNaCl (Debian python3-dkim,
# python3-nacl: the system python when another one comes first on PATH).
#   dkim_interop.sh MAILWIRE_BINARY SHARED_DIR [options of dkim_interop.py]
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import dkim, nacl' 2>/dev/null; then
    exec "$py" "$(dirname "$0")/dkim_interop.py" "$@"
  fi
done
echo "dkim interop: no python3 with dkimpy and PyNaCl (install python3-dkim python3-nacl)" >&2
exit 1
