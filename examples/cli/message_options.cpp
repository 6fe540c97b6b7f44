#include "message_options.hpp"

#include "connection.hpp"

#include <fstream>
#include <sstream>

namespace mailwire::cli {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError{"cannot read " + path};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool parse_message_option(const Args& args, std::size_t& i, MessageOptions& m) {
  const std::string& a = args[i];
  if (a == "--from") {
    m.from = option_value(args, i);
  } else if (a == "--to") {
    m.to.push_back(option_value(args, i));
  } else if (a == "--cc") {
    m.cc.push_back(option_value(args, i));
  } else if (a == "--bcc") {
    m.bcc.push_back(option_value(args, i));
  } else if (a == "--subject") {
    m.subject = option_value(args, i);
  } else if (a == "--text") {
    m.text = option_value(args, i);
    m.has_text = true;
  } else if (a == "--text-file") {
    m.text = read_file(option_value(args, i));
    m.has_text = true;
  } else if (a == "--html-file") {
    m.html_file = option_value(args, i);
  } else if (a == "--attach") {
    m.attachments.push_back(option_value(args, i));
  } else if (a == "--message") {
    m.message_file = option_value(args, i);
  } else {
    return false;
  }
  return true;
}

mime::MessageBuilder build_message(const MessageOptions& m) {
  if (m.from.empty()) throw UsageError{"--from ADDR is required"};
  if (m.to.empty() && m.cc.empty() && m.bcc.empty()) throw UsageError{"--to ADDR is required"};
  mime::MessageBuilder b;
  try {
    b.from(m.from);
    for (const auto& a : m.to)
      b.to(a);
    for (const auto& a : m.cc)
      b.cc(a);
    for (const auto& a : m.bcc)
      b.bcc(a);
    if (!m.subject.empty()) b.subject(m.subject);
  } catch (const Error& e) {
    throw UsageError{e.what()};
  }
  if (m.has_text || m.html_file.empty()) b.text(m.text);
  if (!m.html_file.empty()) b.html(read_file(m.html_file));
  for (const auto& path : m.attachments)
    b.attach_file(path);
  return b;
}

}  // namespace mailwire::cli
