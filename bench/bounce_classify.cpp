// Delivery reports classified per second: every file of the given folders (or files) is read
// into memory once, then each round parses every message and reads its report
// (mime::DeliveryReport::from_message). Prints one line per round and the median:
//   mailwire_bounce_classify [--rounds N] [--parse-only] PATH...
// (--parse-only: the MIME parse alone, to see what the report reading adds)
//   round 1: 397 reports in 0.0123 s = 32276 reports/s
//   median: 32100 reports/s (397 reports, 5 rounds, 120 recipients)

#include <mailwire/mime/delivery_report.hpp>
#include <mailwire/mime/message.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  int rounds = 5;
  bool parse_only = false;
  std::vector<std::string> messages;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--parse-only") {
      parse_only = true;
      continue;
    }
    if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
      continue;
    }
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.emplace_back(a);
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      messages.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (messages.empty()) {
    std::fprintf(stderr, "usage: mailwire_bounce_classify [--rounds N] [--parse-only] PATH...\n");
    return 2;
  }
  std::vector<double> rates, cpu_rates;
  std::size_t recipients = 0;
  for (int r = 0; r < rounds; ++r) {
    recipients = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    for (const std::string& bytes : messages) {
      const auto m = mailwire::mime::Message::parse_view(bytes);
      if (parse_only) {
        recipients += m.entities().size();
        continue;
      }
      recipients += mailwire::mime::DeliveryReport::from_message(m).recipients.size();
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    rates.push_back(static_cast<double>(messages.size()) / s);
    cpu_rates.push_back(static_cast<double>(messages.size()) / cpu);
    std::printf("round %d: %zu reports in %.4f s = %.0f reports/s (%.0f per CPU second)\n", r + 1,
                messages.size(), s, rates.back(), cpu_rates.back());
  }
  std::sort(rates.begin(), rates.end());
  std::sort(cpu_rates.begin(), cpu_rates.end());
  std::printf(
      "median: %.0f reports/s, %.0f per CPU second (%zu reports, %d rounds, %zu recipients)\n",
      rates[rates.size() / 2], cpu_rates[cpu_rates.size() / 2], messages.size(), rounds,
      recipients);
  return 0;
}
