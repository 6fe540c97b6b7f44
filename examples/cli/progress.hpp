#pragma once

// A one-line progress bar on stderr, drawn only when stderr is a terminal and only for
// transfers large enough to be worth watching: of bytes (MB), or of items (`unit` given).

#include <cstdint>
#include <cstdio>
#include <string>

#include <unistd.h>

namespace mailwire::cli {

class ProgressBar {
 public:
  /// `label` names the transfer ("RETR 3"); bars appear for totals of at least `min_total`.
  explicit ProgressBar(std::string label, std::uint64_t min_total = 256 * 1024,
                       const char* unit = nullptr)
      : label_(std::move(label)),
        min_total_(min_total),
        unit_(unit),
        tty_(isatty(STDERR_FILENO) == 1) {}
  ~ProgressBar() { clear(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::uint64_t done, std::uint64_t total) {
    if (!tty_ || total < min_total_) return;
    const int percent = total == 0 ? 0 : static_cast<int>(done * 100 / total);
    if (percent == last_percent_ && drawn_) return;
    last_percent_ = percent;
    const int width = 30;
    const int filled = percent * width / 100;
    if (unit_ != nullptr) {
      std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% %llu/%llu %s", label_.c_str(), filled,
                   "##############################", width - filled, "", percent,
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   unit_);
    } else {
      std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% %.1f/%.1f MB", label_.c_str(), filled,
                   "##############################", width - filled, "", percent,
                   static_cast<double>(done) / 1e6, static_cast<double>(total) / 1e6);
    }
    std::fflush(stderr);
    drawn_ = true;
  }

  /// Erases the bar (before other output on the terminal); the next update() draws it again.
  void clear() {
    if (!drawn_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  std::string label_;
  std::uint64_t min_total_;
  const char* unit_;
  bool tty_;
  bool drawn_ = false;
  int last_percent_ = -1;
};

}  // namespace mailwire::cli
