#!/usr/bin/env bash
# bench/send_many_vs_nodemailer.sh: `mailwire send-many` against Nodemailer's SMTP pool (the
# JavaScript standard for pooled sending), on the same messages, against the same sink in
# "distant provider" mode, in the same run, interleaved; then the peak memory of send-many over
# a long run.
#
#   bench/send_many_vs_nodemailer.sh BENCH_DIR MAILWIRE [RUNS] [MEMORY_MESSAGES]
#
# BENCH_DIR  a writable copy of the shared benchmark folder: its smtp/sink.c (the sink, with
#            -d/-D delays and -l, the log of accepted Message-IDs) and smtp/nodemailer_pool.js
# MAILWIRE   the mailwire tool (build/examples/mailwire)
# RUNS       rounds of each client (default 3); medians are reported
# MEMORY_MESSAGES  messages of the memory run (default 100000; 0: skip it)
#
# Needs gcc, OpenSSL headers, python3, node, and NODE_PATH pointing at a node_modules folder
# holding nodemailer (`npm install nodemailer` in a scratch folder). Everything listens on
# 127.0.0.1 only; the sink is stopped by PID.
#
# The messages: 499 of about 5 KB, each with 5 to 8 recipients, all in To (so both clients
# derive the same envelope from the header), seeded (the same bytes on every machine). The
# sink waits 20 ms before each batch of replies (a round trip) and 30 ms more before the reply
# to each end of data (the provider's scan): with 8 connections no client can beat
# 8 / (20 ms + 30 ms) = 160 messages a second, and only one that pipelines the end of one
# message with the next one's MAIL, RCPT and DATA (RFC 2920) can reach it.
set -euo pipefail

bench=${1:?usage: $0 BENCH_DIR MAILWIRE [RUNS] [MEMORY_MESSAGES]}
mailwire=${2:?usage: $0 BENCH_DIR MAILWIRE [RUNS] [MEMORY_MESSAGES]}
runs=${3:-3}
memory_messages=${4:-100000}
bench=$(cd "$bench" && pwd)
mailwire=$(cd "$(dirname "$mailwire")" && pwd)/$(basename "$mailwire")
work=$(mktemp -d /tmp/send-many-bench.XXXXXX)
port=24091
sink_pid=
cleanup() {
  if [[ -n $sink_pid ]]; then kill "$sink_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

sink=$bench/out/build/smtp_sink
if [[ ! -x $sink ]]; then
  mkdir -p "$bench/out/build"
  gcc -O2 -pthread -o "$sink" "$bench/smtp/sink.c" -lssl -lcrypto
fi

# The messages (seeded).
gen() {  # gen DIR COUNT MIN_RCPT MAX_RCPT BODY_BYTES
  python3 - "$@" <<'EOF'
import os, random, sys
out, count, lo, hi, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
os.makedirs(out, exist_ok=True)
r = random.Random(20261203)
words = ("order invoice shipping account password reset confirm delivery receipt thanks "
         "customer product quantity total amount tracking number support reply").split()
for i in range(count):
    to = ", ".join("user%d.%d@example.com" % (i, k) for k in range(r.randint(lo, hi)))
    lines, n = [], 0
    while n < size:
        line = " ".join(r.choice(words) for _ in range(r.randint(8, 12)))
        if r.random() < 0.02:
            line = "." + line  # dot-stuffing has to work
        lines.append(line)
        n += len(line) + 2
    msg = ("From: shop@example.org\r\nTo: %s\r\nSubject: Order %06d\r\n"
           "Message-ID: <bench-%06d@example.org>\r\nDate: Thu, 03 Dec 2026 12:00:00 +0000\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" % (to, i, i)
           + "\r\n".join(lines) + "\r\n")
    with open(os.path.join(out, "%06d.eml" % i), "w", newline="") as f:
        f.write(msg)
EOF
}

start_sink() {  # start_sink LOG ARGS...
  local log=$1
  shift
  "$sink" -p "$port" -l "$log" "$@" &
  sink_pid=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "the sink did not start" >&2
  exit 1
}

stop_sink() {
  kill "$sink_pid"
  wait "$sink_pid" 2>/dev/null || true
  sink_pid=
}

check_log() {  # check_log LOG COUNT: every Message-ID once
  local total unique
  total=$(wc -l <"$1")
  unique=$(sort -u "$1" | wc -l)
  if [[ $total -ne $2 || $unique -ne $2 ]]; then
    echo "  sink log: $total accepted, $unique distinct Message-IDs; expected $2 each" >&2
    return 1
  fi
  echo "ok"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

if ((runs > 0)); then
gen "$work/msgs" 499 5 8 5000
echo "messages: $(ls "$work/msgs" | wc -l), $(du -sb "$work/msgs" | cut -f1) bytes"
echo "peers: node $(node --version), nodemailer $(node -p 'require("nodemailer/package.json").version')"
echo

declare -a nm mw
for round in $(seq "$runs"); do
  order=(nodemailer mailwire)
  if ((round % 2 == 0)); then order=(mailwire nodemailer); fi
  for impl in "${order[@]}"; do
    log=$work/log-$impl-$round
    start_sink "$log" -d 20 -D 30
    if [[ $impl == nodemailer ]]; then
      line=$(node "$bench/smtp/nodemailer_pool.js" --port "$port" --connections 8 "$work/msgs")
      rate=$(sed -n 's/.*msgs_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
      nm+=("$rate")
    else
      line=$("$mailwire" send-many --server "127.0.0.1:$port" --security none --connections 8 \
        --max-per-connection 100000 "$work/msgs" 2>&1 >/dev/null | tail -1)
      rate=$(sed -n 's/.*s, \([0-9.]*\) msgs\/s.*/\1/p' <<<"$line")
      mw+=("$rate")
    fi
    stop_sink
    printf 'round %d  %-10s %7s msgs/s  exactly-once: %s\n' "$round" "$impl" "$rate" \
      "$(check_log "$log" 499)"
  done
done
nm_median=$(printf '%s\n' "${nm[@]}" | median)
mw_median=$(printf '%s\n' "${mw[@]}" | median)
echo
echo "| client (8 connections, sink -d 20 -D 30, 499 msgs, 5-8 rcpts) | median msgs/s | runs |"
echo "|---|---|---|"
echo "| Nodemailer pool | $nm_median | ${nm[*]} |"
echo "| mailwire send-many | $mw_median | ${mw[*]} |"
awk -v a="$mw_median" -v b="$nm_median" \
  'BEGIN {printf "mailwire / Nodemailer: %.2fx; mailwire / limit (160 msgs/s): %.0f%%\n", a / b, a / 160 * 100}'
fi

if ((memory_messages > 0)); then
  echo
  echo "memory: send-many over $memory_messages small messages, sink without delays"
  gen "$work/many" "$memory_messages" 1 2 600
  for n in 10000 "$memory_messages"; do
    if ((n > memory_messages)); then continue; fi
    # The first n messages, as symbolic links (the same bytes, no copy).
    python3 -c 'import os, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(dst)
for f in sorted(os.listdir(src))[:n]:
    os.symlink(os.path.join(src, f), os.path.join(dst, f))' "$work/many" "$work/subset-$n" "$n"
    log=$work/log-memory-$n
    start_sink "$log"
    summary=$(python3 - "$mailwire" "$port" "$work/subset-$n/" <<'EOF'
import resource, subprocess, sys
mw, port, folder = sys.argv[1:4]
p = subprocess.run([mw, "send-many", "--server", "127.0.0.1:" + port, "--security", "none",
                    "--connections", "8", "--max-per-connection", "100000", folder],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("exit %d, peak RSS %.1f MiB; %s" % (p.returncode, rss / 1024, p.stderr.strip().splitlines()[-1]))
EOF
)
    stop_sink
    echo "  $n messages: $summary; exactly-once: $(check_log "$log" "$n")"
  done
fi
