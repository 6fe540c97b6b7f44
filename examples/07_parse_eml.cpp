// 07_parse_eml: read a message file and show its structure: headers, the MIME tree with
// types, sizes and file names, the text, and the defects a lenient parser worked around.
//
//   07_parse_eml message.eml

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <string>

namespace {

void show(const mailwire::mime::Entity& e, int depth) {
  const auto name = e.filename();
  std::printf("%*s%s%s%s  (%zu bytes)\n", depth * 2, "", e.content_type().mime_type().c_str(),
              name ? "  " : "", name ? name->c_str() : "", e.body().size());
  for (const std::string& d : e.defects())
    std::printf("%*s  defect: %s\n", depth * 2, "", d.c_str());
  for (const auto& child : e.children())
    show(child, depth + 1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: 07_parse_eml FILE.eml\n");
    return 2;
  }
  try {
    const mailwire::mime::Message m = mailwire::mime::Message::parse_file(argv[1]);
    std::printf("Subject: %s\n", m.subject().c_str());
    for (const auto& from : m.from())
      std::printf("From: %s <%s>\n", from.name.c_str(), from.address().c_str());
    if (const auto date = m.headers().get("Date")) {
      if (const auto d = mailwire::mime::parse_date(*date)) {
        std::printf("Date: %s (UTC)\n", mailwire::mime::format_date(d->utc).c_str());
      }
    }
    show(m.root(), 0);
    for (const mailwire::mime::Entity* e : m.entities()) {
      if (e->children().empty() && e->content_type().mime_type() == "text/plain") {
        std::printf("--- text ---\n%s\n", e->text().c_str());
        break;
      }
    }
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "07_parse_eml: %s\n", e.what());
    return 1;
  }
}
