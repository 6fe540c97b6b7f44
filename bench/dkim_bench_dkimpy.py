#!/usr/bin/env python3
"""dkimpy on the same work as mailwire_dkim_bench: body hashing throughput (signing a large
message: canonicalization + SHA-256 of the body dominate) and time per signature to sign and
verify a ~2 KB message, rsa-sha256 (2048-bit) and ed25519-sha256. Median of R rounds, in CPU
time of the process (as mailwire_dkim_bench).
  dkim_bench_dkimpy.py [--mib N] [--rounds R] [--signatures N]
Needs Debian python3-dkim and python3-nacl, and the openssl tool (keys)."""

import argparse
import base64
import statistics
import subprocess
import tempfile
import time
import os

import dkim

HEAD = (b"From: Sender <sender@example.com>\r\nTo: rcpt@example.net\r\nSubject: benchmark\r\n"
        b"Date: Thu, 03 Dec 2026 16:00:00 +0000\r\nMessage-ID: <bench@example.com>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
LINE = b"The quick brown fox jumps over the lazy dog, again and again.  \r\n"


def body(n):
    return LINE * (n // len(LINE) + 1)


def keys():
    d = tempfile.mkdtemp()
    out = {}
    for name, args in (("rsa-2048", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
                       ("ed25519", ["-algorithm", "ED25519"])):
        pem = os.path.join(d, name + ".pem")
        subprocess.run(["openssl", "genpkey", *args, "-out", pem], check=True,
                       capture_output=True)
        pub = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        der = subprocess.run(["openssl", "pkey", "-in", pem, "-outform", "DER"],
                             check=True, capture_output=True).stdout
        if name == "ed25519":
            out[name] = (base64.b64encode(der[-32:]), b"v=DKIM1; k=ed25519; p=" +
                         base64.b64encode(pub[-32:]), b"ed25519-sha256")
        else:
            out[name] = (open(pem, "rb").read(), b"v=DKIM1; k=rsa; p=" + base64.b64encode(pub),
                         b"rsa-sha256")
    subprocess.run(["rm", "-rf", d])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--signatures", type=int, default=2000)
    a = ap.parse_args()
    k = keys()
    big = HEAD + body(a.mib * 1024 * 1024)
    for canon in (b"simple", b"relaxed"):
        speeds = []
        for _ in range(a.rounds):
            t0 = time.process_time()
            dkim.sign(big, b"s", b"example.com", k["ed25519"][0], canonicalize=(b"relaxed", canon),
                      signature_algorithm=b"ed25519-sha256")
            speeds.append(len(big) / 1e6 / (time.process_time() - t0))
        print("dkimpy body-hash %s MBps=%.0f (median of %d, %d MiB)" % (
            canon.decode(), statistics.median(speeds), a.rounds, a.mib))
    small = HEAD + body(2000)
    for name, (key, record, alg) in k.items():
        def dnsfunc(_name, timeout=5, record=record):
            return record
        sign_us, verify_us = [], []
        for _ in range(a.rounds):
            t0 = time.process_time()
            for _ in range(a.signatures):
                sig = dkim.sign(small, b"s", b"example.com", key, signature_algorithm=alg)
            sign_us.append((time.process_time() - t0) * 1e6 / a.signatures)
            msg = sig + small
            t0 = time.process_time()
            for _ in range(a.signatures):
                assert dkim.verify(msg, dnsfunc=dnsfunc)
            verify_us.append((time.process_time() - t0) * 1e6 / a.signatures)
        print("dkimpy %s sign us=%.1f verify us=%.1f (median of %d x %d)" % (
            name, statistics.median(sign_us), statistics.median(verify_us), a.rounds,
            a.signatures))


if __name__ == "__main__":
    main()
