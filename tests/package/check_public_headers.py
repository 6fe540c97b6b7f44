#!/usr/bin/env python3
"""The public headers as a reader of the reference meets them:

- include/mailwire/mailwire.hpp, the umbrella header, includes every public header;
- no TODO or FIXME in a public header (they are published in the API reference and read as
  unfinished work): finish the work, or move the note into a comment in src/.

    check_public_headers.py SOURCE_DIR
"""

import os
import re
import sys

# Headers whose TODOs another branch (imapsync) is removing as it finishes the work they
# describe. Empty this list when it is merged: the test fails for a listed file that has none
# left, so that the list cannot go stale.
PENDING_TODOS = set()


def main():
    include = os.path.join(os.path.realpath(sys.argv[1]), "include")
    headers = []
    for dirpath, _, files in os.walk(os.path.join(include, "mailwire")):
        for f in files:
            if f.endswith(".hpp"):
                headers.append(os.path.relpath(os.path.join(dirpath, f), include))
    headers.sort()
    problems = []
    with open(os.path.join(include, "mailwire", "mailwire.hpp"), encoding="utf-8") as f:
        umbrella = f.read()
    for h in headers:
        if h != "mailwire/mailwire.hpp" and ("#include <%s>" % h) not in umbrella:
            problems.append("mailwire/mailwire.hpp does not include <%s>" % h)
    for h in headers:
        with open(os.path.join(include, h), encoding="utf-8") as f:
            lines = f.read().split("\n")
        marked = [n for n, line in enumerate(lines, 1) if re.search(r"\b(TODO|FIXME)\b", line)]
        if marked and h not in PENDING_TODOS:
            for n in marked:
                problems.append("%s:%d: TODO or FIXME in a public header" % (h, n))
        if not marked and h in PENDING_TODOS:
            problems.append("%s has no TODO left: remove it from PENDING_TODOS in %s"
                            % (h, __file__))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("%d public headers: all in the umbrella header, no TODO or FIXME" % len(headers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
