#!/usr/bin/env bash
# Runs one large message (1 GiB by default: a base64 attachment) through every path of the
# `mailwire` tool against a private local mail stack (scripts/mailstack.sh, 127.0.0.1 only) and
# prints, per path, the tool's peak RSS and whether the bytes came back identical. A measuring
# script, not a test: nothing here is timed or asserted.
#
#   scripts/large_messages.sh BUILD_DIR [SIZE_MIB]     (needs root, like mailstack.sh)
#
# Paths: mime stat; send --message to the local Postfix (delivered to bob over LMTP);
# imap append (streamed from the file) + imap fetch --out; pop3 fetch --maildir; dkim sign and
# verify; bounce.
# Byte identity: imap compares the whole file; Postfix and Dovecot put trace headers
# (Return-Path, Delivered-To, Received) on top of what they deliver, so the send and pop3 paths
# check that the delivered message ends with the original, byte for byte.
set -euo pipefail
BUILD=$(realpath "${1:?BUILD_DIR (holding examples/mailwire)}")
MIB=${2:-1024}
TOOL=$BUILD/examples/mailwire
[ -x "$TOOL" ] || TOOL=$(find "$BUILD" -type f -name mailwire -perm -u+x | head -1)
[ -x "$TOOL" ] || { echo "large_messages.sh: no mailwire tool under $BUILD" >&2; exit 2; }
HERE=$(dirname "$(realpath "$0")")
W=$(mktemp -d /tmp/mailwire-large.XXXXXX)
STACK=$W/stack
chmod 755 "$W"  # Postfix and Dovecot drop privileges: they must reach the stack
cleanup() { "$HERE/mailstack.sh" stop "$STACK" >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT

# Peak RSS (KiB) of one command, from GNU time (its wait4()); its stdout goes to $W/stdout
# and its exit status to $W/status. Not a fork of this shell or of Python: a process's peak
# RSS counts what it held before exec(), and /usr/bin/time is small.
peak() {
  local rc=0
  /usr/bin/time -f %M -o "$W/rss" "$@" > "$W/stdout" || rc=$?
  echo "$rc" > "$W/status"
  tail -1 "$W/rss"
}
export W

# Does file $2 end with the bytes of file $1? "identical" when byte for byte, "identical
# (LF)" when $2 has LF line ends where $1 has CRLF (Dovecot stores maildir files with LF; what
# it serves over IMAP and POP3 has CRLF again), else "DIFFERENT".
ends_with() {
  local n
  n=$(stat -c %s "$1")
  if [ "$(stat -c %s "$2")" -ge "$n" ] && tail -c "$n" "$2" | cmp -s - "$1"; then
    echo identical
    return
  fi
  n=$(tr -d '\r' < "$1" | wc -c)
  if [ "$(stat -c %s "$2")" -ge "$n" ] && cmp -s <(tail -c "$n" "$2") <(tr -d '\r' < "$1"); then
    echo "identical (LF)"
    return
  fi
  echo DIFFERENT
}

report() {  # path, peak KiB, identity
  printf '%-34s peak RSS %7.1f MiB   exit %s   bytes %s\n' "$1" "$(awk -v k="$2" 'BEGIN { print k / 1024 }')" \
    "$(cat "$W/status")" "$3"
}

echo "large_messages.sh: a ${MIB} MiB message, tool $TOOL"
"$HERE/mailstack.sh" start "$STACK" >/dev/null
# shellcheck disable=SC1091
. "$STACK/stack.env"
# Postfix's size limit of the test stack (10 MiB) would refuse the message: lift it, and start
# Postfix again (a reload would leave the smtpd that the readiness check started on the old
# limit); mailstack.sh stop still finds it by $STACK/postfix.pid.
sed -i 's/^message_size_limit = .*/message_size_limit = 0/' "$STACK/postfix/conf/main.cf"
kill "$MAILSTACK_POSTFIX_PID"
for _ in $(seq 100); do kill -0 "$MAILSTACK_POSTFIX_PID" 2>/dev/null || break; sleep 0.1; done
/usr/lib/postfix/sbin/master -c "$STACK/postfix/conf" -d > "$STACK/postfix/master.out" 2>&1 &
echo $! > "$STACK/postfix.pid"
for _ in $(seq 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$MAILSTACK_SUBMISSION_PORT") 2>/dev/null && break
  sleep 0.1
done

# The message: a text part and an attachment of random bytes, built by the tool itself.
head -c $((MIB * 1024 * 1024 * 3 / 4)) /dev/urandom > "$W/blob.bin"
"$TOOL" mime build --from alice@example.test --to bob@example.test --subject "large $MIB MiB" \
  --text "A large message." --attach "$W/blob.bin" > "$W/large.eml"
rm -f "$W/blob.bin"
echo "message: $(stat -c %s "$W/large.eml") octets"

C_IMAP=(--server "127.0.0.1:$MAILSTACK_IMAP_PORT" --ca-file "$MAILSTACK_CA_FILE" --user alice)
C_POP3=(--server "127.0.0.1:$MAILSTACK_POP3_PORT" --ca-file "$MAILSTACK_CA_FILE" --user bob)
C_SMTP=(--server "127.0.0.1:$MAILSTACK_SUBMISSION_PORT" --ca-file "$MAILSTACK_CA_FILE" --user alice)

kib=$(peak "$TOOL" mime stat "$W/large.eml")
report "mime stat" "$kib" "(read only)"

kib=$(MAILWIRE_PASSWORD=alice-pass peak "$TOOL" send "${C_SMTP[@]}" --timeout 600 \
  --message "$W/large.eml" --to bob@example.test)
sent=$(cat "$W/status")
# Delivered when bob's maildir has a file in new/ (Dovecot renames it there when complete).
delivered=""
for _ in $(seq 600); do
  [ "$sent" = 0 ] || break
  delivered=$(find "$STACK/home/bob/Maildir/new" -type f 2>/dev/null | head -1)
  [ -n "$delivered" ] && break
  sleep 1
done
same="not delivered"
[ -n "$delivered" ] && same=$(ends_with "$W/large.eml" "$delivered")
report "send --message (Postfix, LMTP)" "$kib" "$same (as stored by Dovecot)"

kib=$(MAILWIRE_PASSWORD=alice-pass peak "$TOOL" imap "${C_IMAP[@]}" --timeout 600 append INBOX "$W/large.eml")
report "imap append (from the file)" "$kib" "-"
uid=$(tail -1 "$W/stdout")  # the UID the append printed
kib=$(MAILWIRE_PASSWORD=alice-pass peak "$TOOL" imap "${C_IMAP[@]}" --timeout 600 fetch INBOX "$uid" --out "$W/fetched.eml")
same=DIFFERENT
cmp -s "$W/large.eml" "$W/fetched.eml" && same=identical
report "imap fetch (appended copy)" "$kib" "$same"
rm -f "$W/fetched.eml"

kib=$(MAILWIRE_PASSWORD=bob-pass peak "$TOOL" pop3 "${C_POP3[@]}" --timeout 600 fetch --maildir "$W/pop3")
got=$(find "$W/pop3" -type f \( -path '*/new/*' -o -path '*/cur/*' \) | head -1)
same="nothing downloaded"
[ -n "$got" ] && same=$(ends_with "$W/large.eml" "$got")
report "pop3 fetch --maildir" "$kib" "$same"

# DKIM: sign the message (the signature on stdout, then the message), then verify the signed
# copy with the key record given from a file (no DNS here). Both hash the body as it streams.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/dkim.pem" 2>/dev/null
printf 'v=DKIM1; k=rsa; p=%s' "$(openssl pkey -in "$W/dkim.pem" -pubout -outform DER | base64 -w0)" \
  > "$W/dkim.record"
kib=$(peak "$TOOL" dkim sign --domain example.test --selector large --key "$W/dkim.pem" "$W/large.eml")
mv "$W/stdout" "$W/signed.eml"
report "dkim sign" "$kib" "$(ends_with "$W/large.eml" "$W/signed.eml") (after the signature)"
kib=$(peak "$TOOL" dkim verify --key-record "large._domainkey.example.test=$W/dkim.record" "$W/signed.eml")
report "dkim verify" "$kib" "$(awk '{ print $2 }' "$W/stdout")"
rm -f "$W/signed.eml"

# Bounce reading of a large message that is no bounce: read through, kind "none".
kib=$(peak "$TOOL" bounce "$W/large.eml")
report "bounce (an ordinary message)" "$kib" "kind $(grep -o '"kind": *"[a-z-]*"' "$W/stdout" | head -1 | sed 's/.*"\([a-z-]*\)"$/\1/')"
