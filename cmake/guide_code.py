#!/usr/bin/env python3
"""Writes the C++ code blocks of a guide (docs/guides/*.md), in order, as one source file, with
#line directives so that a compiler error names the guide's own line. The build compiles and
links the result, so that the code a guide shows is code that builds.

    guide_code.py GUIDE.md OUT.cpp
"""

import sys


def main():
    guide, out = sys.argv[1], sys.argv[2]
    with open(guide, encoding="utf-8") as f:
        lines = f.read().split("\n")
    code = ["// Generated from %s by cmake/guide_code.py: edit the guide." % guide]
    inside = False
    blocks = 0
    for n, line in enumerate(lines, 1):
        if not inside and line.strip() in ("```cpp", "```c++"):
            inside = True
            blocks += 1
            code.append('#line %d "%s"' % (n + 1, guide))
        elif inside and line.strip() == "```":
            inside = False
        elif inside:
            code.append(line)
    if inside:
        raise SystemExit("guide_code.py: %s: unterminated code block" % guide)
    if blocks == 0:
        raise SystemExit("guide_code.py: %s has no C++ code block" % guide)
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(code) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
