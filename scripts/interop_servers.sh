#!/usr/bin/env bash
# Puts the servers of the interop stack (scripts/interopstack.sh) in place, idempotently:
# Cyrus IMAP's imapd and pop3d and Exim's exim4. As Debian packages they conflict with
# dovecot-imapd, dovecot-pop3d and postfix, which the main mail stack needs, so their .debs
# are downloaded (apt-get download) and unpacked (dpkg -x) into a folder of their own, and run
# from there with the stack's own config files. What installs normally (cyrus-common with
# Cyrus's master, sasl2-bin, the SASL modules, Exim's libraries) is in scripts/packages.sh.
# Also makes the Debian-exim user Exim was built for.
#
#   interop_servers.sh [DIR]   (default $MAILWIRE_INTEROP_ROOT or /opt/mailwire-interop)
# Prints DIR. Needs root.
set -euo pipefail
R=${1:-${MAILWIRE_INTEROP_ROOT:-/opt/mailwire-interop}}
debs=(cyrus-imapd cyrus-pop3d exim4-daemon-light)

if [ -f "$R/stamp" ] && [ -x "$R/usr/sbin/exim4" ] && [ -x "$R/usr/lib/cyrus/bin/imapd" ] &&
   [ -x "$R/usr/lib/cyrus/bin/pop3d" ]; then
  :  # in place (rm -rf DIR to take newer packages)
else
  [ "$(id -u)" -eq 0 ] || { echo "interop_servers.sh: needs root" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp"  # apt's download user writes here
  if ! (cd "$tmp" && apt-get download "${debs[@]}" >/dev/null 2>&1); then
    apt-get update -qq
    (cd "$tmp" && apt-get download "${debs[@]}" >/dev/null)
  fi
  rm -rf "$R.new"
  mkdir -p "$R.new"
  for f in "$tmp"/*.deb; do dpkg -x "$f" "$R.new"; done
  want=""
  for p in "${debs[@]}"; do
    f=$(ls "$tmp/${p}_"*.deb)
    want+="$p=$(dpkg-deb -f "$f" Version) "
  done
  echo "$want" > "$R.new/stamp"
  rm -rf "$R"
  mv "$R.new" "$R"
fi
if ! id Debian-exim >/dev/null 2>&1; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin Debian-exim
fi
echo "$R"
