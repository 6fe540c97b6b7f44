#!/ usr / bin / env python3
"""DKIM interop between `mailwire dkim` and dkimpy (the oracle), both ways.

  dkim_interop.py MAILWIRE SHARED_DIR [--min-percent P] [--generated N]

For every message (the shared corpus's RFC 5322 messages, read where they are, the bench
generator's messages, and generated edge cases), each algorithm (rsa-sha256, ed25519-sha256) and
each canonicalization pair:
  1. `mailwire dkim sign` signs it; dkimpy must verify the signature;
  2. dkimpy signs it; `mailwire dkim verify --key-record` must say pass;
  3. a changed body byte must fail in both verifiers, a changed unsigned header must not.
Messages are given CRLF line endings first (what SMTP carries; both signers see the same
bytes). A message dkimpy cannot handle at all (an exception) is listed and skipped; RFC-vs-dkimpy
differences are in dkim_known_differences.md beside this script. Exit 1 when a comparison fails
or fewer than P percent of the messages could be compared.
"""

import argparse
import base64
import os
import random
import subprocess
import sys
import tempfile

import dkim  # Debian python3-dkim (with python3-nacl for ed25519)

DOMAIN = b"example.com"
CANONS = ["simple/simple", "simple/relaxed", "relaxed/simple", "relaxed/relaxed"]


def crlf(data):
    """The wire form: CRLF line endings, and a final CRLF (SMTP DATA always ends in one)."""
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    return data.replace(b"\n", b"\r\n")


def make_keys(work):
    keys = {}
    for alg, selector, args in (("rsa-sha256", "rsa", ["-algorithm", "RSA", "-pkeyopt",
                                                         "rsa_keygen_bits:2048"]),
                                ("ed25519-sha256", "ed", ["-algorithm", "ED25519"])):
        pem = os.path.join(work, selector + ".pem")
        subprocess.run(["openssl", "genpkey", *args, "-out", pem], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pub_der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                                 check=True, capture_output=True).stdout
        priv_der = subprocess.run(["openssl", "pkey", "-in", pem, "-outform", "DER"],
                                  check=True, capture_output=True).stdout
        if alg == "rsa-sha256":
            record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(pub_der)
            dkimpy_key = open(pem, "rb").read()
        else:
            record = b"v=DKIM1; k=ed25519; p=" + base64.b64encode(pub_der[-32:])
            dkimpy_key = base64.b64encode(priv_der[-32:])  # dkimpy takes the raw seed
        record_file = os.path.join(work, selector + ".txt")
        open(record_file, "wb").write(record)
        keys[alg] = dict(selector=selector.encode(), pem=pem, record=record,
                         record_file=record_file, dkimpy_key=dkimpy_key)
    return keys


def generated_messages(count, seed=15):
    rng = random.Random(seed)
    out = []
    bodies = [b"", b"\r\n", b"\r\n\r\n\r\n", b"x", b"trailing space   \r\n\t\r\n\r\n",
              b" leading\r\n\t\ttabs  inside \t here\r\n", b"no final line end",
              ("caf\u00e9 8-bit \u2713\r\n" * 3).encode("utf-8"), b"a" * 5000 + b"\r\n"]
    for i in range(count):
        body = bodies[i % len(bodies)] if i < len(bodies) else bytes(
            rng.choice(b"abc \t\r\nxyz.-") for _ in range(rng.randint(0, 3000)))
        head = (b"From: Sender <sender@example.com>\r\n"
                b"To: a@example.net,\r\n  b@example.net\r\n"
                b"Subject:  folded\r\n\t subject " + str(i).encode() + b"  \r\n"
                b"Date: Thu, 03 Dec 2026 16:00:00 +0000\r\n"
                b"Message-ID: <" + str(i).encode() + b"@example.com>\r\n"
                b"X-Dup: one\r\nX-Dup: two\r\n"
                b"X-Unsigned: keep\r\n")
        out.append(("generated/%03d" % i, head + b"\r\n" + body))
    return out


def corpus_messages(shared):
    index = os.path.join(shared, "corpus", "INDEX.tsv")
    out = []
    if not os.path.exists(index):
        return out
    for line in open(index, encoding="utf-8").read().splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) > 2 and cols[2] == "message":
            out.append(("corpus/" + cols[0], open(os.path.join(shared, "corpus", cols[0]), "rb").read()))
    return out


def bench_messages(shared, work, count):
    gen = os.path.join(shared, "bench", "gen_corpus.py")
    if not os.path.exists(gen):
        return []
    out_dir = os.path.join(work, "bench")
    r = subprocess.run([sys.executable, gen, "--out", out_dir, "--count", str(count),
                        "--big-mib", "1", "--smtp-count", "5"], capture_output=True)
    if r.returncode != 0:
        return []
    eml = os.path.join(out_dir, "eml")
    return [("bench/" + n, open(os.path.join(eml, n), "rb").read())
            for n in sorted(os.listdir(eml))]


def dkimpy_verify(message, dnsfunc):
    """True or False; None when dkimpy cannot read the message at all."""
    try:
        return bool(dkim.DKIM(message, minkey=1024).verify(dnsfunc=dnsfunc))
    except dkim.MessageFormatError:
        return None
    except dkim.DKIMException:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mailwire")
    ap.add_argument("shared")
    ap.add_argument("--min-percent", type=float, default=90)
    ap.add_argument("--generated", type=int, default=30)
    ap.add_argument("--bench", type=int, default=40)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="dkim-interop-")
    keys = make_keys(work)
    records = {b"%s._domainkey.%s." % (k["selector"], DOMAIN): k["record"] for k in keys.values()}

    def dnsfunc(name, timeout=5):
        return records.get(name if name.endswith(b".") else name + b".")

    messages = corpus_messages(args.shared) + bench_messages(args.shared, work, args.bench) + \
        generated_messages(args.generated)
    failures, skipped, compared = [], [], 0
    unsigned = set()  # messages dkimpy would not sign
    mw_verify_files = []  # (label, path, expect_pass)
    msg_dir = os.path.join(work, "m")
    os.makedirs(msg_dir)
    for n, (label, raw) in enumerate(messages):
        msg = crlf(raw)
        ok = True
        for alg, key in keys.items():
            for canon in CANONS:
                tag = "%d-%s-%s" % (n, key["selector"].decode(), canon.replace("/", "-"))
                path = os.path.join(msg_dir, tag + ".eml")
                open(path, "wb").write(msg)
# 1. mailwire signs, dkimpy verifies.
                r = subprocess.run([args.mailwire, "dkim", "sign", "--domain", DOMAIN.decode(),
                                    "--selector", key["selector"].decode(), "--key", key["pem"],
                                    "--algorithm", alg, "--canonicalization", canon, path],
                                   capture_output=True)
                if r.returncode != 0:
                    failures.append("%s %s %s: mailwire dkim sign exit %d: %s" % (
                        label, alg, canon, r.returncode, r.stderr.decode(errors="replace").strip()))
                    ok = False
                    continue
                signed = r.stdout
                good = dkimpy_verify(signed, dnsfunc)
                if good is None:  # dkimpy cannot read the message at all
                    skipped.append("%s: dkimpy cannot parse it" % label)
                    ok = None
                    break
                if not good:
                    failures.append("%s %s %s: dkimpy does not verify mailwire's signature" % (
                        label, alg, canon))
                    ok = False
#A changed body byte must fail in dkimpy too.
                sep = signed.find(b"\r\n\r\n")
                changed = signed[:sep + 4] + b"X" + signed[sep + 4:]
                if dkimpy_verify(changed, dnsfunc):
                    failures.append("%s %s %s: dkimpy accepts a changed body" % (label, alg, canon))
# 2. dkimpy signs, mailwire verifies(batched below).
                hc, bc = canon.split("/")
                try:
                    sig = dkim.sign(msg, key["selector"], DOMAIN, key["dkimpy_key"],
                                    canonicalize=(hc.encode(), bc.encode()),
                                    signature_algorithm=alg.encode(), linesep=b"\r\n")
                except dkim.DKIMException as e:
                    # dkimpy refuses to sign some messages (no From field): only this
                    # direction is skipped.
                    unsigned.add(label)
                    skipped.append("%s: dkimpy does not sign it: %s" % (label, e))
                    continue
                theirs = os.path.join(msg_dir, tag + ".dkimpy.eml")
                open(theirs, "wb").write(sig + msg)
                mw_verify_files.append((label + " " + alg + " " + canon, theirs, True))
#An unsigned header added on top keeps the pass; a changed body byte fails.
                extra = os.path.join(msg_dir, tag + ".extra.eml")
                open(extra, "wb").write(b"Received: from relay by mx\r\n" + sig + msg)
                mw_verify_files.append((label + " " + alg + " " + canon + " +Received", extra, True))
                body_at = msg.find(b"\r\n\r\n")
                if body_at >= 0:
                    bad = os.path.join(msg_dir, tag + ".bad.eml")
                    open(bad, "wb").write(sig + msg[:body_at + 4] + b"X" + msg[body_at + 4:])
                    mw_verify_files.append((label + " " + alg + " " + canon + " changed body",
                                            bad, False))
            if ok is None:
                break
        if ok is not None:
            compared += 1

#mailwire verifies everything dkimpy signed, in batches.
    record_args = []
    for k in keys.values():
        record_args += ["--key-record", "%s._domainkey.%s=%s" % (
            k["selector"].decode(), DOMAIN.decode(), k["record_file"])]
    for i in range(0, len(mw_verify_files), 200):
        batch = mw_verify_files[i:i + 200]
        r = subprocess.run([args.mailwire, "dkim", "verify", *record_args,
                            *[p for _, p, _ in batch]], capture_output=True)
        lines = {}
        for line in r.stdout.decode(errors="replace").splitlines():
            path, _, rest = line.partition(" ")
            lines.setdefault(path, []).append(rest)
        for label, path, expect in batch:
            got = lines.get(path, ["(no output)"])
            passed = any(x.startswith("pass ") for x in got)
            if passed != expect:
                failures.append("%s: mailwire dkim verify says %s" % (label, got))

    total = len(messages)
    print("dkim interop: %d messages x2 algorithms x4 canonicalizations: %d signed by mailwire "
          "and checked by dkimpy (%d that dkimpy cannot read skipped), %d of them signed by dkimpy "
          "and checked by mailwire (%d that dkimpy will not sign); %d mailwire verifications, "
          "%d failures" % (total, compared, total - compared, compared - len(unsigned),
                           len(unsigned), len(mw_verify_files), len(failures)))
    for s in sorted(set(skipped)):
        print("skipped:", s)
    for f in failures[:40]:
        print("FAIL:", f)
    subprocess.run(["rm", "-rf", work])
    if failures or total == 0 or compared * 100 < args.min_percent * total:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
