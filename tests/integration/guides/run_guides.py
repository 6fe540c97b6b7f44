#!/usr/bin/env python3
"""The task guides (docs/guides/*.md) run as their pages say, against a private Postfix +
Dovecot started here in a temporary folder (scripts/mailstack.sh) and stopped by PID at the end:

    run_guides.py SOURCE_DIR EXAMPLES_DIR

Without the stack (not root, packages missing) the test is skipped (exit 0 with a note), unless
MAILWIRE_REQUIRE_MAILSTACK=1, as for the other integration tests.
"""

import os
import subprocess
import sys
import tempfile
import time


def main():
    source, examples = sys.argv[1], sys.argv[2]
    required = os.environ.get("MAILWIRE_REQUIRE_MAILSTACK") == "1"
    stack_script = os.path.join(source, "scripts", "mailstack.sh")
    problems = []
    with tempfile.TemporaryDirectory(prefix="mailwire-guides-") as work:
        os.chmod(work, 0o755)  # Postfix's and Dovecot's own users must reach the stack's files
        stack_dir = os.path.join(work, "stack")
        started = subprocess.run([stack_script, "start", stack_dir], capture_output=True,
                                 text=True, timeout=300)
        if started.returncode != 0:
            print("no mail stack: " + (started.stderr.strip() or started.stdout.strip()))
            return 1 if required else 0
        try:
            env = {}
            with open(os.path.join(stack_dir, "stack.env")) as f:
                for line in f:
                    if "=" in line:
                        k, v = line.strip().split("=", 1)
                        env[k] = v
            ca = env["MAILSTACK_CA_FILE"]
            base = dict(os.environ, MAILWIRE_PASSWORD="alice-pass")

            def run(name, *args, expect_rc=0, expect=()):
                p = subprocess.run([os.path.join(examples, name), *args], capture_output=True,
                                   text=True, timeout=120, env=base)
                out = p.stdout + p.stderr
                if p.returncode != expect_rc or any(e not in out for e in expect):
                    problems.append("%s %s: exit %d, expected %d and %r:\n%s"
                                    % (name, " ".join(args), p.returncode, expect_rc,
                                       list(expect), out))
                return out

            host = "127.0.0.1"
            submission = env["MAILSTACK_SUBMISSION_PORT"]
            run("guide_sending_transactional_mail", host, submission, "alice",
                "alice@example.test", "bob@example.test", ca,
                expect=["bob@example.test accepted 250"])
            run("guide_tls_and_security", host, submission, "alice", ca, expect=["verified"])
            run("guide_errors_and_retries", host, submission, "alice", "alice@example.test",
                "bob@example.test", ca)
            run("guide_errors_and_retries", host, submission, "alice", "alice@example.test",
                "bob@example.test", expect_rc=1, expect=["failed for good", "not trusted"])

            # An invoice for alice, then the IMAP guide fetches it, byte for byte, once.
            pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
            pdf_path = os.path.join(work, "invoice.pdf")
            with open(pdf_path, "wb") as f:
                f.write(pdf)
            run("mailwire", "send", "--server", "%s:%s" % (host, submission), "--ca-file", ca,
                "--user", "alice", "--from", "alice@example.test", "--to", "alice@example.test",
                "--subject", "Invoice 0042", "--text", "Attached.", "--attach", pdf_path)
            invoices = os.path.join(work, "invoices")
            os.makedirs(invoices)
            saved = os.path.join(invoices, "invoice.pdf")
            for _ in range(100):  # delivery through Postfix and LMTP is asynchronous
                run("guide_fetching_invoices_over_imap", host, env["MAILSTACK_IMAP_PORT"],
                    "alice", "INBOX", "alice@example.test", invoices, ca)
                if os.path.exists(saved) or problems:
                    break
                time.sleep(0.2)
            if not os.path.exists(saved):
                problems.append("the IMAP guide saved no invoice.pdf")
            else:
                with open(saved, "rb") as f:
                    if f.read() != pdf:
                        problems.append("the PDF the IMAP guide saved differs from the one sent")
            again = run("guide_fetching_invoices_over_imap", host, env["MAILSTACK_IMAP_PORT"],
                        "alice", "INBOX", "alice@example.test", invoices, ca)
            if again.strip():
                problems.append("the IMAP guide fetched again: " + again)

            archive = os.path.join(work, "archive")
            run("guide_archiving_over_pop3", host, env["MAILSTACK_POP3_PORT"], "alice", archive,
                ca, expect=["downloaded", "0 known"])
            run("guide_archiving_over_pop3", host, env["MAILSTACK_POP3_PORT"], "alice", archive,
                ca, expect=["known", "0 downloaded"])
        finally:
            subprocess.run([stack_script, "stop", stack_dir], capture_output=True, timeout=120)
    for p in problems:
        print(p)
    if problems:
        return 1
    print("every guide ran as its page says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
