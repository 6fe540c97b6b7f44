// SpooledMessage: StreamParser's entities and decoded bodies kept for later. Bodies go to
// memory until a leaf passes spill_threshold or all of them memory_limit; then that leaf is
// appended to one temporary file per message, made and unlinked at the first spill. Leaves
// never interleave (the parser completes one before the next starts), so each spilled body is
// one contiguous range of the file.

#include <mailwire/error.hpp>
#include <mailwire/mime/spooled_message.hpp>
#include <mailwire/mime/stream_parser.hpp>

#include "mime/parse_rules.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace mailwire::mime {

namespace detail {

// An unlinked temporary file, appended to while parsing and read with pread() after.
class SpoolFile {
 public:
  explicit SpoolFile(const std::string& dir_option) {
    std::string dir = dir_option;
    if (dir.empty()) {
      const char* env = std::getenv("TMPDIR");
      dir = env != nullptr && *env != '\0' ? env : "/tmp";
    }
    std::string path = dir + "/mailwire-spool-XXXXXX";
    fd_ = ::mkostemp(path.data(), O_CLOEXEC);  // mode 0600
    if (fd_ < 0) {
      throw Error(Errc::io, fmt::format("mime: cannot make a temporary file in {}: {}", dir,
                                        std::strerror(errno)));
    }
    ::unlink(path.c_str());
  }
  ~SpoolFile() { ::close(fd_); }
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  // The offset the next append() starts at.
  std::uint64_t end() const noexcept { return written_ + pending_.size(); }

  void append(std::string_view bytes) {
    if (pending_.size() + bytes.size() < buffer_size) {
      pending_.append(bytes);
      return;
    }
    flush();
    if (bytes.size() < buffer_size) {
      pending_.append(bytes);
    } else {
      write_all(bytes);
    }
  }

  void flush() {
    if (pending_.empty()) return;
    write_all(pending_);
    pending_.clear();
  }

  // Parts read while the message is still being fed see bytes not yet flushed, so reading
  // flushes; after finish() nothing is pending and reads are pread() alone (thread-safe).
  void read(std::uint64_t offset, std::uint64_t size, const ByteSink& sink) {
    flush();
    std::string buffer(static_cast<std::size_t>(std::min<std::uint64_t>(size, buffer_size)), '\0');
    while (size > 0) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, buffer_size));
      const ssize_t n = ::pread(fd_, buffer.data(), want, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        throw Error(Errc::io,
                    fmt::format("mime: cannot read the temporary file: {}",
                                n == 0 ? "it is shorter than written" : std::strerror(errno)));
      }
      sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      offset += static_cast<std::uint64_t>(n);
      size -= static_cast<std::uint64_t>(n);
    }
  }

 private:
  static constexpr std::size_t buffer_size = 64 * 1024;

  void write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(written_));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        throw Error(Errc::io,
                    fmt::format("mime: cannot write the temporary file: {}", std::strerror(errno)));
      }
      written_ += static_cast<std::uint64_t>(n);
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  int fd_ = -1;
  std::uint64_t written_ = 0;
  std::string pending_;
};

}  // namespace detail

ContentDisposition SpooledPart::disposition() const {
  return detail::disposition_of(headers_);
}

std::optional<std::string> SpooledPart::filename() const {
  return detail::filename_of(headers_, content_type_);
}

void SpooledPart::read_body(const ByteSink& sink) const {
  if (spool_ != nullptr) {
    spool_->read(spool_offset_, size_, sink);
    return;
  }
  constexpr std::size_t chunk = 64 * 1024;
  const std::string_view body = memory_;
  for (std::size_t at = 0; at < body.size(); at += chunk)
    sink(body.substr(at, chunk));
}

std::string SpooledPart::body() const {
  std::string out;
  out.reserve(static_cast<std::size_t>(size_));
  read_body([&](std::string_view chunk) { out.append(chunk); });
  return out;
}

std::string SpooledPart::text() const {
  return detail::text_as_utf8(body(), content_type_);
}

struct SpooledMessage::Impl {
  SpoolOptions options;
  std::vector<SpooledPart> parts;
  std::vector<std::string> defects;
  std::size_t memory_bytes = 0;
  std::shared_ptr<detail::SpoolFile> spool;  // made at the first spill
  std::vector<std::size_t> open;             // indices of the entities enclosing the next one
  std::unique_ptr<StreamParser> parser;      // until finish()

  explicit Impl(SpoolOptions o) : options(std::move(o)) {
    StreamCallbacks callbacks;
    callbacks.on_entity = [this](const StreamEntity& e) { entity(e); };
    callbacks.on_body = [this](std::string_view bytes) { body(bytes); };
    callbacks.on_defect = [this](std::string_view what) { defects.emplace_back(what); };
    parser = std::make_unique<StreamParser>(std::move(callbacks), options.parser);
  }

  void entity(const StreamEntity& e) {
    SpooledPart part;
    part.headers_ = e.headers;
    part.content_type_ = e.content_type;
    part.cte_ = std::string(e.transfer_encoding);
    part.depth_ = e.depth;
    part.message_ = e.message;
    part.leaf_ = e.leaf;
    while (!open.empty() && parts[open.back()].depth_ >= e.depth)
      open.pop_back();
    if (!open.empty()) part.parent_ = open.back();
    open.push_back(parts.size());
    parts.push_back(std::move(part));
  }

  void body(std::string_view bytes) {
    if (parts.empty() || !parts.back().leaf_) return;  // the parser sends bodies of leaves only
    SpooledPart& p = parts.back();
    p.size_ += bytes.size();
    if (p.spool_ == nullptr) {
      if (p.memory_.size() + bytes.size() <= options.spill_threshold &&
          memory_bytes + bytes.size() <= options.memory_limit) {
        p.memory_.append(bytes);
        memory_bytes += bytes.size();
        return;
      }
      spill(p);
    }
    spool->append(bytes);
  }

  // Moves what `p` holds in memory to the end of the temporary file.
  void spill(SpooledPart& p) {
    if (spool == nullptr) spool = std::make_shared<detail::SpoolFile>(options.temp_dir);
    p.spool_offset_ = spool->end();
    spool->append(p.memory_);
    memory_bytes -= p.memory_.size();
    std::string().swap(p.memory_);
    p.spool_ = spool;
  }
};

SpooledMessage::SpooledMessage(SpoolOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
SpooledMessage::~SpooledMessage() = default;
SpooledMessage::SpooledMessage(SpooledMessage&&) noexcept = default;
SpooledMessage& SpooledMessage::operator=(SpooledMessage&&) noexcept = default;

SpooledMessage SpooledMessage::parse_file(const std::string& path, SpoolOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, fmt::format("mime: cannot open {}", path));
  SpooledMessage message(std::move(options));
  std::string chunk(64 * 1024, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n > 0) message.feed(std::string_view(chunk.data(), n));
  }
  if (in.bad()) throw Error(Errc::io, fmt::format("mime: cannot read {}", path));
  message.finish();
  return message;
}

void SpooledMessage::feed(std::string_view bytes) {
  if (!impl_ || !impl_->parser) throw Error(Errc::usage, "mime: feed() after finish()");
  impl_->parser->feed(bytes);
}

void SpooledMessage::finish() {
  if (!impl_ || !impl_->parser) throw Error(Errc::usage, "mime: finish() called twice");
  impl_->parser->finish();
  impl_->parser.reset();
  impl_->open.clear();
  if (impl_->spool != nullptr) impl_->spool->flush();
}

const std::vector<SpooledPart>& SpooledMessage::parts() const noexcept {
  static const std::vector<SpooledPart> none;
  return impl_ ? impl_->parts : none;
}

const SpooledPart& SpooledMessage::root() const {
  if (parts().empty()) throw Error(Errc::usage, "mime: the message has no parts yet");
  return parts().front();
}

std::vector<const SpooledPart*> SpooledMessage::attachments() const {
  std::vector<const SpooledPart*> out;
  for (const SpooledPart& p : parts()) {
    if (p.is_leaf() && detail::is_attachment(p.headers(), p.content_type())) out.push_back(&p);
  }
  return out;
}

const std::vector<std::string>& SpooledMessage::defects() const noexcept {
  static const std::vector<std::string> none;
  return impl_ ? impl_->defects : none;
}

std::size_t SpooledMessage::memory_bytes() const noexcept {
  return impl_ ? impl_->memory_bytes : 0;
}

}  // namespace mailwire::mime
