#!/usr/bin/env bash
# The main job, with nothing configured: installs what mailwire needs, builds it, starts a
# private Postfix + Dovecot on 127.0.0.1 high ports (with a CA made on the spot), and then,
# through the `mailwire` tool and the library: sends HTML mails with a generated PDF invoice
# attached over submission (STARTTLS, AUTH), finds them over IMAP and saves the PDFs (checked
# byte for byte), lists the mailbox over POP3 (STLS, SCRAM), archives it durably into a
# Maildir twice (the second run finds nothing new), checks the PDFs in the archive too, and
# stops the servers it started.
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

step "start a private Postfix + Dovecot on loopback"
t=$(now)
./scripts/mailstack.sh start "$work/stack" > /dev/null
source "$work/stack/stack.env"
echo "submission 127.0.0.1:$MAILSTACK_SUBMISSION_PORT, POP3 127.0.0.1:$MAILSTACK_POP3_PORT, CA $MAILSTACK_CA_FILE $(elapsed "$t")"

step "mailwire send: three HTML invoices with a PDF, over submission (STARTTLS + AUTH)"
python3 - "$work/invoice.pdf" <<'PY'
import sys
# A small, valid one-page PDF, made on the spot.
text = b"BT /F1 24 Tf 72 720 Td (Invoice 0042 - 129.00 EUR) Tj ET"
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
out, offsets = b"%PDF-1.4\n", []
for n, body in enumerate(objs, 1):
    offsets.append(len(out)); out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open(sys.argv[1], "wb").write(out)
PY
printf '<h1>Invoice</h1><p>Dear Alice, your invoice is attached. Thank you!</p>\n' > "$work/invoice.html"
t=$(now)
for n in 1 2 3; do
  MAILWIRE_PASSWORD=bob-pass ./build/examples/mailwire send \
    --server "localhost:$MAILSTACK_SUBMISSION_PORT" --ca-file "$MAILSTACK_CA_FILE" --user bob \
    --from "Shop Billing <bob@example.test>" --to "Alice <alice@example.test>" \
    --subject "Invoice 000$n" --text "Your invoice 000$n is attached." \
    --html-file "$work/invoice.html" --attach "$work/invoice.pdf"
done
elapsed "$t"
for _ in $(seq 100); do  # Postfix delivers asynchronously
  [ "$(find "$work/stack/home/alice/Maildir/new" -type f | wc -l)" -ge 3 ] && break
  sleep 0.1
done

export MAILWIRE_PASSWORD=alice-pass
imap=(--server "localhost:$MAILSTACK_IMAP_PORT" --ca-file "$MAILSTACK_CA_FILE" --user alice)

step "mailwire imap list (STARTTLS, certificate verified)"
./build/examples/mailwire imap "${imap[@]}" list

step "mailwire imap: find the invoices and save their PDFs"
t=$(now)
./build/examples/mailwire imap "${imap[@]}" search INBOX --subject Invoice
./build/examples/mailwire imap "${imap[@]}" attachments INBOX --type application/pdf \
  --out "$work/saved"
elapsed "$t"
for f in "$work"/saved/*.pdf; do
  cmp -s "$f" "$work/invoice.pdf" && echo "$(basename "$f"): identical to the PDF sent" ||
    { echo "$(basename "$f"): DIFFERENT"; exit 1; }
done

step "04_fetch_invoices (the library directly): unseen mail from the shop, PDFs only, then \\Seen"
t=$(now)
mkdir -p "$work/saved-04"
./build/examples/04_fetch_invoices localhost "$MAILSTACK_IMAP_PORT" alice INBOX "$work/saved-04" \
  --ca-file "$MAILSTACK_CA_FILE" --from bob@example.test --unseen
elapsed "$t"
for f in "$work"/saved-04/*.pdf; do
  cmp -s "$f" "$work/invoice.pdf" && echo "$(basename "$f"): identical to the PDF sent" ||
    { echo "$(basename "$f"): DIFFERENT"; exit 1; }
done
[ "$(find "$work/saved-04" -name '*.pdf' | wc -l)" -eq 3 ] || { echo "expected 3 PDFs"; exit 1; }

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

step "the PDF in every archived message is byte-identical to the one sent"
python3 - "$work/Archive/new" "$work/invoice.pdf" <<'PY'
import email, hashlib, os, sys
sent = open(sys.argv[2], "rb").read()
ok = 0
for name in sorted(os.listdir(sys.argv[1])):
    msg = email.message_from_bytes(open(os.path.join(sys.argv[1], name), "rb").read())
    for part in msg.walk():
        if part.get_filename() == "invoice.pdf":
            same = part.get_payload(decode=True) == sent
            print("%s  %s  %s" % (msg["Subject"], "identical" if same else "DIFFERENT",
                                  hashlib.sha256(sent).hexdigest()[:16]))
            ok += same
sys.exit(0 if ok == 3 else 1)
PY

step "done $(elapsed "$t0")"
