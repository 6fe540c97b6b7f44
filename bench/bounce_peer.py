#!/usr/bin/env python3
"""The peer of mailwire_bounce_classify: Python's email package reading the RFC 3464 parts of
the same files (what a parser of standard DSNs alone gives you), timed the same way: every file
read into memory once, then each round parses every message and reads the recipient blocks of
its message/delivery-status part (Final-Recipient, Action, Status, Diagnostic-Code).

    python3 bench/bounce_peer.py [--rounds N] PATH...
"""
import email
import email.policy
import os
import statistics
import sys
import time


def files_of(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in sorted(os.walk(p)):
                for n in sorted(names):
                    yield os.path.join(root, n)
        else:
            yield p


def read_report(data):
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    out = []
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:]:
            out.append((block.get("Final-Recipient"), block.get("Action"), block.get("Status"),
                        block.get("Diagnostic-Code")))
    return out


def main():
    args = sys.argv[1:]
    rounds = 5
    if len(args) >= 2 and args[0] == "--rounds":
        rounds = max(1, int(args[1]))
        args = args[2:]
    messages = [open(f, "rb").read() for f in files_of(args)]
    if not messages:
        print("usage: bounce_peer.py [--rounds N] PATH...", file=sys.stderr)
        return 2
    rates = []
    cpu_rates = []
    recipients = 0
    for r in range(rounds):
        t0 = time.perf_counter()
        c0 = time.process_time()
        recipients = sum(len(read_report(m)) for m in messages)
        s = time.perf_counter() - t0
        cpu = time.process_time() - c0
        rates.append(len(messages) / s)
        cpu_rates.append(len(messages) / cpu)
        print(f"round {r + 1}: {len(messages)} reports in {s:.4f} s = {rates[-1]:.0f} reports/s "
              f"({cpu_rates[-1]:.0f} per CPU second)")
    print(f"median: {statistics.median(rates):.0f} reports/s, "
          f"{statistics.median(cpu_rates):.0f} per CPU second ({len(messages)} reports, "
          f"{rounds} rounds, {recipients} recipients)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
