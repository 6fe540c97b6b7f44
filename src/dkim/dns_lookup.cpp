// DKIM key records over DNS: TXT look-ups through glibc's resolver, in the style of the RFC
// 6186 SRV look-up (src/discovery.cpp).

#include <mailwire/dkim/verifier.hpp>

#include <fmt/format.h>

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cstring>

namespace mailwire::dkim {

KeyLookup::Answer DnsKeyLookup::lookup(const std::string& name, Deadline deadline) {
  Answer out;
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - Clock::now());
  if (left.count() <= 0) {
    out.temporary_failure = true;
    out.error = "key look-up timed out";
    return out;
  }
  struct __res_state state;
  std::memset(&state, 0, sizeof state);
  if (res_ninit(&state) != 0) {
    out.temporary_failure = true;
    out.error = "cannot initialise the resolver";
    return out;
  }
  // One try per server, each as long as the deadline allows (the resolver counts in seconds).
  state.retry = 1;
  state.retrans = static_cast<int>(std::min<std::int64_t>(left.count(), 30));
  std::vector<unsigned char> answer(64 * 1024);
  const int len = res_nquery(&state, name.c_str(), ns_c_in, ns_t_txt, answer.data(),
                             static_cast<int>(answer.size()));
  const int herr = state.res_h_errno;
  res_nclose(&state);
  if (len < 0) {
    if (herr == HOST_NOT_FOUND || herr == NO_DATA) return out;  // no record: no key
    out.temporary_failure = true;
    out.error = fmt::format("TXT look-up of {} failed: {}", name, hstrerror(herr));
    return out;
  }
  ns_msg msg;
  if (ns_initparse(answer.data(), len, &msg) != 0) {
    out.temporary_failure = true;
    out.error = fmt::format("malformed DNS answer for {}", name);
    return out;
  }
  const int count = ns_msg_count(msg, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_txt) continue;
    // A TXT record is one or more <length><bytes> strings, concatenated (RFC 6376 3.6.2.2).
    const unsigned char* p = ns_rr_rdata(rr);
    const unsigned char* end = p + ns_rr_rdlen(rr);
    std::string text;
    while (p < end) {
      const std::size_t n = *p++;
      if (n > static_cast<std::size_t>(end - p)) break;
      text.append(reinterpret_cast<const char*>(p), n);
      p += n;
    }
    out.records.push_back(std::move(text));
  }
  return out;
}

}  // namespace mailwire::dkim
