#!/usr/bin/env python3
"""Checks of the `mailwire` tool that need no server, run by ctest:

    cli_checks.py docs MAILWIRE SOURCE_DIR
        docs/cli.md and the tool agree: every command the tool dispatches has a section, every
        section names a command the tool has (or one listed in PENDING below), and
        `mailwire help TOPIC` / `mailwire COMMAND [SUB] --help` print the text generated from
        the current docs/cli.md.
    cli_checks.py mime-dump-folder MAILWIRE SOURCE_DIR
        `mailwire mime dump DIR` walks the folder as `mime stat` does.
"""

import json
import os
import subprocess
import sys
import tempfile

# Commands docs/cli.md specifies that this branch does not implement yet (their code is on
# other branches). Empty it as they are merged: the test fails for a listed command that the
# tool implements, so that the list cannot go stale.
PENDING = set()

# Sections that describe the tool itself rather than a dispatched command.
BUILT_IN = {"help"}


def run(tool, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILWIRE_")}
    p = subprocess.run([tool, *args], capture_output=True, text=True, timeout=30, env=env,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def not_implemented(stderr, word):
    """The tool's answer to a subcommand it does not know."""
    return ("'%s'" % word) in stderr and ("unknown" in stderr or "unexpected" in stderr)


def check_docs(tool, source):
    sys.path.insert(0, os.path.join(source, "cmake"))
    import cli_doc  # noqa: E402 (the generator itself parses the document)

    with open(os.path.join(source, "docs", "cli.md"), encoding="utf-8") as f:
        blocks = cli_doc.parse_blocks(f.read())
    documented = [s["topic"] for s in cli_doc.sections(blocks)
                  if cli_doc.strip_inline(s["title"]).startswith("mailwire ")]
    problems = []
    rc, out, err = run(tool, "help", "--commands")
    if rc != 0:
        return ["mailwire help --commands failed: " + err]
    dispatched = out.split()
    if not dispatched:
        return ["mailwire help --commands listed no command"]

    top = {t.split()[0] for t in documented}
    for name in dispatched:
        if name not in top:
            problems.append("the tool dispatches '%s', which docs/cli.md has no section for "
                            "(add '### mailwire %s')" % (name, name))
    for name in sorted(top - BUILT_IN):
        if name in dispatched and name in PENDING:
            problems.append("'%s' is implemented now: remove it from PENDING in %s"
                            % (name, __file__))
        elif name not in dispatched and name not in PENDING:
            problems.append("docs/cli.md documents 'mailwire %s', which the tool does not have"
                            % name)
    for topic in documented:
        words = topic.split()
        if len(words) < 2 or words[0] not in dispatched:
            continue
        rc, out, err = run(tool, *words)
        missing = not_implemented(err, words[-1])
        if missing and topic not in PENDING:
            problems.append("docs/cli.md documents 'mailwire %s', which the tool does not have "
                            "(%s)" % (topic, err.strip()))
        if not missing and topic in PENDING:
            problems.append("'%s' is implemented now: remove it from PENDING in %s"
                            % (topic, __file__))

    # The texts compiled into the tool are those of the current docs/cli.md, and --help after a
    # command (and a subcommand) prints the same text as `mailwire help`.
    for topic, text in cli_doc.help_topics(blocks):
        rc, out, err = run(tool, "help", *topic.split())
        if rc != 0 or out != text:
            problems.append("`mailwire help %s` does not print the section of docs/cli.md "
                            "(rc %d): rebuild, or the generator is broken" % (topic, rc))
            continue
        words = topic.split()
        if words[0] in dispatched:
            rc2, out2, _ = run(tool, *words, "--help")
            if rc2 != 0 or out2 != text:
                problems.append("`mailwire %s --help` differs from `mailwire help %s`"
                                % (topic, topic))
    rc, out, err = run(tool, "help", "no-such-command")
    if rc != 2:
        problems.append("`mailwire help no-such-command` exited %d, not 2" % rc)
    rc, out, err = run(tool, "--version")
    if rc != 0 or not out.startswith("mailwire "):
        problems.append("`mailwire --version` printed %r" % out)
    return problems


def check_mime_dump_folder(tool, source):
    problems = []
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "b", "c"))
        messages = {
            "a.eml": "From: a@example.com\r\nSubject: one\r\n\r\nbody one\r\n",
            os.path.join("b", "c", "x.eml"): "From: b@example.com\r\nSubject: two\r\n\r\ntwo\r\n",
            os.path.join("b", "y.eml"): "From: c@example.com\r\nSubject: three\r\n\r\n3\r\n",
        }
        for name, text in messages.items():
            with open(os.path.join(d, name), "w", newline="") as f:
                f.write(text)
        rc, out, err = run(tool, "mime", "dump", d)
        if rc != 0:
            return ["mailwire mime dump DIR exited %d: %s" % (rc, err)]
        docs = [json.loads(line) for line in out.splitlines()]
        subjects = [doc["subject"] for doc in docs]
        files = [os.path.relpath(doc["file"], d) for doc in docs]
        if subjects != ["one", "two", "three"]:
            problems.append("mime dump DIR gave the subjects %r" % subjects)
        if files != sorted(messages):
            problems.append("mime dump DIR gave the files %r" % files)
        rc, out, err = run(tool, "mime", "stat", d)
        if rc != 0 or "messages=3 " not in out:
            problems.append("mime stat DIR: %s %s" % (out, err))
        rc, out, err = run(tool, "mime", "dump", os.path.join(d, "missing"))
        if rc != 9:
            problems.append("mime dump of a missing file exited %d, not 9" % rc)
    return problems


def main():
    what, tool, source = sys.argv[1:4]
    checks = {"docs": check_docs, "mime-dump-folder": check_mime_dump_folder}
    problems = checks[what](tool, source)
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
