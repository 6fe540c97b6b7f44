#include <mailwire/imap/body_structure.hpp>

namespace mailwire::imap {
namespace {

void walk(const BodyStructure& b, const std::string& section,
          const std::function<void(const std::string&, const BodyStructure&)>& visit, int depth) {
  if (depth > 64) return;
  visit(section, b);
  if (b.type == "multipart") {
    for (std::size_t i = 0; i < b.parts.size(); ++i) {
      walk(b.parts[i], (section.empty() ? "" : section + ".") + std::to_string(i + 1), visit,
           depth + 1);
    }
  } else if (b.is_message() && !b.parts.empty()) {
    const BodyStructure& inner = b.parts[0];
    if (inner.type == "multipart") {
      for (std::size_t i = 0; i < inner.parts.size(); ++i) {
        walk(inner.parts[i], section + "." + std::to_string(i + 1), visit, depth + 1);
      }
    } else {
      walk(inner, section + ".1", visit, depth + 1);
    }
  }
}

}  // namespace

void for_each_part(const BodyStructure& body,
                   const std::function<void(const std::string&, const BodyStructure&)>& visit) {
  if (body.type == "multipart") {
    walk(body, "", visit, 0);
  } else {
    walk(body, "1", visit, 0);  // a single-part message is part 1
  }
}

}  // namespace mailwire::imap
