#!/usr/bin/env bash
# A private mail stack for tests and the demo, on 127.0.0.1 high ports, everything under DIR:
# Dovecot (IMAP+STARTTLS, IMAPS, POP3+STLS, POP3S, LMTP, SASL for Postfix) with users alice and
# bob, a second Dovecot serving the same mailboxes over IMAP without CONDSTORE and QRESYNC (its
# imap_capability setting; MAILSTACK_IMAP_PLAIN_PORT), and Postfix (a port-25-style smtpd, submission with STARTTLS required and SASL through
# Dovecot, implicit-TLS submissions) delivering mail for example.test to Dovecot over LMTP and
# refusing everything else: nothing leaves the machine. A CA and a server certificate are made
# on the spot. Needs root and Debian's dovecot-imapd, dovecot-pop3d, dovecot-lmtpd, postfix and
# openssl (scripts/packages.sh installs them).
#
#   mailstack.sh start DIR   -> starts it, writes DIR/stack.env (ports, users, CA file, PIDs)
#   mailstack.sh stop DIR    -> stops what start started, by PID
#   mailstack.sh status DIR  -> prints DIR/stack.env if running
set -euo pipefail
cmd=${1:?start|stop|status}
D=$(realpath -m "${2:?DIR}")

stop() {
  # SIGTERM to all three at once, then wait: each takes about 3 s to shut its children down.
  local f pid
  for f in postfix dovecot-plain dovecot; do
    [ -f "$D/$f.pid" ] && kill "$(cat "$D/$f.pid")" 2>/dev/null || true
  done
  for f in postfix dovecot-plain dovecot; do
    [ -f "$D/$f.pid" ] || continue
    pid=$(cat "$D/$f.pid")
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$D/$f.pid"
  done
}

case "$cmd" in
  stop) stop; exit 0 ;;
  status) [ -f "$D/dovecot.pid" ] && kill -0 "$(cat "$D/dovecot.pid")" 2>/dev/null && cat "$D/stack.env"; exit $? ;;
  start) ;;
  *) echo "usage: $0 start|stop|status DIR" >&2; exit 2 ;;
esac

[ "$(id -u)" -eq 0 ] || { echo "mailstack.sh: needs root (Dovecot drops privileges itself)" >&2; exit 1; }
command -v dovecot >/dev/null || { echo "mailstack.sh: dovecot is not installed" >&2; exit 1; }
stop
mkdir -p "$D"/{pki,run,state,home,run-plain,state-plain}
chmod 755 "$D"

# Certificates: a CA, and a server certificate for localhost, 127.0.0.1 and ::1.
(
  cd "$D/pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3 \
    -keyout ca.key -out ca.pem -subj "/O=mailwire test stack/CN=mailwire stack CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
    -out server.csr -subj "/O=mailwire test stack/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 \
    -extfile server.ext -out server.pem 2>/dev/null
  chmod 644 ./*.pem; chmod 600 ./*.key
)

# Free high ports, chosen by the kernel.
read -r IMAP IMAPS POP3 POP3S LMTP AUTH SMTP SUBM SUBMS IMAP_PLAIN < <(python3 - <<'PY'
import socket
socks = []
for _ in range(10):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)

U=$(id -u dovecot); G=$(id -g dovecot)
: > "$D/users"
for user in alice bob; do
  mkdir -p "$D/home/$user/Maildir"/{cur,new,tmp}
  printf '%s:{PLAIN}%s-pass:%s:%s::%s\n' "$user" "$user" "$U" "$G" "$D/home/$user" >> "$D/users"
done
chown -R "$U:$G" "$D/home"

cat > "$D/dovecot.conf" <<CONF
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
info_log_path = $D/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
first_valid_uid = 1
ssl = yes
ssl_cert = <$D/pki/server.pem
ssl_key = <$D/pki/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
mail_location = maildir:~/Maildir
postmaster_address = postmaster@example.test
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Invoices {
    auto = subscribe
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $D/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $D/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $AUTH
  }
}
CONF

dovecot -c "$D/dovecot.conf" -F > "$D/dovecot.out" 2>&1 &
echo $! > "$D/dovecot.pid"

# The second Dovecot: IMAP only, the same users and mailboxes, the capabilities Dovecot 2.3
# announces minus CONDSTORE and QRESYNC (for clients' fallbacks to plain UID and FLAGS).
cat > "$D/dovecot-plain.conf" <<CONF
base_dir = $D/run-plain
state_dir = $D/state-plain
log_path = $D/dovecot-plain.log
info_log_path = $D/dovecot-plain.log
protocols = imap
listen = 127.0.0.1
first_valid_uid = 1
ssl = yes
ssl_cert = <$D/pki/server.pem
ssl_key = <$D/pki/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $D/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $D/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PLAIN
  }
  inet_listener imaps {
    port = 0
  }
}
protocol imap {
  imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE
}
CONF
dovecot -c "$D/dovecot-plain.conf" -F > "$D/dovecot-plain.out" 2>&1 &
echo $! > "$D/dovecot-plain.pid"

cat > "$D/stack.env" <<ENV
MAILSTACK_DIR=$D
MAILSTACK_HOST=127.0.0.1
MAILSTACK_IMAP_PORT=$IMAP
MAILSTACK_IMAPS_PORT=$IMAPS
MAILSTACK_POP3_PORT=$POP3
MAILSTACK_POP3S_PORT=$POP3S
MAILSTACK_LMTP_PORT=$LMTP
MAILSTACK_IMAP_PLAIN_PORT=$IMAP_PLAIN
MAILSTACK_CA_FILE=$D/pki/ca.pem
MAILSTACK_USERS=alice:alice-pass,bob:bob-pass
MAILSTACK_DOMAIN=example.test
MAILSTACK_DOVECOT_PID=$(cat "$D/dovecot.pid")
ENV

# Postfix: a private instance (its own config, queue and data directories), started by running
# its master directly in the foreground, so nothing outside DIR is touched.
if command -v postfix >/dev/null && [ -x /usr/lib/postfix/sbin/master ]; then
  P="$D/postfix"
  mkdir -p "$P/conf" "$P/queue" "$P/data"
  cp /etc/postfix/master.cf "$P/conf/"
  if [ -f /etc/postfix/dynamicmaps.cf ]; then
    cp /etc/postfix/dynamicmaps.cf "$P/conf/"
    mkdir -p "$P/conf/dynamicmaps.cf.d"
  fi
  cat > "$P/conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $P/queue
data_directory = $P/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.test
mydomain = example.test
myorigin = example.test
mydestination =
relay_domains =
local_recipient_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
virtual_mailbox_domains = example.test
virtual_mailbox_maps = inline:{ alice@example.test=alice, bob@example.test=bob }
virtual_transport = lmtp:inet:127.0.0.1:$LMTP
default_transport = error:this test stack delivers nothing outside example.test
relay_transport = error:this test stack relays nothing
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_cert_file = $D/pki/server.pem
smtpd_tls_key_file = $D/pki/server.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH
message_size_limit = 10485760
maillog_file = $P/postfix.log
maillog_file_prefixes = $P
CONF
  python3 - "$P/conf/master.cf" "$SMTP" "$SUBM" "$SUBMS" <<'PY'
import sys
path, smtp, subm, subms = sys.argv[1:]
out = []
for line in open(path):
    f = line.split()
    if line[0] not in ' #\n' and len(f) >= 8:
        if f[0] in ('smtp', 'submission', 'submissions', 'smtps') and f[1] == 'inet':
            continue
        f[4] = 'n'  # no chroot: the queue lives under DIR
        line = '  '.join(f) + '\n'
    out.append(line)
out.append("127.0.0.1:%s inet n - n - - smtpd\n" % smtp)
out.append("127.0.0.1:%s inet n - n - - smtpd\n"
           "  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n"
           "  -o smtpd_tls_auth_only=yes\n"
           "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n"
           "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n" % subm)
out.append("127.0.0.1:%s inet n - n - - smtpd\n"
           "  -o smtpd_tls_wrappermode=yes\n  -o smtpd_sasl_auth_enable=yes\n"
           "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n"
           "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject\n" % subms)
open(path, 'w').write(''.join(out))
PY
  chown postfix "$P/data"
  postfix -c "$P/conf" check >/dev/null 2>&1 || postfix -c "$P/conf" set-permissions >/dev/null 2>&1 || true
  /usr/lib/postfix/sbin/master -c "$P/conf" -d > "$P/master.out" 2>&1 &
  echo $! > "$D/postfix.pid"
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$SUBM") 2>/dev/null && break
    sleep 0.05
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$SUBM") 2>/dev/null; then
    echo "mailstack.sh: Postfix is not listening on $SUBM; see $P/master.out" >&2
    stop
    exit 1
  fi
  cat >> "$D/stack.env" <<ENV
MAILSTACK_SMTP_PORT=$SMTP
MAILSTACK_SUBMISSION_PORT=$SUBM
MAILSTACK_SUBMISSIONS_PORT=$SUBMS
MAILSTACK_POSTFIX_PID=$(cat "$D/postfix.pid")
ENV
fi

for port in $IMAP $POP3 $LMTP $IMAP_PLAIN; do
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "mailstack.sh: Dovecot is not listening on $port; see $D/dovecot.out and $D/dovecot.log" >&2
    stop
    exit 1
  fi
done
# Listening is not ready: deliveries fail until the auth service answers user look-ups.
for _ in $(seq 100); do
  doveadm -c "$D/dovecot.conf" user alice >/dev/null 2>&1 && break
  sleep 0.05
done
doveadm -c "$D/dovecot.conf" user alice >/dev/null 2>&1 || {
  echo "mailstack.sh: Dovecot's auth service does not answer; see $D/dovecot.log" >&2
  stop
  exit 1
}
cat "$D/stack.env"
