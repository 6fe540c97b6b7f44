#!/usr/bin/env python3
"""Oracle for `mailwire imap envelopes`: CPython's email package decodes the same messages.

  envelopes_oracle.py make DIR          writes the test messages DIR/01.eml ... (German, Russian,
                                        Japanese, French; subjects and names in RFC 2047, file
                                        names in RFC 2231 and in the RFC 2047-in-quotes form)
  envelopes_oracle.py check OUT DIR     compares OUT (the JSON Lines of `mailwire imap envelopes`,
                                        one line per message in UID order, the messages appended
                                        in name order) with what email.policy.default decodes;
                                        prints every difference, exits 1 if there is one.
"""
import base64
import datetime
import email
import email.policy
import json
import os
import sys
import urllib.parse


def b_word(text, charset):
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode())


def q_word(text, charset):
    out = []
    for byte in text.encode(charset):
        c = chr(byte)
        if c == " ":
            out.append("_")
        elif c.isalnum() and byte < 128:
            out.append(c)
        else:
            out.append("=%02X" % byte)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def rfc2231(text, charset, pieces=1):
    data = urllib.parse.quote(text.encode(charset), safe="")
    if pieces == 1:
        return "filename*=%s''%s" % (charset, data)
    cut = len(data) // 2
    while data[cut - 1] == "%" or data[cut - 2] == "%":
        cut += 1
    return "filename*0*=%s''%s;\r\n filename*1*=%s" % (charset, data[:cut], data[cut:])


def message(number, sender, to, cc, subject, date, attachments):
    lines = ["From: " + sender, "To: " + to]
    if cc:
        lines.append("Cc: " + cc)
    lines += ["Subject: " + subject, "Date: " + date,
              "Message-ID: <oracle-%d@example.test>" % number, "MIME-Version: 1.0",
              'Content-Type: multipart/mixed; boundary="b%d"' % number, "",
              "--b%d" % number, "Content-Type: text/plain; charset=utf-8", "", "text"]
    for content_type, disposition in attachments:
        lines += ["--b%d" % number, "Content-Type: " + content_type]
        if disposition:
            lines.append("Content-Disposition: " + disposition)
        lines += ["Content-Transfer-Encoding: base64", "", "JVBERi0xLjQK"]
    lines += ["--b%d--" % number, ""]
    return "\r\n".join(lines).encode("ascii")


def make(directory):
    messages = [
        message(1, "%s <j@example.de>" % q_word("Jürgen Müller", "iso-8859-1"),
                "alice@example.test", None,
                b_word("Rechnung März 2026", "utf-8"), "Tue, 1 Dec 2026 10:30:00 +0100",
                [('application/pdf; name="%s"' % q_word("Rechnung März.pdf", "utf-8"),
                  'attachment; filename="%s"' % q_word("Rechnung März.pdf", "utf-8")),
                 ("application/pdf", "attachment; " + rfc2231("Grüße März.pdf", "iso-8859-1", 2))]),
        message(2, "%s <ivan@example.ru>" % b_word("Иван Петров", "koi8-r"),
                '%s <alice@example.test>' % b_word("Алиса", "utf-8"), None,
                b_word("Счёт за декабрь", "koi8-r"), "Wed, 2 Dec 2026 12:00:00 +0300",
                [("application/pdf", "attachment; " + rfc2231("Счёт №7.pdf", "utf-8")),
                 ('application/pdf; name="%s"' % b_word("Акт сверки.pdf", "windows-1251"), None)]),
        message(3, "%s <sato@example.jp>" % b_word("佐藤", "iso-2022-jp"), "alice@example.test",
                None, b_word("請求書のご送付", "iso-2022-jp"), "Thu, 3 Dec 2026 09:00:00 +0900",
                [("application/pdf", "attachment; " + rfc2231("請求書.pdf", "utf-8", 2)),
                 ('application/pdf; name="%s"' % b_word("見積書.pdf", "shift_jis"),
                  'attachment; filename="%s"' % b_word("見積書.pdf", "shift_jis"))]),
        message(4, "billing@example.fr", "alice@example.test",
                "%s <f@example.fr>, %s <g@example.fr>" % (q_word("Françoise", "utf-8"),
                                                         q_word("Gérard", "iso-8859-15")),
                q_word("Facture n° 42 – été", "windows-1252"), "Fri, 4 Dec 2026 08:15:00 +0000",
                [("application/octet-stream",
                  "attachment; " + rfc2231("façade été.pdf", "utf-8", 2)),
                 ('application/pdf; name="%s"' % q_word("reçu.pdf", "iso-8859-1"),
                  "inline")]),
    ]
    os.makedirs(directory, exist_ok=True)
    for i, data in enumerate(messages, 1):
        with open(os.path.join(directory, "%02d.eml" % i), "wb") as f:
            f.write(data)


def expected(path):
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)

    def addresses(name):
        header = m[name]
        if header is None:
            return []
        return [[a.display_name, a.addr_spec] for a in header.addresses]

    date = m["date"].datetime.astimezone(datetime.timezone.utc)
    attachments = []
    for section, part in enumerate(m.iter_parts(), 1):
        name = part.get_filename()
        if name is None and part.get_content_disposition() != "attachment":
            continue
        attachments.append({"section": str(section), "type": part.get_content_type(),
                            "filename": name})
    return {"subject": str(m["subject"]), "from": addresses("from"), "to": addresses("to"),
            "cc": addresses("cc"), "date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "message_id": str(m["message-id"]), "attachments": attachments}


def check(out, directory):
    files = sorted(n for n in os.listdir(directory) if n.endswith(".eml"))
    with open(out, encoding="utf-8") as f:
        got = [json.loads(line) for line in f if line.strip()]
    failures = []
    if len(got) != len(files):
        failures.append("%d documents for %d messages" % (len(got), len(files)))
    for name, doc in zip(files, got):
        want = expected(os.path.join(directory, name))
        doc = dict(doc)
        doc["attachments"] = [{k: a.get(k) for k in ("section", "type", "filename")}
                              for a in doc.get("attachments", [])]
        for key, value in want.items():
            if doc.get(key) != value:
                failures.append("%s %s: mailwire %r, CPython %r" % (name, key, doc.get(key), value))
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
