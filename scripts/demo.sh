#!/usr/bin/env bash
# The main job, with nothing configured: installs what mailwire needs, builds it, starts a
# private Dovecot on 127.0.0.1 high ports (with a CA made on the spot), puts a few messages
# into a mailbox, and then, through the library and the `mailwire` tool, lists the mailbox
# over POP3 (STLS, SCRAM) and archives it durably into a Maildir twice (the second run finds
# nothing new). Stops the server it started. (SMTP and IMAP join this demo as they land.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source "$root/scripts/packages.sh"
install_packages

step() { printf '\n== %s\n' "$*"; }
now() { date +%s%N; }
elapsed() { local ms=$(( ($(now) - $1) / 1000000 )); printf '(%d.%03ds)\n' $((ms / 1000)) $((ms % 1000)); }
t0=$(now)

step "build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" | tail -n 1

work=$(mktemp -d /tmp/mailwire-demo-XXXXXX)
chmod 755 "$work"  # Dovecot drops to its own user, which must reach the mailboxes
trap './scripts/mailstack.sh stop "$work/stack" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

step "start a private Dovecot (IMAP, POP3, LMTP) on loopback"
t=$(now)
./scripts/mailstack.sh start "$work/stack" > /dev/null
source "$work/stack/stack.env"
echo "POP3 on 127.0.0.1:$MAILSTACK_POP3_PORT (STLS), CA $MAILSTACK_CA_FILE $(elapsed "$t")"

step "deliver three invoices to alice over LMTP"
python3 - "$MAILSTACK_LMTP_PORT" <<'PY'
import smtplib, sys
from email.message import EmailMessage
lmtp = smtplib.LMTP("127.0.0.1", int(sys.argv[1]))
for n in range(1, 4):
    m = EmailMessage()
    m["From"] = "billing@shop.example"
    m["To"] = "alice@example.test"
    m["Subject"] = f"Invoice {n:04d}"
    m.set_content(f"Hello Alice,\n\nyour invoice {n:04d} is attached.\n")
    m.add_attachment(b"%PDF-1.4\n% demo invoice\n" + bytes(2000 * n), maintype="application",
                     subtype="pdf", filename=f"invoice-{n:04d}.pdf")
    lmtp.send_message(m)
    print(f"delivered Invoice {n:04d}")
lmtp.quit()
PY

export MAILWIRE_PASSWORD=alice-pass
conn=(--server "127.0.0.1:$MAILSTACK_POP3_PORT" --ca-file "$MAILSTACK_CA_FILE" --user alice)

step "mailwire pop3 list (STLS, certificate verified, SASL SCRAM-SHA-256)"
t=$(now)
./build/examples/mailwire pop3 "${conn[@]}" list
elapsed "$t"

step "mailwire pop3 fetch into a Maildir"
t=$(now)
./build/examples/mailwire pop3 "${conn[@]}" fetch --maildir "$work/Archive"
elapsed "$t"

step "again: nothing new is downloaded"
./build/examples/mailwire pop3 "${conn[@]}" fetch --maildir "$work/Archive"

step "05_pop3_archive (the library directly) with --delete"
./build/examples/05_pop3_archive 127.0.0.1 "$MAILSTACK_POP3_PORT" alice "$work/Archive" \
  --delete --ca-file "$MAILSTACK_CA_FILE"
echo "the Maildir holds $(find "$work/Archive/new" -type f | wc -l) messages; alice's mailbox on the server holds $(find "$work/stack/home/alice/Maildir/cur" "$work/stack/home/alice/Maildir/new" -type f | wc -l)"

step "done $(elapsed "$t0")"
