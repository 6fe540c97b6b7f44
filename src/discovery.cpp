#include <mailwire/discovery.hpp>
#include <mailwire/error.hpp>

#include <fmt/format.h>

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace mailwire {

SrvResolver::~SrvResolver() = default;

std::vector<SrvRecord> SystemSrvResolver::lookup(const std::string& name) {
  struct __res_state state;
  std::memset(&state, 0, sizeof state);
  if (res_ninit(&state) != 0) throw Error(Errc::connect, "dns: cannot initialise the resolver");
  std::vector<unsigned char> answer(64 * 1024);
  const int len = res_nquery(&state, name.c_str(), ns_c_in, ns_t_srv, answer.data(),
                             static_cast<int>(answer.size()));
  const int herr = state.res_h_errno;
  res_nclose(&state);
  std::vector<SrvRecord> out;
  if (len < 0) {
    if (herr == HOST_NOT_FOUND || herr == NO_DATA) return out;
    throw Error(Errc::connect,
                fmt::format("dns: SRV look-up of {} failed: {}", name, hstrerror(herr)));
  }
  ns_msg msg;
  if (ns_initparse(answer.data(), len, &msg) != 0) {
    throw Error(Errc::protocol, fmt::format("dns: malformed answer for {}", name));
  }
  const int count = ns_msg_count(msg, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_srv) continue;
    if (ns_rr_rdlen(rr) < 7) continue;
    const unsigned char* rd = ns_rr_rdata(rr);
    SrvRecord record;
    record.priority = static_cast<std::uint16_t>(ns_get16(rd));
    record.weight = static_cast<std::uint16_t>(ns_get16(rd + 2));
    record.port = static_cast<std::uint16_t>(ns_get16(rd + 4));
    char target[NS_MAXDNAME];
    if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, target, sizeof target) < 0) continue;
    record.target = target[0] == '\0' ? "." : target;
    out.push_back(std::move(record));
  }
  return out;
}

namespace {

std::optional<ServerEndpoint> best(SrvResolver& resolver, const std::string& name,
                                   Security security) {
  std::vector<SrvRecord> records = resolver.lookup(name);
  if (records.empty()) return std::nullopt;
  std::sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
  });
  const SrvRecord& top = records.front();
  if (top.target == "." || top.target.empty() || top.port == 0) return std::nullopt;
  std::string host = top.target;
  if (host.back() == '.') host.pop_back();
  return ServerEndpoint{host, top.port, security};
}

}  // namespace

DiscoveredSettings discover_settings(std::string_view address, SrvResolver& resolver) {
  const std::size_t at = address.rfind('@');
  std::string domain(at == std::string_view::npos ? address : address.substr(at + 1));
  for (char& c : domain)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!domain.empty() && domain.back() == '.')
    domain.pop_back();
  if (domain.empty() || domain.find_first_of(" \t\r\n/\\") != std::string::npos) {
    throw Error(Errc::usage, "discovery: no domain in the address");
  }
  const auto pick = [&](const char* tls_service, const char* starttls_service) {
    auto found = best(resolver, fmt::format("_{}._tcp.{}", tls_service, domain), Security::Tls);
    if (!found) {
      found =
          best(resolver, fmt::format("_{}._tcp.{}", starttls_service, domain), Security::StartTls);
    }
    return found;
  };
  DiscoveredSettings out;
  out.smtp = pick("submissions", "submission");
  out.imap = pick("imaps", "imap");
  out.pop3 = pick("pop3s", "pop3");
  return out;
}

}  // namespace mailwire
