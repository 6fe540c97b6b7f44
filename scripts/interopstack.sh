#!/usr/bin/env bash
# A second private mail stack for interoperability tests, on 127.0.0.1 high ports, everything
# under DIR: Cyrus IMAP 3.6 (IMAP+STARTTLS, IMAPS, POP3+STLS, POP3S; SASL from a sasldb with
# PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1/256 and their -PLUS forms) and Exim 4.96 (submission
# with STARTTLS and AUTH after TLS, implicit-TLS submissions; PLAIN, LOGIN, CRAM-MD5), with
# users alice and bob (password USER-pass). Exim delivers mail for example.test to maildirs
# under DIR and relays nothing. Cyrus keeps Debian's TLS versions (1.2 and 1.3): on TLS 1.3
# it binds SCRAM-*-PLUS to tls-unique, not RFC 9266's tls-exporter, which the client then meets.
# A CA and a server certificate are made on the spot. The servers come from scripts/interop_servers.sh (run here when missing);
# needs root.
#
#   interopstack.sh start DIR   -> starts it, writes DIR/stack.env (ports, users, CA file, PIDs)
#   interopstack.sh stop DIR    -> stops what start started, by PID
set -euo pipefail
cmd=${1:?start|stop}
D=$(realpath -m "${2:?DIR}")
here=$(cd "$(dirname "$0")" && pwd)

stop() {
  # SIGTERM to both at once, then wait for each.
  local name pid
  for name in exim cyrus; do
    [ -f "$D/$name.pid" ] && kill "$(cat "$D/$name.pid")" 2>/dev/null || true
  done
  for name in exim cyrus; do
    [ -f "$D/$name.pid" ] || continue
    pid=$(cat "$D/$name.pid")
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$D/$name.pid"
  done
}

case "$cmd" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

[ "$(id -u)" -eq 0 ] || { echo "interopstack.sh: needs root (the servers drop privileges)" >&2; exit 1; }
for tool in /usr/lib/cyrus/bin/master saslpasswd2; do
  command -v "$tool" >/dev/null || {
    echo "interopstack.sh: $tool is missing (scripts/packages.sh installs it)" >&2
    exit 1
  }
done
R=$("$here/interop_servers.sh")
stop
mkdir -p "$D"/{pki,cyrus,exim}
chmod 755 "$D"

(
  cd "$D/pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3 \
    -keyout ca.key -out ca.pem -subj "/O=mailwire interop stack/CN=mailwire interop CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key \
    -out server.csr -subj "/O=mailwire interop stack/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 \
    -extfile server.ext -out server.pem 2>/dev/null
  chmod 644 ./*.pem server.key  # read by the servers' own users; a throwaway key
)

read -r IMAP IMAPS POP3 POP3S SUBM SUBMS < <(python3 - <<'PY'
import socket
socks = []
for _ in range(6):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)

# Cyrus: its master runs the services; INBOXes are made at first login (autocreate).
C="$D/cyrus"
B="$R/usr/lib/cyrus/bin"
mkdir -p "$C/spool" "$C/config"/{db,socket,proc,log,msg,ptclient,quota,sieve,user,lock}
cat > "$C/imapd.conf" <<CONF
configdirectory: $C/config
defaultpartition: default
partition-default: $C/spool
servername: mailwire-cyrus
admins: cyrus
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $C/sasldb2
sasl_mech_list: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-256-PLUS
allowplaintext: no
tls_server_cert: $D/pki/server.pem
tls_server_key: $D/pki/server.key
autocreate_quota: 0
autocreate_post: 1
unixhierarchysep: yes
imapidlepoll: 3600
failedloginpause: 0
idlesocket: $C/config/socket/idle
notifysocket: $C/config/socket/notify
lmtpsocket: $C/config/socket/lmtp
syslog_prefix: mailwire-cyrus
CONF
cat > "$C/cyrus.conf" <<CONF
START {
  recover cmd="/usr/lib/cyrus/bin/ctl_cyrusdb -r -C $C/imapd.conf"
}
SERVICES {
  imap cmd="$B/imapd -C $C/imapd.conf" listen="127.0.0.1:$IMAP" prefork=0
  imaps cmd="$B/imapd -s -C $C/imapd.conf" listen="127.0.0.1:$IMAPS" prefork=0
  pop3 cmd="$B/pop3d -C $C/imapd.conf" listen="127.0.0.1:$POP3" prefork=0
  pop3s cmd="$B/pop3d -s -C $C/imapd.conf" listen="127.0.0.1:$POP3S" prefork=0
}
EVENTS {
}
CONF
for user in alice bob; do
  echo "$user-pass" | saslpasswd2 -f "$C/sasldb2" -u mailwire-cyrus -p -c "$user"
done
chown -R cyrus:mail "$C"
# Its own pid file: two stacks at once (ctest -j2) would fight over /run/cyrus-master.pid.
/usr/lib/cyrus/bin/master -C "$C/imapd.conf" -M "$C/cyrus.conf" -p "$C/master.pid" > "$C/master.out" 2>&1 &
echo $! > "$D/cyrus.pid"

# Exim: drops root for the -C config and runs as Debian-exim, deliveries too.
E="$D/exim"
mkdir -p "$E/spool" "$E/log" "$E/mail"
cat > "$E/exim.conf" <<CONF
exim_path = $R/usr/sbin/exim4
primary_hostname = localhost
qualify_domain = example.test
domainlist local_domains = example.test
local_interfaces = 127.0.0.1
daemon_smtp_ports = $SUBM : $SUBMS
tls_on_connect_ports = $SUBMS
spool_directory = $E/spool
log_file_path = $E/log/%slog
pid_file_path = $E/exim.pid
keep_environment =
never_users = root
host_lookup =
rfc1413_hosts =
tls_advertise_hosts = *
tls_certificate = $D/pki/server.pem
tls_privatekey = $D/pki/server.key
auth_advertise_hosts = \${if eq{\$tls_in_cipher}{}{}{*}}
acl_smtp_mail = acl_check_mail
acl_smtp_rcpt = acl_check_rcpt

begin acl
acl_check_mail:
  deny    message = authentication required
          !authenticated = *
  accept
acl_check_rcpt:
  accept  domains = +local_domains
          authenticated = *
  deny    message = relay not permitted

begin routers
local_user:
  driver = accept
  domains = +local_domains
  local_parts = alice : bob
  transport = local_maildir

begin transports
local_maildir:
  driver = appendfile
  directory = $E/mail/\${local_part_data}/Maildir
  maildir_format
  use_crlf
  create_directory
  delivery_date_add = false
  envelope_to_add = false
  return_path_add = false
  user = Debian-exim
  group = Debian-exim
  mode = 0644

begin authenticators
plain_server:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if or{{and{{eq{\$auth2}{alice}}{eq{\$auth3}{alice-pass}}}}{and{{eq{\$auth2}{bob}}{eq{\$auth3}{bob-pass}}}}}}
  server_set_id = \$auth2
login_server:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if or{{and{{eq{\$auth1}{alice}}{eq{\$auth2}{alice-pass}}}}{and{{eq{\$auth1}{bob}}{eq{\$auth2}{bob-pass}}}}}}
  server_set_id = \$auth1
cram_server:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = \${if or{{eq{\$auth1}{alice}}{eq{\$auth1}{bob}}}{\$auth1-pass}fail}
  server_set_id = \$auth1
CONF
chown -R Debian-exim:Debian-exim "$E"
chown root:root "$E/exim.conf"  # Exim reads a config only if root owns it
chmod 644 "$E/exim.conf"
"$R/usr/sbin/exim4" -C "$E/exim.conf" -bdf > "$E/exim.out" 2>&1 &
echo $! > "$D/exim.pid"

# Up to 30 s in all: a loaded machine (a test run with -j2) starts Cyrus slowly.
for port in $IMAP $IMAPS $POP3 $POP3S $SUBM $SUBMS; do
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.05
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "interopstack.sh: nothing listens on $port; see $C/master.out, $E/exim.out, $E/log" >&2
    stop
    exit 1
  fi
done

cat > "$D/stack.env" <<ENV
INTEROP_DIR=$D
INTEROP_CYRUS_IMAP_PORT=$IMAP
INTEROP_CYRUS_IMAPS_PORT=$IMAPS
INTEROP_CYRUS_POP3_PORT=$POP3
INTEROP_CYRUS_POP3S_PORT=$POP3S
INTEROP_EXIM_SUBMISSION_PORT=$SUBM
INTEROP_EXIM_SUBMISSIONS_PORT=$SUBMS
INTEROP_EXIM_MAIL_DIR=$E/mail
INTEROP_CA_FILE=$D/pki/ca.pem
INTEROP_USERS=alice:alice-pass,bob:bob-pass
INTEROP_DOMAIN=example.test
INTEROP_CYRUS_PID=$(cat "$D/cyrus.pid")
INTEROP_EXIM_PID=$(cat "$D/exim.pid")
ENV
cat "$D/stack.env"
