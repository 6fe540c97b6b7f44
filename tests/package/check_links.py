#!/usr/bin/env python3
"""Every link in README.md, CHANGELOG.md, docs/ and examples/ stays inside the repository
and points at something that exists: no URL, no path that climbs out of the checkout (such as
../shared, present beside the lead's checkout only), no dead relative link.

    check_links.py SOURCE_DIR
"""

import os
import re
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
URL = re.compile(r"\b(?:https?|ftp)://[^\s)>\]]+")
# Names reserved for examples (RFC 2606, RFC 6761): a URL there is an illustration in a code
# sample, not a link anyone follows.
EXAMPLE_HOST = re.compile(
    r"^(?:https?|ftp)://(?:[^/@]*@)?(?:[a-z0-9-]+\.)*(?:example\.(?:com|net|org)|example|test|"
    r"invalid|localhost)(?::\d+)?(?:[/?#]|$)",
    re.I,
)


def documents(root):
    for name in ("README.md", "CHANGELOG.md"):
        if os.path.exists(os.path.join(root, name)):
            yield os.path.join(root, name)
    for folder in ("docs", "examples"):
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for f in sorted(files):
                if f.endswith((".md", ".cpp", ".hpp", ".txt")):
                    yield os.path.join(dirpath, f)


def main():
    root = os.path.realpath(sys.argv[1])
    problems = []
    for path in documents(root):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for n, line in enumerate(text.split("\n"), 1):
            for url in URL.findall(line):
                if EXAMPLE_HOST.match(url):
                    continue
                problems.append("%s:%d: a URL leaves the repository: %s" % (rel, n, url))
            if "../shared" in line and path.endswith((".cpp", ".hpp")):
                problems.append("%s:%d: names ../shared, outside the repository" % (rel, n))
            if not path.endswith(".md"):
                continue
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue  # a URL: reported above (mailto: and the like too)
                target = target.split("#", 1)[0]
                if not target:
                    continue  # an anchor in the same page
                resolved = os.path.realpath(os.path.join(os.path.dirname(path), target))
                if not (resolved == root or resolved.startswith(root + os.sep)):
                    problems.append("%s:%d: the link %s leaves the repository" % (rel, n, target))
                elif not os.path.exists(resolved):
                    problems.append("%s:%d: the link %s points at nothing" % (rel, n, target))
    for p in problems:
        print(p)
    if problems:
        print("%d links leave the repository or point at nothing" % len(problems))
        return 1
    print("every link stays inside the repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
