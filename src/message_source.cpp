// MessageSource: message bytes from memory, a file or a caller's callback, read in chunks.

#include <mailwire/error.hpp>
#include <mailwire/message_source.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace mailwire {

MessageSource::~MessageSource() = default;

namespace {

class BytesSource final : public MessageSource {
 public:
  explicit BytesSource(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  void rewind() override { at_ = 0; }
  std::size_t read(char* buffer, std::size_t capacity) override {
    const std::size_t n = std::min(capacity, bytes_.size() - at_);
    std::copy_n(bytes_.data() + at_, n, buffer);
    at_ += n;
    return n;
  }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

class FileSource final : public MessageSource {
 public:
  explicit FileSource(const std::string& path) : file_(std::fopen(path.c_str(), "rb")) {
    if (file_ == nullptr) throw Error(Errc::io, fmt::format("cannot open {}", path));
    std::fseek(file_, 0, SEEK_END);
    size_ = static_cast<std::uint64_t>(std::ftell(file_));
    std::rewind(file_);
  }
  ~FileSource() override { std::fclose(file_); }
  std::uint64_t size() const override { return size_; }
  void rewind() override { std::rewind(file_); }
  std::size_t read(char* buffer, std::size_t capacity) override {
    const std::size_t n = std::fread(buffer, 1, capacity, file_);
    if (n == 0 && std::ferror(file_) != 0) throw Error(Errc::io, "cannot read the message file");
    return n;
  }

 private:
  std::FILE* file_;
  std::uint64_t size_ = 0;
};

class CallbackSource final : public MessageSource {
 public:
  CallbackSource(std::uint64_t size, std::function<std::size_t(char*, std::size_t)> read)
      : size_(size), read_(std::move(read)) {}
  std::uint64_t size() const override { return size_; }
  void rewind() override {
    if (done_ > 0) {
      throw Error(Errc::usage, "a message from a read callback can be read once only");
    }
  }
  std::size_t read(char* buffer, std::size_t capacity) override {
    const std::size_t n = read_ ? read_(buffer, capacity) : 0;
    done_ += n;
    return n;
  }

 private:
  std::uint64_t size_;
  std::function<std::size_t(char*, std::size_t)> read_;
  std::uint64_t done_ = 0;
};

}  // namespace

std::unique_ptr<MessageSource> MessageSource::from_bytes(std::string_view bytes) {
  return std::make_unique<BytesSource>(bytes);
}

std::unique_ptr<MessageSource> MessageSource::from_file(const std::string& path) {
  return std::make_unique<FileSource>(path);
}

std::unique_ptr<MessageSource> MessageSource::from_callback(
    std::uint64_t size, std::function<std::size_t(char* buffer, std::size_t capacity)> read) {
  return std::make_unique<CallbackSource>(size, std::move(read));
}

}  // namespace mailwire
