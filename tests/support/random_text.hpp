#pragma once
// Random bodies for tests that check a vectorized scanner against a plain reading of an RFC:
// pieces of ordinary text, up to a whole `text` long, with `odd` pieces (white space, line ends
// of every kind, dots...) between them, so that long runs meet every case at every offset.

#include <cstddef>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>

namespace mailwire::test {

inline std::string random_text(std::mt19937& rng, std::string_view text,
                               std::initializer_list<std::string_view> odd) {
  std::string body;
  const std::size_t parts = rng() % 40;
  for (std::size_t i = 0; i < parts; ++i) {
    if (rng() % 3 == 0) {
      body += *(odd.begin() + rng() % odd.size());
    } else {
      body += text.substr(rng() % text.size(), rng() % (text.size() + 1));
    }
  }
  return body;
}

}  // namespace mailwire::test
