// 09_extract_attachments: save the attachments of a message file of any size into a folder,
// in bounded memory: the message is parsed in chunks, bodies past 256 KiB wait in an unlinked
// temporary file, and each attachment is written out in 64 KiB pieces under a safe, unique name.
//
//   09_extract_attachments message.eml OUTDIR

#include <mailwire/mailwire.hpp>

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: 09_extract_attachments FILE.eml OUTDIR\n");
    return 2;
  }
  namespace mime = mailwire::mime;
  try {
    const mime::SpooledMessage message = mime::SpooledMessage::parse_file(argv[1]);
    int saved = 0;
    for (const mime::SpooledPart* part : message.attachments()) {
      // The sender chose the name: never use it as a path as it is.
      const std::string name = mime::safe_file_name(part->filename().value_or(""));
      const std::string path = mime::unique_file_path(argv[2], name);
      std::ofstream out(path, std::ios::binary);
      part->read_body([&](std::string_view chunk) {
        out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      });
      out.close();
      if (!out) throw mailwire::Error(mailwire::Errc::io, "cannot write " + path);
      std::printf("saved %s (%s, %llu bytes)\n", path.c_str(),
                  part->content_type().mime_type().c_str(),
                  static_cast<unsigned long long>(part->size()));
      ++saved;
    }
    for (const std::string& defect : message.defects())
      std::printf("defect: %s\n", defect.c_str());
    std::printf("%d attachment(s)\n", saved);
    return 0;
  } catch (const mailwire::Error& e) {
    std::fprintf(stderr, "09_extract_attachments: %s\n", e.what());
    return 1;
  }
}
