// Text helpers and the phrase table that classifies a failure from its wording.
//
// The phrase table is data: each row is a lower-case fragment and the reason it signals. Rows
// are tried in order, so a specific wording ("mailbox full") comes before a general one
// ("mailbox"). To teach the reader a new server's wording, add a row.

#include "mime/bounce/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>

namespace mailwire::mime::bounce {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_local_char(char c) {
  // (strchr finds the terminating NUL too: a NUL is no local-part character.)
  return is_alpha(c) || is_digit(c) ||
         (c != '\0' && std::strchr("!#$%&'*+-/=?^_`{|}~.", c) != nullptr);
}
bool is_domain_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.';
}

struct Phrase {
  const char* text;
  BounceReason reason;
  bool strong = false;  // wins over the reason a status code suggests
};

using R = BounceReason;

// Wordings seen in bounces, lower case, most specific first.
constexpr Phrase kPhrases[] = {
    // About the sender, the sending host or the content, whatever the status code says.
    {"domain of sender address", R::Rejected, true},
    {"sender address rejected", R::Rejected, true},
    {"sender rejected", R::Rejected, true},
    {"sender verify failed", R::Rejected, true},
    {"recipient preferences", R::Rejected, true},
    {"too many recipients this hour", R::Blocked, true},
    {"frequency limited", R::Blocked, true},
    {"rate limit", R::Blocked, true},
    {"group you tried to contact", R::Rejected, true},
    // Authentication of the sender: SPF, DKIM, DMARC.
    {"dmarc", R::AuthFailure},
    {"spf check", R::AuthFailure},
    {"spf fail", R::AuthFailure},
    {"spf validation", R::AuthFailure},
    {"sender policy framework", R::AuthFailure},
    {"dkim", R::AuthFailure},
    {"unauthenticated email", R::AuthFailure},
    {"authentication required", R::AuthFailure},
    {"not authorized to send", R::AuthFailure},
    // Size.
    {"message too large", R::TooLarge},
    {"message is too large", R::TooLarge},
    {"message size exceeds", R::TooLarge},
    {"size exceeds", R::TooLarge},
    {"exceeds the maximum", R::TooLarge},
    {"exceeded the maximum size", R::TooLarge},
    {"message too big", R::TooLarge},
    {"message length exceeds", R::TooLarge},
    {"too big for the system", R::TooLarge},
    // Disabled or suspended mailboxes: the address exists and may come back.
    {"account is disabled", R::Other},
    {"account has been disabled", R::Other},
    {"mailbox is disabled", R::Other},
    {"has been disabled", R::Other},
    {"account is inactive", R::Other},
    {"mailbox is inactive", R::Other},
    {"suspended", R::Other},
    {"disabled", R::Other},
    // Full mailboxes.
    {"mailbox full", R::MailboxFull},
    {"mailbox is full", R::MailboxFull},
    {"mailbox has exceeded", R::MailboxFull},
    {"mailbox size limit", R::MailboxFull},
    {"mailbox would exceed", R::MailboxFull},
    {"over quota", R::MailboxFull},
    {"overquota", R::MailboxFull},
    {"over the quota", R::MailboxFull},
    {"quota exceeded", R::MailboxFull},
    {"exceeded storage", R::MailboxFull},
    {"exceeded its quota", R::MailboxFull},
    {"exceeds quota", R::MailboxFull},
    {"quota full", R::MailboxFull},
    {"disk quota", R::MailboxFull},
    {"insufficient storage", R::MailboxFull},
    {"not enough storage", R::MailboxFull},
    {"user over", R::MailboxFull},
    {"inbox is full", R::MailboxFull},
    {"recipient's mailbox is full", R::MailboxFull},
    {"mailbox exceeded", R::MailboxFull},
    {"is over its", R::MailboxFull},
    {"out of storage", R::MailboxFull},
    // ... in German, French, Spanish, Italian, Portuguese and Dutch.
    {"postfach voll", R::MailboxFull},
    {"postfach ist voll", R::MailboxFull},
    {"speicherplatz", R::MailboxFull},
    {"boîte aux lettres pleine", R::MailboxFull},
    {"boite aux lettres pleine", R::MailboxFull},
    {"boîte pleine", R::MailboxFull},
    {"buzón lleno", R::MailboxFull},
    {"buzon lleno", R::MailboxFull},
    {"casella piena", R::MailboxFull},
    {"casella di posta piena", R::MailboxFull},
    {"caixa postal cheia", R::MailboxFull},
    {"caixa de correio cheia", R::MailboxFull},
    {"mailbox is vol", R::MailboxFull},
    {"postvak is vol", R::MailboxFull},
    {"容量超過", R::MailboxFull},
    {"容量オーバー", R::MailboxFull},
    // Unknown domains, before the general wording of unknown users ("does not exist").
    {"domain does not exist", R::HostUnknown},
    {"domain not found", R::HostUnknown},
    {"no such domain", R::HostUnknown},
    {"domain name not found", R::HostUnknown},
    {"unknown domain", R::HostUnknown},
    {"find any host", R::HostUnknown},
    {"nonexistent domain", R::HostUnknown},
    {"non-existent domain", R::HostUnknown},
    {"no such host", R::HostUnknown},
    // Unknown users.
    {"user unknown", R::UserUnknown},
    {"benutzer unbekannt", R::UserUnknown},
    {"unbekannter benutzer", R::UserUnknown},
    {"empfänger unbekannt", R::UserUnknown},
    {"unbekannter empfänger", R::UserUnknown},
    {"utilisateur inconnu", R::UserUnknown},
    {"destinataire inconnu", R::UserUnknown},
    {"adresse inconnue", R::UserUnknown},
    {"usuario desconocido", R::UserUnknown},
    {"destinatario desconocido", R::UserUnknown},
    {"utente sconosciuto", R::UserUnknown},
    {"destinatario sconosciuto", R::UserUnknown},
    {"usuário desconhecido", R::UserUnknown},
    {"usuario desconhecido", R::UserUnknown},
    {"utilizador desconhecido", R::UserUnknown},
    {"onbekende gebruiker", R::UserUnknown},
    {"gebruiker onbekend", R::UserUnknown},
    {"宛先不明", R::UserUnknown},
    {"存在しません", R::UserUnknown},
    {"unknown user", R::UserUnknown},
    {"user not found", R::UserUnknown},
    {"unknown recipient", R::UserUnknown},
    {"recipient unknown", R::UserUnknown},
    {"recipient not found", R::UserUnknown},
    {"recipient name is not recognized", R::UserUnknown},
    {"no such user", R::UserUnknown},
    {"no such mailbox", R::UserUnknown},
    {"no such recipient", R::UserUnknown},
    {"no such address", R::UserUnknown},
    {"no mailbox", R::UserUnknown},
    {"mailbox not found", R::UserUnknown},
    {"mailbox unavailable", R::UserUnknown},
    {"mailbox does not exist", R::UserUnknown},
    {"mailbox doesn't exist", R::UserUnknown},
    {"address does not exist", R::UserUnknown},
    {"address doesn't exist", R::UserUnknown},
    {"account does not exist", R::UserUnknown},
    {"account that you tried to reach does not exist", R::UserUnknown},
    {"does not exist", R::UserUnknown},
    {"doesn't exist", R::UserUnknown},
    {"couldn't be found", R::UserUnknown},
    {"could not be found", R::UserUnknown},
    {"doesn't have a", R::UserUnknown},
    {"invalid recipient", R::UserUnknown},
    {"invalid mailbox", R::UserUnknown},
    {"invalid address", R::UserUnknown},
    {"invalid final delivery userid", R::UserUnknown},
    {"unknown address", R::UserUnknown},
    {"unknown local part", R::UserUnknown},
    {"unknown or illegal alias", R::UserUnknown},
    {"not a valid mailbox", R::UserUnknown},
    {"no valid recipients", R::UserUnknown},
    {"unrouteable address", R::UserUnknown},
    {"unroutable address", R::UserUnknown},
    {"user doesn't have", R::UserUnknown},
    {"addressee unknown", R::UserUnknown},
    {"not our customer", R::UserUnknown},
    {"no longer available", R::UserUnknown},
    {"no longer valid", R::UserUnknown},
    {"is not a known user", R::UserUnknown},
    {"recipient address rejected: user", R::UserUnknown},
    {"recipient address rejected: undeliverable", R::UserUnknown},
    {"recipient address rejected: access denied", R::Rejected},
    {"undeliverable address", R::UserUnknown},
    {"user is unknown", R::UserUnknown},
    {"said: 550 5.1.1", R::UserUnknown},
    {"not listed in", R::UserUnknown},
    {"bad destination mailbox", R::UserUnknown},
    {"no such person", R::UserUnknown},
    {"no such account", R::UserUnknown},
    {"unknown mailbox", R::UserUnknown},
    {"mailbox unknown", R::UserUnknown},
    {"address unknown", R::UserUnknown},
    {"user does not exist", R::UserUnknown},
    {"recipient does not exist", R::UserUnknown},
    {"account not found", R::UserUnknown},
    {"not a valid user", R::UserUnknown},
    {"user not known", R::UserUnknown},
    {"no account by that name", R::UserUnknown},
    {"recipnotfound", R::UserUnknown},
    {"no longer on server", R::UserUnknown},
    {"no such local user", R::UserUnknown},
    {"unknown local user", R::UserUnknown},
    {"user was not found", R::UserUnknown},
    {"recipient was not found", R::UserUnknown},
    {"address was not found", R::UserUnknown},
    {"mailbox was not found", R::UserUnknown},
    {"invalid e-mail address", R::UserUnknown},
    {"invalid email address", R::UserUnknown},
    {"not a valid e-mail address", R::UserUnknown},
    {"not a valid email address", R::UserUnknown},
    {"is not exist", R::UserUnknown},
    {"has moved", R::UserUnknown},
    {"moved", R::UserUnknown},
    // Unknown hosts.
    {"host not found, try again", R::Network},
    {"dns lookup failure", R::HostUnknown},
    {"host unknown", R::HostUnknown},
    {"unknown host", R::HostUnknown},
    {"host not found", R::HostUnknown},
    {"name or service not known", R::HostUnknown},
    {"name service error", R::HostUnknown},
    {"unrouteable mail domain", R::HostUnknown},
    {"domain is not", R::HostUnknown},
    {"null mx", R::HostUnknown},
    {"no smtp service", R::HostUnknown},
    {"does not accept mail", R::HostUnknown},
    {"no mx", R::HostUnknown},
    {"dns error", R::HostUnknown},
    {"nxdomain", R::HostUnknown},
    {"unresolvable", R::HostUnknown},
    {"could not resolve", R::HostUnknown},
    {"no mx record", R::HostUnknown},
    {"all relevant mx records point to non-existent hosts", R::HostUnknown},
    // Relaying.
    {"relay access denied", R::RelayDenied},
    {"relaying denied", R::RelayDenied},
    {"relay denied", R::RelayDenied},
    {"relay not permitted", R::RelayDenied},
    {"not permitted to relay", R::RelayDenied},
    {"unable to relay", R::RelayDenied},
    {"we do not relay", R::RelayDenied},
    {"relaying", R::RelayDenied},
    // Expiry (a connection that timed out is a network failure, not an expired message).
    {"connection timed out", R::Network},
    {"retry timeout exceeded", R::Expired},
    {"retry time not reached", R::Expired},
    {"too long in queue", R::Expired},
    {"in the queue too long", R::Expired},
    {"delivery time expired", R::Expired},
    {"has been delayed", R::Expired},
    {"not yet been delivered", R::Expired},
    {"could not be delivered for", R::Expired},
    {"giving up", R::Expired},
    {"given up", R::Expired},
    {"expired", R::Expired},
    {"timed out", R::Expired},
    {"timeout", R::Expired},
    // Spam and viruses.
    {"virus", R::Spam},
    {"spam", R::Spam},
    {"junk mail", R::Spam},
    {"bulk mail", R::Spam},
    {"content rejected", R::Spam},
    // Blocks of the sending host.
    {"blocklist", R::Blocked},
    {"blacklist", R::Blocked},
    {"block list", R::Blocked},
    {"black list", R::Blocked},
    {"blocked", R::Blocked},
    {"spamhaus", R::Blocked},
    {"listed", R::Blocked},
    {"reverse dns", R::Blocked},
    {"ptr record", R::Blocked},
    {"no ptr", R::Blocked},
    {"rdns", R::Blocked},
    {"reputation", R::Blocked},
    {"too many connections", R::Blocked},
    {"rate limit", R::Blocked},
    {"use the smtp server of your isp", R::Blocked},
    {"smtp server of your isp", R::Blocked},
    {"dynamic ip", R::Blocked},
    {"ip address", R::Blocked},
    {"client host rejected", R::Blocked},
    {"was rejected", R::Blocked},
    {"my name was rejected", R::Blocked},
    {"access denied", R::Blocked},
    // Policy.
    {"policy", R::Policy},
    {"not accepted", R::Policy},
    {"prohibited", R::Policy},
    // Network.
    {"connection refused", R::Network},
    {"connection reset", R::Network},
    {"connection timed", R::Network},
    {"network is unreachable", R::Network},
    {"no route to host", R::Network},
    {"mail loop", R::Network},
    {"loops back", R::Network},
    {"too many hops", R::Network},
    {"routing loop", R::Network},
    {"forwarding loop", R::Network},
    {"hop count exceeded", R::Network},
    {"temporary failure", R::Network},
    // System.
    {"system error", R::System},
    {"internal error", R::System},
    {"local configuration error", R::System},
    {"service unavailable", R::System},
    {"system config", R::System},
    {"mail system full", R::System},
    {"insufficient system storage", R::System},
    // Rejections in general.
    {"rejected", R::Rejected},
    {"refused", R::Rejected},
    {"denied", R::Rejected},
    {"not allowed", R::Rejected},
    {"filtered", R::Rejected},
    {"sender address", R::Rejected},
};

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool icontains(std::string_view hay, std::string_view needle) noexcept {
  if (needle.empty()) return true;
  if (hay.size() < needle.size()) return false;
  const char first = needle[0];
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    char c = hay[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != first) continue;
    std::size_t j = 1;
    for (; j < needle.size(); ++j) {
      char d = hay[i + j];
      if (d >= 'A' && d <= 'Z') d = static_cast<char>(d - 'A' + 'a');
      if (d != needle[j]) break;
    }
    if (j == needle.size()) return true;
  }
  return false;
}

std::vector<FoundAddress> find_addresses(std::string_view text) {
  std::vector<FoundAddress> out;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = text.find('@', from);
    if (at == std::string_view::npos) break;
    from = at + 1;
    std::size_t b = at;
    while (b > 0 && is_local_char(text[b - 1]))
      --b;
    // A quote mark with no letter before it opens a quotation ("550-'a@b..."): the address
    // starts after it (a quote after a letter, as in o'brien@, is part of the name).
    for (std::size_t q = at; q > b; --q) {
      if ((text[q - 1] == '\'' || text[q - 1] == '`') && (q - 1 == b || !is_alpha(text[q - 2]))) {
        b = q;
        break;
      }
    }
    while (b < at && text[b] == '.')
      ++b;
    std::size_t e = at + 1;
    while (e < text.size() && is_domain_char(text[e]))
      ++e;
    while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-'))
      --e;
    if (b == at || e == at + 1) continue;
    const std::string_view domain = text.substr(at + 1, e - at - 1);
    // A domain without a dot ("root@localhost") only in angle brackets, where it is surely
    // an address.
    if (domain.find('.') == std::string_view::npos &&
        !(b > 0 && text[b - 1] == '<' && e < text.size() && text[e] == '>'))
      continue;
    if (domain.front() == '.' || domain.find("..") != std::string_view::npos) continue;
    std::string address(text.substr(b, at - b));
    address += '@';
    address += lower(domain);
    out.push_back({std::move(address), b});
    from = e;
  }
  return out;
}

std::string address_in(std::string_view value) {
  const std::size_t semi = value.find(';');
  if (semi != std::string_view::npos && value.substr(0, semi).find('@') == std::string_view::npos)
    value.remove_prefix(semi + 1);
  const auto found = find_addresses(value);
  if (!found.empty()) return found.front().address;
  const std::string_view t = trim(value);
  if (t.empty() || t.size() > 320) return {};
  std::string s(t);
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '<' || c == '>'; }), s.end());
  return std::string(trim(s));
}

namespace {

// The first enhanced status code of class `classes` ("45" or "2") in `text`.
std::string first_status(std::string_view text, std::string_view classes = "245") {
  for (std::size_t i = 0; i + 5 <= text.size(); ++i) {
    const char c = text[i];
    if (classes.find(c) == std::string_view::npos) continue;
    if (i > 0 && (is_digit(text[i - 1]) || text[i - 1] == '.' || is_alpha(text[i - 1]))) continue;
    if (text[i + 1] != '.') continue;
    std::size_t j = i + 2;
    std::size_t n = 0;
    while (j < text.size() && is_digit(text[j]) && n < 4) {
      ++j;
      ++n;
    }
    if (n == 0 || n > 3 || j >= text.size() || text[j] != '.') continue;
    ++j;
    n = 0;
    while (j < text.size() && is_digit(text[j]) && n < 4) {
      ++j;
      ++n;
    }
    if (n == 0 || n > 3) continue;
    if (j < text.size() && (is_digit(text[j]) || is_alpha(text[j]))) continue;
    if (j + 1 < text.size() && text[j] == '.' && is_digit(text[j + 1])) continue;
    return std::string(text.substr(i, j - i));
  }
  return {};
}

}  // namespace

namespace {

// Where a reply code followed by an enhanced status code of its class ("550 5.1.1",
// "550-5.7.1", "550-'5.7.1 ...'") starts in `text`, the status's offset in `status_at`; npos
// when there is none. That is the remote server's own reply, quoted by the report.
std::size_t remote_reply_at(std::string_view text, std::size_t& status_at, std::string& status) {
  for (std::size_t i = 0; i + 9 <= text.size(); ++i) {
    if ((text[i] == '4' || text[i] == '5') && is_digit(text[i + 1]) && is_digit(text[i + 2]) &&
        (text[i + 3] == ' ' || text[i + 3] == '-') && (i == 0 || !is_digit(text[i - 1]))) {
      // The reply may be quoted.
      const std::size_t at = i + 4 + ((text[i + 4] == '\'' || text[i + 4] == '"') ? 1 : 0);
      if (at + 1 >= text.size() || text[at] != text[i] || text[at + 1] != '.') continue;
      std::string s = first_status(text.substr(at, 12));
      if (!s.empty() && text.compare(at, s.size(), s) == 0) {
        status_at = at;
        status = std::move(s);
        return i;
      }
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string find_status(std::string_view text) {
  // The code the remote server gave with its reply, else the first one.
  std::size_t at = 0;
  std::string s;
  if (remote_reply_at(text, at, s) != std::string_view::npos) return s;
  // A failure's code wins over the 2.x.x codes of a transcript before it.
  s = first_status(text, "45");
  return s.empty() ? first_status(text, "2") : s;
}

std::string find_reply_code(std::string_view text) {
  // A failure's reply (4xx, 5xx) wins over the 2xx replies of a transcript before it.
  std::string success;
  for (std::size_t i = 0; i + 3 <= text.size(); ++i) {
    const char c = text[i];
    if (c != '2' && c != '4' && c != '5') continue;
    if (!is_digit(text[i + 1]) || !is_digit(text[i + 2])) continue;
    if (text[i + 1] > '5') continue;
    if (i > 0) {
      const char p = text[i - 1];
      if (!(p == ' ' || p == '\n' || p == '\t' || p == ':' || p == '(' || p == '<' || p == '#' ||
            p == '"' || p == '['))
        continue;
    }
    const std::size_t j = i + 3;
    if (j < text.size()) {
      const char n = text[j];
      if (!(n == ' ' || n == '-' || n == '\r' || n == '\n' || n == ')' || n == ']' || n == ','))
        continue;
      // "550 5.1.1", "550-5.1.1", "550 Mailbox ...", "550 <a@b>": text after it.
      std::size_t k = j + 1;
      while (k < text.size() && text[k] == ' ')
        ++k;
      if (k < text.size() && is_digit(text[k]) && (k + 1 >= text.size() || text[k + 1] != '.') &&
          !(k + 2 < text.size() && is_digit(text[k + 1]) && is_digit(text[k + 2])))
        continue;
      if (n == ' ' && j + 1 < text.size() && is_digit(text[j + 1]) && j + 2 < text.size() &&
          is_digit(text[j + 2]) && j + 3 < text.size() && is_digit(text[j + 3]) &&
          j + 4 < text.size() && text[j + 4] == ' ') {
        // "554 554 5.7.0": a doubled code is still a code.
      }
    }
    if (c != '2') return std::string(text.substr(i, 3));
    if (success.empty()) success = std::string(text.substr(i, 3));
  }
  return success;
}

char infer_class(std::string_view reply_code, std::string_view text, std::string_view action) {
  if (!reply_code.empty() && (reply_code[0] == '4' || reply_code[0] == '5' || reply_code[0] == '2'))
    return reply_code[0];
  const std::string a = lower(action);
  if (a == "delayed") return '4';
  const std::string l = lower(text);
  const auto has = [&l](const char* w) { return l.find(w) != std::string::npos; };
  // Exim gives up on an address that failed temporarily until its retry limit.
  if (has("retry timeout exceeded")) return '4';
  if (a == "delivered" || a == "relayed" || a == "expanded") return '2';
  // The report says so itself.
  for (const char* w :
       {"permanent error", "permanent failure", "failed permanently", "permanent fatal error"}) {
    if (has(w)) return '5';
  }
  for (const char* w : {"temporar", "will retry", "will be retried", "deferred", "has been delayed",
                        "not yet been delivered", "try again later", "warning only",
                        "warning message only", "do not need to resend", "keep trying",
                        "continue trying", "still being retried", "will try again"}) {
    if (has(w)) return '4';
  }
  return '5';
}

std::string status_for(BounceReason reason, char cls) {
  const char* detail = ".0.0";
  switch (reason) {
    case R::UserUnknown:
      detail = ".1.1";
      break;
    case R::HostUnknown:
      detail = ".1.2";
      break;
    case R::MailboxFull:
      detail = ".2.2";
      break;
    case R::Expired:
      detail = ".4.7";
      break;
    case R::TooLarge:
      detail = ".3.4";
      break;
    case R::RelayDenied:
      detail = ".7.1";
      break;
    case R::Blocked:
      detail = ".7.1";
      break;
    case R::Spam:
      detail = ".7.1";
      break;
    case R::Policy:
      detail = ".7.1";
      break;
    case R::AuthFailure:
      detail = ".7.1";
      break;
    case R::Network:
      detail = ".4.0";
      break;
    case R::System:
      detail = ".3.0";
      break;
    case R::Delivered:
      detail = ".0.0";
      break;
    default:
      break;
  }
  return std::string(1, cls) + detail;
}

BounceReason reason_from_status(std::string_view status) {
  if (status.size() < 5) return R::Other;
  const std::string_view sd = status.substr(2);
  if (status[0] == '2') return R::Delivered;
  if (sd == "1.1" || sd == "1.0" || sd == "1.3" || sd == "1.6" || sd == "2.1") {
    // 5.2.1: mailbox disabled; readers treat it as a gone mailbox.
    return sd == "2.1" ? R::Other : R::UserUnknown;
  }
  if (sd == "1.2" || sd == "1.8" || sd == "1.10") return sd == "1.8" ? R::Rejected : R::HostUnknown;
  if (sd == "2.2" || sd == "2.0") return sd == "2.2" ? R::MailboxFull : R::Other;
  if (sd == "3.4" || sd == "2.3") return R::TooLarge;
  if (sd == "4.7") return R::Expired;
  if (sd == "4.4" && status[0] == '5') return R::HostUnknown;
  if (sd.substr(0, 2) == "4.") return R::Network;
  if (sd.substr(0, 2) == "3.") return R::System;
  if (sd == "7.1") return R::Rejected;
  if (sd == "7.23" || sd == "7.24" || sd == "7.25" || sd == "7.26" || sd == "7.27" ||
      sd == "7.20" || sd == "7.21" || sd == "7.22" || sd == "7.509" || sd == "7.7" || sd == "7.8" ||
      sd == "7.9" || sd == "7.6")
    return R::AuthFailure;
  if (sd.substr(0, 2) == "7.") return R::Policy;
  return R::Other;
}

namespace {

constexpr std::size_t kPhraseCount = sizeof kPhrases / sizeof kPhrases[0];

// The rows of the phrase table grouped by their first two bytes, in table order, with their
// lengths: built once.
struct PhraseIndex {
  std::vector<std::uint16_t> rows;    // row numbers, grouped by key, ascending in a group
  std::vector<std::uint32_t> start;   // group of key k: rows[start[k] .. start[k + 1])
  std::vector<std::uint16_t> length;  // strlen of each row
  static std::size_t key(char a, char b) {
    return static_cast<std::size_t>(static_cast<unsigned char>(a)) << 8 |
           static_cast<unsigned char>(b);
  }
  PhraseIndex() : start(65537, 0), length(kPhraseCount) {
    std::vector<std::vector<std::uint16_t>> groups(65536);
    for (std::size_t i = 0; i < kPhraseCount; ++i) {
      length[i] = static_cast<std::uint16_t>(std::strlen(kPhrases[i].text));
      groups[key(kPhrases[i].text[0], kPhrases[i].text[1])].push_back(
          static_cast<std::uint16_t>(i));
    }
    for (std::size_t k = 0; k < groups.size(); ++k) {
      start[k] = static_cast<std::uint32_t>(rows.size());
      rows.insert(rows.end(), groups[k].begin(), groups[k].end());
    }
    start[65536] = static_cast<std::uint32_t>(rows.size());
  }
};

// The earliest row of the table that occurs in `text` (its first 4 KiB), or nullptr: one pass
// over the text, comparing only the rows that start with the two bytes at hand.
const Phrase* phrase_in(std::string_view text) {
  static const PhraseIndex index;
  if (text.size() > 4096) text = text.substr(0, 4096);
  const std::string l = lower(text);
  std::size_t best = kPhraseCount;
  for (std::size_t i = 0; i + 1 < l.size(); ++i) {
    const std::size_t k = PhraseIndex::key(l[i], l[i + 1]);
    for (std::uint32_t j = index.start[k]; j < index.start[k + 1]; ++j) {
      const std::uint16_t row = index.rows[j];
      if (row >= best) break;
      const std::size_t n = index.length[row];
      if (n <= l.size() - i && std::memcmp(l.data() + i, kPhrases[row].text, n) == 0) {
        best = row;
        break;
      }
    }
    if (best == 0) break;
  }
  return best < kPhraseCount ? &kPhrases[best] : nullptr;
}

}  // namespace

BounceReason reason_from_text(std::string_view text) {
  const Phrase* p = phrase_in(text);
  return p != nullptr ? p->reason : R::Other;
}

// How much of the report's text the class of an inferred status is read from (its words about
// the whole report come first; a long report must not cost that much per recipient).
constexpr std::size_t kMaxInferText = 8 * 1024;

void complete_recipient(ReportRecipient& r, std::string_view context) {
  if (r.reply_code.empty()) r.reply_code = find_reply_code(r.diagnostic);
  const std::string_view text = r.diagnostic.empty() ? context : std::string_view(r.diagnostic);
  // A general status next to a precise one in the diagnostic: the precise one.
  std::string in_text = find_status(r.diagnostic);
  // A success code next to a failure's reply is a transcript's: it says nothing here.
  if (!in_text.empty() && in_text[0] == '2' && !r.reply_code.empty() && r.reply_code[0] != '2')
    in_text.clear();
  if (r.status.empty()) {
    r.status = in_text;
  } else if (!in_text.empty() && in_text[0] == r.status[0] && r.status.size() >= 5 &&
             (r.status.compare(1, 4, ".0.0") == 0 || r.status.compare(1, 4, ".4.7") == 0) &&
             in_text.compare(1, 4, ".0.0") != 0) {
    // x.0.0 says nothing and x.4.7 only that the MTA gave up: the remote reply says why.
    r.status = in_text;
  }
  const std::string a = lower(r.action);
  if (a == "delivered" || a == "relayed" || a == "expanded") {
    r.reason = R::Delivered;
    if (r.status.empty()) r.status = "2.0.0";
    r.hard = false;
    return;
  }
  // The remote server's own reply, when the report quotes one after its summary, says why.
  const Phrase* phrase = nullptr;
  {
    std::size_t at = 0;
    std::string s;
    const std::size_t reply = remote_reply_at(text, at, s);
    if (reply != std::string_view::npos && reply > 0) phrase = phrase_in(text.substr(reply));
  }
  if (phrase == nullptr) phrase = phrase_in(text);
  const BounceReason by_status = reason_from_status(r.status);
  // The text around the recipient's own lines may be about another recipient: it speaks only
  // when neither the recipient's lines nor its status code say anything.
  if (phrase == nullptr && text.data() != context.data() && by_status == R::Other)
    phrase = phrase_in(context);
  BounceReason reason = phrase != nullptr ? phrase->reason : R::Other;
  // A precise status code names the failure better than loose wording.
  if ((phrase == nullptr || !phrase->strong) &&
      (by_status == R::UserUnknown || by_status == R::MailboxFull || by_status == R::HostUnknown ||
       by_status == R::TooLarge || by_status == R::AuthFailure)) {
    if (reason == R::Other || reason == R::Rejected || reason == R::Blocked ||
        reason == R::Expired || reason == R::Policy)
      reason = by_status;
  }
  if (reason == R::Other) reason = by_status;
  // x.1.7 and x.1.8: the sender's address is bad, not the recipient's.
  if (r.status.size() >= 5 &&
      (r.status.compare(1, 4, ".1.7") == 0 || r.status.compare(1, 4, ".1.8") == 0))
    reason = R::Rejected;
  const char cls = !r.status.empty()
                       ? r.status[0]
                       : infer_class(r.reply_code, context.substr(0, kMaxInferText), r.action);
  if (r.status.empty()) r.status = status_for(reason, cls);
  if (r.action.empty()) r.action = cls == '4' ? "delayed" : cls == '2' ? "delivered" : "failed";
  if (cls == '2') reason = R::Delivered;
  r.reason = reason;
  r.hard = cls == '5' && (reason == R::UserUnknown || reason == R::HostUnknown);
}

}  // namespace mailwire::mime::bounce

namespace mailwire::mime {

BounceReason classify_failure(std::string_view status, std::string_view reply_code,
                              std::string_view text) {
  ReportRecipient r;
  r.status = std::string(status);
  r.reply_code = std::string(reply_code);
  r.diagnostic = std::string(text);
  bounce::complete_recipient(r, text);
  return r.reason;
}

}  // namespace mailwire::mime
