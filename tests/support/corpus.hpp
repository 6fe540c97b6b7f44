#pragma once

// The shared test corpus (../shared/corpus, MAILWIRE_SHARED_DIR): the files the corpus tests
// read as messages, and their bytes. The corpus is not part of the repository; a test finding
// no files skips with a warning.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace mailwire::test {

/// Every file of the corpus except its notes (.json, .md, .tsv): messages, mboxes and codec
/// vectors, in directory order. Empty when the corpus is not here.
inline std::vector<std::filesystem::path> corpus_files() {
  std::vector<std::filesystem::path> out;
  const std::filesystem::path corpus = std::filesystem::path(MAILWIRE_SHARED_DIR) / "corpus";
  if (!std::filesystem::exists(corpus)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    if (ext == ".json" || ext == ".md" || ext == ".tsv") continue;
    out.push_back(entry.path());
  }
  return out;
}

/// The whole content of `path`.
inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace mailwire::test
