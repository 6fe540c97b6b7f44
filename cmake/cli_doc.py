#!/usr/bin/env python3
"""Turns docs/cli.md, the one source of the `mailwire` tool's reference, into the mailwire(1)
man page (roff) and into the C++ table of help texts that `mailwire help COMMAND` and
`mailwire COMMAND --help` print. Run by the build; needs only the Python standard library.

    cli_doc.py --input docs/cli.md --version 0.1.0 [--man mailwire.1] [--cpp cli_help.cpp]
    cli_doc.py --input docs/cli.md --topics      (prints the help topics, one per line)

The Markdown it reads is the small subset docs/cli.md is written in: ATX headings, paragraphs,
"- " lists, fenced code blocks, pipe tables, and inline `code`, **bold**, *emphasis* and
[links](target). A heading "mailwire X Y" is the help topic "X Y"; any other heading is the
topic of its words in lower case joined by '-' ("Exit codes" is "exit-codes").
"""

import argparse
import re
import sys
import textwrap

WIDTH = 78


# ---------------------------------------------------------------------------------------------
# Markdown blocks


def parse_blocks(text):
    """The document as a list of blocks: ('heading', level, title), ('para', text),
    ('list', [item, ...]), ('code', [line, ...]) and ('table', [[cell, ...], ...])."""
    lines = text.split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if line.startswith("```"):
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i].rstrip())
                i += 1
            if i == len(lines):
                raise SystemExit("cli_doc.py: unterminated code block")
            i += 1
            blocks.append(("code", body))
            continue
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*$", line)
        if heading:
            blocks.append(("heading", len(heading.group(1)), heading.group(2)))
            i += 1
            continue
        if line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                row = split_row(lines[i])
                if not all(re.fullmatch(r":?-+:?", c) for c in row):
                    rows.append(row)
                i += 1
            blocks.append(("table", rows))
            continue
        if line.startswith("- "):
            items = []
            while i < len(lines) and (lines[i].startswith("- ") or
                                      (lines[i].startswith("  ") and lines[i].strip())):
                if lines[i].startswith("- "):
                    items.append(lines[i][2:].strip())
                else:
                    items[-1] += " " + lines[i].strip()
                i += 1
            blocks.append(("list", items))
            continue
        para = []
        while (i < len(lines) and lines[i].strip() and not lines[i].startswith(("```", "#", "|"))
               and not lines[i].startswith("- ")):
            para.append(lines[i].strip())
            i += 1
        blocks.append(("para", " ".join(para)))
    return blocks


def split_row(line):
    """The cells of a table row; "\\|" is a '|' inside a cell."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return [c.strip().replace("\\|", "|") for c in cells]


def topic_of(title):
    plain = strip_inline(title)
    if plain.startswith("mailwire "):
        return plain[len("mailwire "):].strip()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def sections(blocks):
    """Each heading's topic, level, title and blocks (its subsections included)."""
    out = []
    for at, block in enumerate(blocks):
        if block[0] != "heading":
            continue
        level = block[1]
        end = at + 1
        while end < len(blocks) and not (blocks[end][0] == "heading" and blocks[end][1] <= level):
            end += 1
        out.append({"topic": topic_of(block[2]), "level": level, "title": block[2],
                    "blocks": blocks[at:end]})
    return out


# ---------------------------------------------------------------------------------------------
# Plain text (help)

INLINE_CODE = re.compile(r"`([^`]*)`")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
BOLD = re.compile(r"\*\*([^*]+)\*\*")
EMPHASIS = re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])")


def strip_inline(text):
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) >= 2:
            out.append(part[1:-1])
        else:
            part = LINK.sub(r"\1", part)
            part = BOLD.sub(r"\1", part)
            part = EMPHASIS.sub(r"\1", part)
            out.append(part)
    return "".join(out)


def wrap(text, first, rest):
    return textwrap.fill(text, width=WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


def text_of(blocks):
    out = []
    for block in blocks:
        kind = block[0]
        if kind == "heading":
            title = strip_inline(block[2])
            out.append(title if block[1] <= 3 else title)
            out.append("")
        elif kind == "para":
            out.append(wrap(strip_inline(block[1]), "", ""))
            out.append("")
        elif kind == "list":
            for item in block[1]:
                out.append(wrap(strip_inline(item), "  - ", "    "))
            out.append("")
        elif kind == "code":
            for line in block[1]:
                out.append(("  " + line).rstrip())
            out.append("")
        elif kind == "table":
            # Terms and their descriptions side by side; a term too long for the column gets
            # a line of its own, its description below it at the column.
            rows = [(strip_inline(r[0]), strip_inline(" ".join(r[1:]))) for r in block[1][1:]]
            column = min(max(len(term) for term, _ in rows), 20) + 4
            for term, desc in rows:
                if len(term) + 4 <= column:
                    out.append(wrap(desc, ("  %-" + str(column - 2) + "s") % term, " " * column))
                else:
                    out.append("  " + term)
                    out.append(wrap(desc, " " * column, " " * column))
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def help_topics(blocks):
    """(topic, text) for every heading below the title."""
    all_sections = sections(blocks)
    by_topic = {s["topic"]: s for s in all_sections}
    topics = []
    for s in all_sections:
        if s["level"] < 2 or s["topic"] in ("commands", "synopsis", "see-also"):
            continue
        text = text_of(s["blocks"])
        body = "\n".join(str(b) for b in s["blocks"])
        for name, marker in (("connection-options", "[connection options]"),
                             ("message-options", "[message options]"),
                             ("search-options", "[search options]")):
            if (marker in body and name in by_topic and
                    by_topic[name]["title"] not in body):
                text += "\n" + text_of(by_topic[name]["blocks"])
        if s["title"].startswith("mailwire"):
            text += ("\nExit codes: mailwire help exit-codes. The whole reference: man mailwire, "
                     "or docs/cli.md.\n")
        topics.append((s["topic"], text))
    return topics


def write_cpp(blocks, path):
    topics = help_topics(blocks)
    with open(path, "w", encoding="utf-8") as f:
        f.write("// Generated from docs/cli.md by cmake/cli_doc.py when the tool is built: edit "
                "docs/cli.md.\n\n")
        f.write('#include "help.hpp"\n\nnamespace mailwire::cli {\n\n')
        f.write("const HelpTopic help_topics[] = {\n")
        for topic, text in topics:
            if ")mwhelp" in text:
                raise SystemExit("cli_doc.py: the text of %s contains ')mwhelp'" % topic)
            f.write('    {"%s",\n     R"mwhelp(%s)mwhelp"},\n' % (topic, text))
        f.write("};\n\nconst std::size_t help_topic_count = %d;\n\n" % len(topics))
        f.write("}  // namespace mailwire::cli\n")


# ---------------------------------------------------------------------------------------------
# roff (man page)


def roff_escape(text):
    return text.replace("\\", "\\e").replace("-", "\\-")


def roff_inline(text):
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) >= 2:
            out.append("\\fB" + roff_escape(part[1:-1]) + "\\fR")
            continue
        part = LINK.sub(r"\1", part)
        part = roff_escape(part)
        part = BOLD.sub(r"\\fB\1\\fR", part)
        part = EMPHASIS.sub(r"\\fI\1\\fR", part)
        out.append(part)
    return "".join(out)


def roff_line(line):
    """A line of text as roff input: one starting with '.' or "'" would be a request."""
    if line.startswith((".", "'")):
        return "\\&" + line
    return line


def write_man(blocks, version, path):
    title = blocks[0][2] if blocks and blocks[0][0] == "heading" else "mailwire"
    summary = title.split(":", 1)[1].strip() if ":" in title else title
    out = ['.\\" Generated from docs/cli.md by cmake/cli_doc.py: edit docs/cli.md.',
           '.TH MAILWIRE 1 "" "mailwire %s" "User Commands"' % version,
           ".nh",
           ".ad l",
           ".SH NAME",
           "mailwire \\- " + roff_inline(summary)]
    first_para = True
    for block in blocks[1:]:
        kind = block[0]
        if kind == "heading":
            name = strip_inline(block[2])
            out.append((".SH " if block[1] <= 2 else ".SS ") + '"' +
                       (name.upper() if block[1] <= 2 else name).replace('"', "") + '"')
        elif kind == "para":
            if first_para:  # the paragraph under the title is about this page, not the man page
                first_para = False
                continue
            out.append(".PP")
            out.append(roff_line(roff_inline(block[1])))
        elif kind == "list":
            for item in block[1]:
                out.append(".IP \\(bu 2")
                out.append(roff_line(roff_inline(item)))
            out.append(".PP")
        elif kind == "code":
            out.append(".PP")
            out.append(".RS 4")
            out.append(".nf")
            for line in block[1]:
                out.append(roff_line(roff_escape(line)))
            out.append(".fi")
            out.append(".RE")
        elif kind == "table":
            out.append(".PP")
            for row in block[1][1:]:
                out.append(".TP")
                out.append(roff_line(roff_inline("**" + row[0] + "**")
                                     if "`" not in row[0] else roff_inline(row[0])))
                out.append(roff_line(roff_inline(" ".join(row[1:]))))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", required=True)
    parser.add_argument("--version", default="")
    parser.add_argument("--man")
    parser.add_argument("--cpp")
    parser.add_argument("--topics", action="store_true")
    args = parser.parse_args()
    with open(args.input, encoding="utf-8") as f:
        blocks = parse_blocks(f.read())
    if args.man:
        write_man(blocks, args.version, args.man)
    if args.cpp:
        write_cpp(blocks, args.cpp)
    if args.topics:
        for topic, _ in help_topics(blocks):
            print(topic)
    return 0


if __name__ == "__main__":
    sys.exit(main())
