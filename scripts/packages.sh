# Sourced by the scripts: the Debian packages mailwire's build, tests and demo need, installed
# only when missing (so reruns are fast). Runs apt as root, or through sudo.
MAILWIRE_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libssl-dev libfmt-dev catch2 openssl clang-format python3 doxygen
  # the DKIM oracle (tests/oracle/dkim_interop.py) and its benchmark peer
  python3-dkim python3-nacl
  # the local mail stack (scripts/mailstack.sh) for integration tests and the demo
  dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix
  # the interop stack (scripts/interopstack.sh): what installs beside Dovecot and Postfix;
  # cyrus-imapd, cyrus-pop3d and exim4-daemon-light conflict with them and are unpacked
  # apart by scripts/interop_servers.sh (run below), so their libraries are listed here
  cyrus-common cyrus-admin sasl2-bin libsasl2-modules libwrap0
  libgnutls30 libgnutls-dane0 libidn12 libidn2-0 libnsl2 libpcre2-8-0 libdb5.3
)

install_packages() {
  install_debian_packages
  # The servers that conflict as packages, unpacked into a folder of their own (idempotent).
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo "$(dirname "${BASH_SOURCE[0]}")/interop_servers.sh" >/dev/null
}

install_debian_packages() {
  local missing=()
  for p in "${MAILWIRE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "== installing: ${missing[*]}"
  $sudo apt-get update -qq
  # Keep the packages from starting system services during the install (the stack runs its
  # own instances); the policy file is ours only for the duration of the install.
  local policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -z "$policy" ] || $sudo rm -f "$policy"
}
