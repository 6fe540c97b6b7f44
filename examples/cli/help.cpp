#include "help.hpp"

#include <cstring>

namespace mailwire::cli {

const char* help_text(const std::string& topic) {
  for (std::size_t i = 0; i < help_topic_count; ++i) {
    if (topic == help_topics[i].topic) return help_topics[i].text;
  }
  return nullptr;
}

bool print_help(const std::string& topic, std::FILE* out) {
  const char* text = help_text(topic);
  if (text == nullptr) return false;
  std::fputs(text, out);
  return true;
}

}  // namespace mailwire::cli
