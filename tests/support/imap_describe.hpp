#pragma once

// Every field of a FETCH response as text, so that two parses can be compared: the reader tests
// (a recycled response against a fresh parse, the fast path against the general grammar) and
// the IMAP response fuzzer's differential check. No test framework here.

#include <mailwire/imap/response.hpp>

#include <string>

namespace imap_test {

using namespace mailwire::imap;

// Every field of a FETCH response, as text: two parses agree when these agree.
inline void describe(const Envelope& e, std::string& out);
inline void describe(const BodyStructure& b, std::string& out) {
  out += "(" + b.type + "/" + b.subtype + " params[";
  for (const auto& [k, v] : b.params)
    out += k + "=" + v + ";";
  out += "] id=" + b.id + " desc=" + b.description + " enc=" + b.encoding +
         " size=" + std::to_string(b.size) + " lines=" + std::to_string(b.lines) +
         " ext=" + std::to_string(b.has_extension) + " md5=" + b.md5 + " dsp=";
  if (b.disposition) {
    out += b.disposition->type + "[";
    for (const auto& [k, v] : b.disposition->params)
      out += k + "=" + v + ";";
    out += "]";
  } else {
    out += "none";
  }
  out += " lang[";
  for (const auto& l : b.languages)
    out += l + ";";
  out += "] loc=" + b.location + " extra[";
  for (const auto& x : b.extra)
    out += x + ";";
  out += "] env=";
  if (b.envelope) describe(*b.envelope, out);
  out += " parts[";
  for (const auto& p : b.parts)
    describe(p, out);
  out += "])";
}
inline void describe(const Envelope& e, std::string& out) {
  out += "{" + e.date + "|" + e.subject + "|";
  for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
    out += "[";
    for (const auto& a : *list)
      out += a.name + "," + a.adl + "," + a.mailbox + "," + a.host + ";";
    out += "]";
  }
  out += e.in_reply_to + "|" + e.message_id + "}";
}
inline std::string describe(const FetchData& f) {
  std::string out = "seq=" + std::to_string(f.seq) + " flags=";
  if (f.flags) {
    for (const auto& x : *f.flags)
      out += x + ";";
  } else {
    out += "none";
  }
  out += " uid=" + (f.uid ? std::to_string(*f.uid) : "none") + " env=";
  if (f.envelope) describe(*f.envelope, out);
  out += " body=";
  if (f.body_structure) describe(*f.body_structure, out);
  return out;
}

// A whole response: its kind, tag, status, text and code name, and FETCH data in full.
inline std::string describe(const Response& r) {
  std::string out = std::to_string(static_cast<int>(r.kind)) + "|" + r.tag + "|" +
                    std::to_string(static_cast<int>(r.status)) + "|" + r.code.name + "|" + r.text;
  if (const auto* f = r.get<FetchData>()) {
    out += "|" + describe(*f);
    for (const auto& s : f->sections)
      out += "|sec " + s.section + "=" + s.data;
    for (const auto& [name, value] : f->other)
      out += "|other " + name + "=" + value;
  }
  return out;
}

}  // namespace imap_test
