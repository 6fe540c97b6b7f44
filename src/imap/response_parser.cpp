// Grammar of server responses (RFC 3501 section 9, RFC 9051 section 9) on top of WireDecoder.
// Leniency: extra spaces, NIL where a string is due, quoted numbers and missing resp-text are
// accepted because Exchange, Gmail and others send them; structural errors (unbalanced
// parentheses, bad literals, garbage where a token is due) are Errc::protocol.

#include "imap/response_parser.hpp"

#include <mailwire/imap/mailbox_name.hpp>

#include <array>
#include <atomic>

namespace mailwire::imap::detail {
namespace {

std::atomic<bool> fast_path_on{true};

class ResponseParser {
 public:
  ResponseParser(RawResponse& raw, std::string_view text, const ParserSettings& settings)
      : d_(raw, text, settings.limits), settings_(settings) {}

  WireDecoder& decoder() { return d_; }

  bool response(Response& out) {
    if (d_.accept('+')) {
      out.kind = ResponseKind::Continuation;
      d_.accept(' ');
      out.text.assign(d_.text());
      return true;
    }
    if (d_.accept('*')) {
      out.kind = ResponseKind::Untagged;
      if (!d_.sp()) return false;
      return response_data(out);
    }
    std::string_view tag;
    if (!d_.tag(tag) || !d_.sp()) return false;
    out.kind = ResponseKind::Tagged;
    out.tag.assign(tag);
    if (d_.accept_keyword("OK")) {
      out.status = Status::Ok;
    } else if (d_.accept_keyword("NO")) {
      out.status = Status::No;
    } else if (d_.accept_keyword("BAD")) {
      out.status = Status::Bad;
    } else {
      return d_.fail("expected OK, NO or BAD");
    }
    return resp_text(out);
  }

 private:
  // resp-text = ["[" resp-text-code "]" SP] text ; SP and text optional (lenient)
  bool resp_text(Response& out) {
    if (!d_.accept(' ')) {
      if (!d_.at_end()) return d_.fail("expected SP");
      return true;
    }
    d_.skip_spaces();
    if (d_.accept('[')) {
      std::string_view name;
      if (!d_.atom(name)) return false;
      std::size_t start = d_.pos();
      while (!d_.at_end() && d_.peek() != ']')
        d_.accept(d_.peek());
      std::size_t end = d_.pos();
      if (!d_.expect(']')) return false;
      std::string_view args = d_.slice(start, end);
      while (!args.empty() && args.front() == ' ')
        args.remove_prefix(1);
      parse_resp_text_code(name, args, out.code);
      d_.skip_spaces();
    }
    out.text.assign(d_.text());
    return true;
  }

  bool response_data(Response& out) {
    if (d_.peek() >= '0' && d_.peek() <= '9') {
      std::uint32_t n = 0;
      if (!d_.number(n) || !d_.sp()) return false;
      std::string_view kw;
      if (!d_.atom(kw)) return false;
      if (iequals(kw, "FETCH")) {  // first: thousands of them in a row
        FetchData& f = out.data.emplace<FetchData>();
        f.seq = n;
        if (!d_.sp() || !msg_att(f)) return false;
      } else if (iequals(kw, "EXISTS")) {
        out.data = ExistsData{n};
      } else if (iequals(kw, "RECENT")) {
        out.data = RecentData{n};
      } else if (iequals(kw, "EXPUNGE")) {
        out.data = ExpungeData{n};
      } else {
        std::string raw(d_.slice(2, d_.pos()));
        raw += d_.text();
        out.data = UnknownData{to_upper(kw), std::move(raw)};
        return true;
      }
      return end();
    }
    std::size_t start = d_.pos();
    std::string_view kw;
    if (!d_.atom(kw)) return false;
    std::string name = to_upper(kw);
    if (name == "OK" || name == "NO" || name == "BAD" || name == "BYE" || name == "PREAUTH") {
      out.status = name == "OK"    ? Status::Ok
                   : name == "NO"  ? Status::No
                   : name == "BAD" ? Status::Bad
                   : name == "BYE" ? Status::Bye
                                   : Status::Preauth;
      return resp_text(out);
    }
    bool ok = false;
    if (name == "CAPABILITY") {
      std::vector<std::string> atoms;
      ok = atom_list(atoms);
      out.data = CapabilitySet(std::move(atoms));
    } else if (name == "ENABLED") {
      EnabledData e;
      ok = atom_list(e.capabilities);
      out.data = std::move(e);
    } else if (name == "FLAGS") {
      FlagsData f;
      ok = d_.sp() && d_.flag_list(f.flags);
      out.data = std::move(f);
    } else if (name == "LIST" || name == "LSUB") {
      ListData l;
      l.lsub = name == "LSUB";
      ok = mailbox_list(l);
      out.data = std::move(l);
    } else if (name == "STATUS") {
      StatusData s;
      ok = status(s);
      out.data = std::move(s);
    } else if (name == "SEARCH" || name == "SORT") {
      SearchData s;
      ok = search(s);
      out.data = std::move(s);
    } else if (name == "ESEARCH") {
      ESearchData s;
      ok = esearch(s);
      out.data = std::move(s);
    } else if (name == "VANISHED") {
      VanishedData v;
      ok = vanished(v);
      out.data = std::move(v);
    } else if (name == "NAMESPACE") {
      NamespaceData ns;
      ok = d_.sp() && namespaces(ns.personal) && d_.sp() && namespaces(ns.other_users) && d_.sp() &&
           namespaces(ns.shared);
      out.data = std::move(ns);
    } else if (name == "QUOTA") {
      QuotaData q;
      ok = quota(q);
      out.data = std::move(q);
    } else if (name == "QUOTAROOT") {
      QuotaRootData q;
      ok = quota_root(q);
      out.data = std::move(q);
    } else if (name == "ID") {
      IdData id;
      ok = id_response(id);
      out.data = std::move(id);
    } else {
      // Unknown response (XLIST, METADATA, ...): keep its text raw. Literals it carries
      // were read within limits and are dropped.
      std::string raw(d_.slice(start, d_.pos()));
      raw += d_.text();
      out.data = UnknownData{name, std::move(raw)};
      return true;
    }
    return ok && end();
  }

  bool end() {
    d_.skip_spaces();
    if (!d_.ok()) return false;
    if (!d_.at_end()) return d_.fail("unexpected data at end of response");
    return true;
  }

  bool atom_list(std::vector<std::string>& out) {
    while (d_.accept_sp()) {
      if (d_.at_end()) break;
      std::string_view a;
      if (!d_.atom(a) || !d_.count_item()) return false;
      out.emplace_back(a);
    }
    return d_.ok();
  }

  bool mailbox(std::string& decoded, std::string* raw = nullptr) {
    std::string wire;
    if (!d_.astring(wire)) return false;
    if (iequals(wire, "INBOX")) wire = "INBOX";
    if (raw != nullptr) *raw = wire;
    if (settings_.utf8) {
      decoded = std::move(wire);
      return true;
    }
    // A name that is not valid modified UTF-7 is kept as sent (servers without UTF-7
    // support send raw 8-bit names); callers still have the wire form.
    auto utf8 = decode_mailbox_utf7(wire);
    decoded = utf8 ? std::move(*utf8) : std::move(wire);
    return true;
  }

  bool delimiter(char& out) {
    if (d_.nil()) {
      out = 0;
      return true;
    }
    std::string s;
    if (!d_.quoted(s)) return false;
    if (s.size() > 1) return d_.fail("delimiter must be one character");
    out = s.empty() ? '\0' : s[0];  // "" instead of NIL: seen from a few servers
    return true;
  }

  // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
  //                [SP mbox-list-extended]
  bool mailbox_list(ListData& l) {
    if (!d_.sp() || !d_.flag_list(l.attributes) || !d_.sp() || !delimiter(l.delimiter) ||
        !d_.sp() || !mailbox(l.mailbox, &l.raw_mailbox)) {
      return false;
    }
    if (d_.accept_sp() && d_.peek() == '(') {
      return d_.list([&] {
        std::string tag;
        if (!d_.astring(tag) || !d_.sp()) return false;
        std::string upper = to_upper(tag);
        if (upper == "CHILDINFO") {
          return d_.list([&] {
            std::string v;
            if (!d_.astring(v)) return false;
            l.child_info.push_back(std::move(v));
            return true;
          });
        }
        if (upper == "OLDNAME") {
          bool paren = d_.accept('(');
          std::string old;
          if (!mailbox(old)) return false;
          if (paren && !d_.expect(')')) return false;
          l.old_name = std::move(old);
          return true;
        }
        std::size_t start = d_.pos();
        if (!d_.skip_value()) return false;
        l.extended.emplace_back(std::move(tag), std::string(d_.slice(start, d_.pos())));
        return true;
      });
    }
    return d_.ok();
  }

  bool status(StatusData& s) {
    if (!d_.sp() || !mailbox(s.mailbox) || !d_.sp()) return false;
    return d_.list([&] {
      std::string_view att;
      if (!d_.atom(att) || !d_.sp()) return false;
      std::string a = to_upper(att);
      if (a == "APPENDLIMIT") {  // RFC 7889: a number, or NIL for no limit
        if (d_.nil()) return true;
        std::uint64_t limit = 0;
        if (!d_.number64(limit)) return false;
        s.append_limit = limit;
        return true;
      }
      if (a != "MESSAGES" && a != "RECENT" && a != "UIDNEXT" && a != "UIDVALIDITY" &&
          a != "UNSEEN" && a != "DELETED" && a != "HIGHESTMODSEQ" && a != "SIZE") {
        return d_.skip_value();  // MAILBOXID (a list), ...
      }
      std::uint64_t v = 0;
      if (!d_.number64(v)) return false;
      auto n32 = static_cast<std::uint32_t>(v);
      if (a == "HIGHESTMODSEQ") {
        s.highest_modseq = v;
      } else if (a == "SIZE") {
        s.size = v;
      } else if (v > UINT32_MAX) {
        return d_.fail("STATUS value too large");
      } else if (a == "MESSAGES") {
        s.messages = n32;
      } else if (a == "RECENT") {
        s.recent = n32;
      } else if (a == "UIDNEXT") {
        s.uid_next = n32;
      } else if (a == "UIDVALIDITY") {
        s.uid_validity = n32;
      } else if (a == "UNSEEN") {
        s.unseen = n32;
      } else {
        s.deleted = n32;
      }
      return true;
    });
  }

  bool search(SearchData& s) {
    while (d_.accept_sp()) {
      if (d_.at_end()) break;
      if (d_.peek() == '(') {
        // "(" "MODSEQ" SP mod-sequence-value ")"  (RFC 7162)
        if (!d_.expect('(') || !d_.accept_keyword("MODSEQ")) return d_.fail("expected MODSEQ");
        std::uint64_t m = 0;
        if (!d_.sp() || !d_.number64(m) || !d_.expect(')')) return false;
        s.modseq = m;
        continue;
      }
      std::uint32_t n = 0;
      if (!d_.nz_number(n) || !d_.count_item()) return false;
      s.numbers.push_back(n);
    }
    return d_.ok();
  }

  bool sequence_set(SequenceSet& out) {
    std::size_t start = d_.pos();
    while (!d_.at_end()) {
      char c = d_.peek();
      if (!((c >= '0' && c <= '9') || c == ':' || c == ',' || c == '*')) break;
      d_.accept(c);
    }
    auto set = SequenceSet::parse(d_.slice(start, d_.pos()));
    if (!set) return d_.fail("bad sequence set");
    if (set->ranges().size() > 0 && !d_.count_item()) return false;
    out = std::move(*set);
    return true;
  }

  bool esearch(ESearchData& s) {
    if (!d_.accept_sp()) return d_.ok();
    if (d_.peek() == '(') {
      // search-correlator = "(" "TAG" SP tag-string ")"
      if (!d_.expect('(') || !d_.accept_keyword("TAG")) return d_.fail("expected TAG");
      if (!d_.sp() || !d_.string(s.tag) || !d_.expect(')')) return false;
      if (!d_.accept_sp()) return d_.ok();
    }
    if (d_.accept_keyword("UID")) {
      s.uid = true;
      if (!d_.accept_sp()) return d_.ok();
    }
    while (!d_.at_end()) {
      std::string_view name;
      if (!d_.atom(name) || !d_.sp()) return false;
      std::string n = to_upper(name);
      if (n == "MIN" || n == "MAX" || n == "COUNT") {
        std::uint32_t v = 0;
        if (!d_.number(v)) return false;
        (n == "MIN" ? s.min : n == "MAX" ? s.max : s.count) = v;
      } else if (n == "ALL") {
        SequenceSet set;
        if (!sequence_set(set)) return false;
        s.all = std::move(set);
      } else if (n == "MODSEQ") {
        std::uint64_t m = 0;
        if (!d_.number64(m)) return false;
        s.modseq = m;
      } else if (!d_.skip_value()) {
        return false;
      }
      if (!d_.accept_sp()) break;
    }
    return d_.ok();
  }

  bool vanished(VanishedData& v) {
    if (!d_.sp()) return false;
    if (d_.peek() == '(') {
      if (!d_.expect('(') || !d_.accept_keyword("EARLIER") || !d_.expect(')')) {
        return d_.fail("expected (EARLIER)");
      }
      v.earlier = true;
      if (!d_.sp()) return false;
    }
    return sequence_set(v.uids);
  }

  // Namespace = nil / "(" 1*Namespace-Descr ")"
  bool namespaces(std::vector<Namespace>& out) {
    if (d_.nil()) return true;
    return d_.list([&] {
      Namespace ns;
      if (!d_.expect('(') || !d_.string(ns.prefix) || !d_.sp() || !delimiter(ns.delimiter)) {
        return false;
      }
      // Namespace-Response-Extensions: skip.
      while (d_.accept_sp()) {
        if (d_.peek() == ')') break;
        if (!d_.skip_value()) return false;
      }
      if (!d_.expect(')')) return false;
      if (!settings_.utf8) {
        if (auto p = decode_mailbox_utf7(ns.prefix)) ns.prefix = std::move(*p);
      }
      out.push_back(std::move(ns));
      return true;
    });
  }

  bool quota(QuotaData& q) {
    if (!d_.sp() || !d_.astring(q.root) || !d_.sp()) return false;
    return d_.list([&] {
      QuotaResource r;
      std::string_view name;
      if (!d_.atom(name) || !d_.sp() || !d_.number64(r.usage) || !d_.sp() ||
          !d_.number64(r.limit)) {
        return false;
      }
      r.name = to_upper(name);
      q.resources.push_back(std::move(r));
      return true;
    });
  }

  bool quota_root(QuotaRootData& q) {
    if (!d_.sp() || !mailbox(q.mailbox)) return false;
    while (d_.accept_sp()) {
      if (d_.at_end()) break;
      std::string root;
      if (!d_.astring(root) || !d_.count_item()) return false;
      q.roots.push_back(std::move(root));
    }
    return d_.ok();
  }

  bool id_response(IdData& id) {
    if (!d_.sp()) return false;
    if (d_.nil()) return true;
    return d_.list([&] {
      std::string k, v;
      if (!d_.string(k) || !d_.sp() || !d_.nstring(v)) return false;
      id.fields.emplace_back(std::move(k), std::move(v));
      return true;
    });
  }

  // ---- FETCH -------------------------------------------------------------------------

  // Item names run up to SP, "(", ")", "[" or "<".
  std::string_view fetch_item_name() {
    std::size_t start = d_.pos();
    while (!d_.at_end()) {
      char c = d_.peek();
      if (c == ' ' || c == '(' || c == ')' || c == '[' || c == '<' || is_ctl(c)) break;
      d_.accept(c);
    }
    return d_.slice(start, d_.pos());
  }

  // section = "[" [section-spec] "]"; kept as text. Header lists may hold quoted names.
  bool section_text(std::string& out) {
    if (!d_.expect('[')) return false;
    std::size_t start = d_.pos();
    bool in_quote = false;
    while (true) {
      if (d_.at_end()) return d_.fail("unterminated section");
      char c = d_.peek();
      if (!in_quote && c == ']') break;
      if (c == '"') in_quote = !in_quote;
      if (in_quote && c == '\\') d_.accept(c);
      d_.accept(d_.peek());
    }
    out.assign(d_.slice(start, d_.pos()));
    return d_.expect(']');
  }

  bool msg_att(FetchData& f) {
    return d_.list([&] {
      std::string_view raw_name = fetch_item_name();
      if (raw_name.empty()) return d_.fail("expected fetch item");
      // Upper-cased in a small buffer: every name this parser knows fits; longer ones are
      // unknown items anyway and kept as sent.
      std::array<char, 24> upper{};
      std::string_view name = raw_name;
      if (raw_name.size() <= upper.size()) {
        for (std::size_t i = 0; i < raw_name.size(); ++i)
          upper[i] = ascii_upper(raw_name[i]);
        name = std::string_view(upper.data(), raw_name.size());
      }
      if (name == "FLAGS") {
        std::vector<std::string> flags;
        if (settings_.reuse != nullptr) flags = std::move(settings_.reuse->flags);
        if (!d_.sp() || !d_.flag_list(flags)) return false;
        f.flags = std::move(flags);
      } else if (name == "UID") {
        std::uint32_t uid = 0;
        if (!d_.sp() || !d_.nz_number(uid)) return false;
        f.uid = uid;
      } else if (name == "INTERNALDATE") {
        std::string date;
        if (!d_.sp() || !d_.string(date)) return false;
        f.internal_date = std::move(date);
      } else if (name == "RFC822.SIZE") {
        std::uint64_t size = 0;
        if (!d_.sp() || !d_.number64(size)) return false;
        f.size = size;
      } else if (name == "MODSEQ") {
        std::uint64_t m = 0;
        if (!d_.sp() || !d_.expect('(') || !d_.number64(m) || !d_.expect(')')) return false;
        f.modseq = m;
      } else if (name == "ENVELOPE") {
        auto env = reused(settings_.reuse != nullptr ? &settings_.reuse->envelope : nullptr);
        if (!d_.sp()) return false;
        if (!fast(&ResponseParser::fast_envelope, *env) && !envelope(*env)) return false;
        f.envelope = std::move(env);
      } else if (name == "BODYSTRUCTURE" || (name == "BODY" && d_.peek() == ' ')) {
        auto body_ptr = reused(settings_.reuse != nullptr ? &settings_.reuse->body : nullptr);
        if (!d_.sp()) return false;
        if (!fast(&ResponseParser::fast_body, *body_ptr) && !body(*body_ptr)) return false;
        f.body_structure = std::move(body_ptr);
      } else if (name == "BODY" || name == "BINARY") {
        SectionData s;
        s.binary = name == "BINARY";
        if (!section_text(s.section)) return false;
        if (d_.accept('<')) {
          std::uint64_t origin = 0;
          if (!d_.number64(origin) || !d_.expect('>')) return false;
          s.origin = origin;
        }
        if (!d_.sp() || !section_value(s)) return false;
        f.sections.push_back(std::move(s));
      } else if (name == "BINARY.SIZE") {
        std::string section;
        std::uint64_t size = 0;
        if (!section_text(section) || !d_.sp() || !d_.number64(size)) return false;
        f.binary_sizes.emplace_back(std::move(section), size);
      } else if (name == "RFC822" || name == "RFC822.HEADER" || name == "RFC822.TEXT") {
        SectionData s;
        s.section = name == "RFC822" ? "" : name == "RFC822.HEADER" ? "HEADER" : "TEXT";
        if (!d_.sp() || !section_value(s)) return false;
        f.sections.push_back(std::move(s));
      } else {
        // Unknown item (X-GM-LABELS, X-GM-MSGID, SAVEDATE, EMAILID, ...): keep it raw.
        std::string item(raw_name);
        if (d_.peek() == '[') {
          std::string section;
          if (!section_text(section)) return false;
          item += "[" + section + "]";
        }
        if (!d_.sp()) return false;
        std::size_t start = d_.pos();
        if (!d_.skip_value()) return false;
        f.other.emplace_back(std::move(item), std::string(d_.slice(start, d_.pos())));
      }
      return true;
    });
  }

  bool section_value(SectionData& s) {
    char c = d_.peek();
    if (c == '{' || c == '~') {
      RawLiteral* lit = nullptr;
      if (!d_.literal(s.data, &lit)) return false;
      s.size = lit->size;
      s.streamed = lit->streamed;
      return true;
    }
    bool is_nil = false;
    if (!d_.nstring(s.data, &is_nil)) return false;
    s.nil = is_nil;
    s.size = s.data.size();
    return true;
  }

  // envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
  //            env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
  bool envelope(Envelope& e) {
    if (!d_.expect('(')) return false;
    if (!enter()) return false;
    bool ok = d_.lenient_string(e.date) && d_.sp() && d_.lenient_string(e.subject) && d_.sp() &&
              address_list(e.from) && d_.sp() && address_list(e.sender) && d_.sp() &&
              address_list(e.reply_to) && d_.sp() && address_list(e.to) && d_.sp() &&
              address_list(e.cc) && d_.sp() && address_list(e.bcc) && d_.sp() &&
              d_.lenient_string(e.in_reply_to) && d_.sp() && d_.lenient_string(e.message_id);
    d_.skip_spaces();
    leave();
    return ok && d_.expect(')');
  }

  // Element n of `v` to parse into: one it has, one from `pool` (left over from an earlier
  // response), or a new one.
  template <class T>
  static T& element(std::vector<T>& v, std::size_t n, std::vector<T>& pool) {
    if (n == v.size()) {
      if (pool.empty()) {
        v.emplace_back();
      } else {
        v.push_back(std::move(pool.back()));
        pool.pop_back();
      }
    }
    return v[n];
  }
  // Drops the elements of `v` from n on; small ones go to `pool` while it has room.
  template <class T, class Size>
  static void truncate(std::vector<T>& v, std::size_t n, std::vector<T>& pool, Size size) {
    while (v.size() > n) {
      if (pool.size() < 64 && size(v.back()) <= 512) pool.push_back(std::move(v.back()));
      v.pop_back();
    }
  }
  static std::size_t held(const Address& a) {
    return a.name.capacity() + a.adl.capacity() + a.mailbox.capacity() + a.host.capacity();
  }
  static std::size_t held(const std::pair<std::string, std::string>& p) {
    return p.first.capacity() + p.second.capacity();
  }

  // Parses into the elements `out` already has (a reused envelope), then adds or drops some.
  bool address_list(std::vector<Address>& out) {
    auto& pool = settings_.reuse != nullptr ? settings_.reuse->spare_addresses : spare_addresses_;
    const auto size = [](const Address& a) { return held(a); };
    if (d_.nil()) {
      truncate(out, 0, pool, size);
      return true;
    }
    if (!d_.expect('(') || !enter()) return false;
    d_.skip_spaces();
    std::size_t n = 0;
    while (!d_.accept(')')) {
      if (!d_.count_item()) return false;
      Address& a = element(out, n++, pool);
      // address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
      if (!d_.expect('(') || !d_.lenient_string(a.name) || !d_.sp() || !d_.lenient_string(a.adl) ||
          !d_.sp() || !d_.lenient_string(a.mailbox) || !d_.sp() || !d_.lenient_string(a.host)) {
        return false;
      }
      d_.skip_spaces();
      if (!d_.expect(')')) return false;
      d_.skip_spaces();
    }
    truncate(out, n, pool, size);
    leave();
    return true;
  }

  // A recycled object from `slot` when there is one, else a new one.
  template <class T>
  static std::shared_ptr<T> reused(std::shared_ptr<T>* slot) {
    if (slot != nullptr && *slot) return std::move(*slot);
    return std::make_shared<T>();
  }

  bool enter() {
    if (++depth_ > settings_.limits.max_depth) return d_.fail_limit("nesting too deep");
    return true;
  }
  void leave() { --depth_; }

  // Empties `b` (perhaps a recycled node) for parsing into it; its strings and vectors keep
  // their capacity: `parts` and `params` are truncated by the parse to what the server sent,
  // and the disposition is set aside for body_fld_dsp to reuse.
  void reset(BodyStructure& b) {
    b.type.clear();
    b.subtype.clear();
    b.id.clear();
    b.description.clear();
    b.encoding.clear();
    b.size = 0;
    b.lines = 0;
    b.has_extension = false;
    b.md5.clear();
    if (b.disposition) spare_disposition_ = std::move(b.disposition);
    b.disposition.reset();
    b.languages.clear();
    b.location.clear();
    b.extra.clear();
  }

  // ---- Fast path ------------------------------------------------------------------------
  // ENVELOPE and BODYSTRUCTURE as servers nearly always send them: quoted strings without
  // escapes or literals, upper-case NIL, plain numbers, single spaces. It walks the text with
  // a local pointer and takes a strict subset of what the general grammar below accepts,
  // filling the same fields the same way (same reuse, same item and depth accounting). On
  // anything else it gives up, the decoder is left where it was, and the general grammar
  // parses the item again into the same object (which it overwrites completely).
  struct Walk {
    const char* p;
    const char* end;
    std::size_t literal;  // index of the next literal of the response
    std::size_t items = 0;
  };

  template <class T>
  bool fast(bool (ResponseParser::*item)(Walk&, T&, std::size_t), T& out) {
    if (!fast_path_on.load(std::memory_order_relaxed)) return false;
    if (settings_.limits.max_depth < 2) return false;  // the general grammar reports that
    Walk w{d_.cursor(), d_.limit(), d_.next_literal()};
    if (!(this->*item)(w, out, depth_) || !d_.add_items(w.items)) return false;
    d_.move_to(w.p);
    d_.set_next_literal(w.literal);
    return true;
  }

  static bool fast_char(Walk& w, char c) {
    if (w.p == w.end || *w.p != c) return false;
    ++w.p;
    return true;
  }
  // Exactly one SP: a second one (which the general grammar allows) ends the fast path.
  static bool fast_sp(Walk& w) {
    if (!fast_char(w, ' ')) return false;
    return w.p == w.end || *w.p != ' ';
  }
  static bool fast_nil(Walk& w) {
    if (w.end - w.p < 4 || w.p[0] != 'N' || w.p[1] != 'I' || w.p[2] != 'L') return false;
    if (w.p[3] != ' ' && w.p[3] != ')') return false;
    w.p += 3;
    return true;
  }
  static bool fast_quoted(Walk& w, std::string& out) {
    if (!fast_char(w, '"')) return false;
    const char* stop = quoted_stop(w.p, w.end);
    if (stop == w.end || *stop != '"') return false;  // an escape, CR, LF, NUL or no end
    out.clear();
    out.append(w.p, static_cast<std::size_t>(stop - w.p));
    w.p = stop + 1;
    return true;
  }
  // A literal's bytes are copied, not moved: the general grammar may still need them. So only
  // small ones (a subject, a name); a large one is left to the general grammar, which moves it.
  bool fast_literal(Walk& w, std::string& out) {
    std::uint64_t n = 0;
    if (!fast_char(w, '{') || !fast_number(w, n) || !fast_char(w, '}')) return false;
    const RawLiteral* lit = d_.literal_at(w.p, w.literal);
    if (lit == nullptr || lit->size != n || n > 4096) return false;
    out.assign(lit->data);
    ++w.literal;
    return true;
  }
  bool fast_nstring(Walk& w, std::string& out) {
    if (w.p != w.end && *w.p == '"') return fast_quoted(w, out);
    if (w.p != w.end && *w.p == '{') return fast_literal(w, out);
    if (!fast_nil(w)) return false;
    out.clear();
    return true;
  }
  static bool fast_number(Walk& w, std::uint64_t& out) {
    const char* start = w.p;
    std::uint64_t v = 0;
    while (w.p != w.end && *w.p >= '0' && *w.p <= '9') {
      if (w.p - start >= 18) return false;  // the general grammar checks overflow
      v = v * 10 + static_cast<std::uint64_t>(*w.p - '0');
      ++w.p;
    }
    out = v;
    return w.p != start;
  }

  bool fast_envelope(Walk& w, Envelope& e, std::size_t depth) {
    if (!fast_char(w, '(') || ++depth > settings_.limits.max_depth) return false;
    return fast_nstring(w, e.date) && fast_sp(w) && fast_nstring(w, e.subject) && fast_sp(w) &&
           fast_addresses(w, e.from, depth) && fast_sp(w) && fast_addresses(w, e.sender, depth) &&
           fast_sp(w) && fast_addresses(w, e.reply_to, depth) && fast_sp(w) &&
           fast_addresses(w, e.to, depth) && fast_sp(w) && fast_addresses(w, e.cc, depth) &&
           fast_sp(w) && fast_addresses(w, e.bcc, depth) && fast_sp(w) &&
           fast_nstring(w, e.in_reply_to) && fast_sp(w) && fast_nstring(w, e.message_id) &&
           fast_char(w, ')');
  }

  bool fast_addresses(Walk& w, std::vector<Address>& out, std::size_t depth) {
    auto& pool = settings_.reuse != nullptr ? settings_.reuse->spare_addresses : spare_addresses_;
    const auto size = [](const Address& a) { return held(a); };
    if (fast_nil(w)) {
      truncate(out, 0, pool, size);
      return true;
    }
    if (!fast_char(w, '(') || ++depth > settings_.limits.max_depth) return false;
    std::size_t n = 0;
    do {
      ++w.items;
      Address& a = element(out, n++, pool);
      if (!fast_char(w, '(') || !fast_nstring(w, a.name) || !fast_sp(w) ||
          !fast_nstring(w, a.adl) || !fast_sp(w) || !fast_nstring(w, a.mailbox) || !fast_sp(w) ||
          !fast_nstring(w, a.host) || !fast_char(w, ')')) {
        return false;
      }
    } while (w.p != w.end && *w.p == '(');
    truncate(out, n, pool, size);
    return fast_char(w, ')');
  }

  bool fast_body(Walk& w, BodyStructure& b, std::size_t depth) {
    reset(b);
    if (!fast_char(w, '(') || ++depth > settings_.limits.max_depth) return false;
    ++w.items;
    if (w.p != w.end && *w.p == '(') {
      b.type = "multipart";
      b.envelope.reset();
      std::size_t n = 0;
      while (w.p != w.end && *w.p == '(') {
        if (n == b.parts.size()) b.parts.emplace_back();
        if (!fast_body(w, b.parts[n++], depth)) return false;
      }
      b.parts.resize(n);
      if (!fast_sp(w) || !fast_quoted(w, b.subtype)) return false;
      lower(b.subtype);
      if (w.p != w.end && *w.p == ')') {
        b.params.clear();
      } else {
        b.has_extension = true;
        if (!fast_sp(w) || !fast_params(w, b.params) || !fast_ext_tail(w, b, depth)) return false;
      }
      return fast_char(w, ')');
    }
    if (!fast_quoted(w, b.type) || !fast_sp(w) || !fast_quoted(w, b.subtype)) return false;
    lower(b.type);
    lower(b.subtype);
    if (!fast_sp(w) || !fast_params(w, b.params) || !fast_sp(w) || !fast_nstring(w, b.id) ||
        !fast_sp(w) || !fast_nstring(w, b.description) || !fast_sp(w) ||
        !fast_nstring(w, b.encoding) || !fast_sp(w) || !fast_number(w, b.size)) {
      return false;
    }
    const bool more = w.end - w.p >= 2 && w.p[0] == ' ';
    if (b.is_message() && more && w.p[1] == '(') {
      if (!b.envelope || b.envelope.use_count() != 1) b.envelope = std::make_shared<Envelope>();
      b.parts.resize(1);
      if (!fast_sp(w) || !fast_envelope(w, *b.envelope, depth) || !fast_sp(w) ||
          !fast_body(w, b.parts[0], depth) || !fast_sp(w) || !fast_number(w, b.lines)) {
        return false;
      }
    } else {
      b.envelope.reset();
      b.parts.clear();
      if (b.type == "text" && more && w.p[1] >= '0' && w.p[1] <= '9') {
        if (!fast_sp(w) || !fast_number(w, b.lines)) return false;
      }
    }
    if (w.p != w.end && *w.p != ')') {
      b.has_extension = true;
      if (!fast_sp(w) || !fast_nstring(w, b.md5) || !fast_ext_tail(w, b, depth)) return false;
    }
    return fast_char(w, ')');
  }

  // [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]; further extension data is left
  // to the general grammar.
  bool fast_ext_tail(Walk& w, BodyStructure& b, std::size_t depth) {
    if (w.p == w.end || *w.p == ')') return true;
    if (!fast_sp(w)) return false;
    if (!fast_nil(w)) {
      if (!fast_char(w, '(') || ++depth > settings_.limits.max_depth) return false;
      BodyDisposition dsp;
      if (spare_disposition_) {
        dsp = std::move(*spare_disposition_);
        spare_disposition_.reset();
      }
      if (!fast_quoted(w, dsp.type)) return false;
      lower(dsp.type);
      if (w.p != w.end && *w.p == ')') {
        dsp.params.clear();
      } else if (!fast_sp(w) || !fast_params(w, dsp.params)) {
        return false;
      }
      if (!fast_char(w, ')')) return false;
      b.disposition = std::move(dsp);
    }
    if (w.p == w.end || *w.p == ')') return true;
    if (!fast_sp(w)) return false;
    if (w.p != w.end && *w.p == '(') {
      ++w.p;
      do {
        ++w.items;
        b.languages.emplace_back();
        if (!fast_quoted(w, b.languages.back())) return false;
      } while (fast_char(w, ' '));
      if (!fast_char(w, ')')) return false;
    } else if (w.p != w.end && *w.p == '"') {
      b.languages.emplace_back();
      if (!fast_quoted(w, b.languages.back())) return false;
    } else if (!fast_nil(w)) {
      return false;
    }
    if (w.p == w.end || *w.p == ')') return true;
    if (!fast_sp(w) || !fast_nstring(w, b.location)) return false;
    return w.p != w.end && *w.p == ')';  // more extension data: the general grammar
  }

  bool fast_params(Walk& w, BodyParams& out) {
    auto& pool = settings_.reuse != nullptr ? settings_.reuse->spare_params : spare_params_;
    const auto size = [](const auto& p) { return held(p); };
    if (fast_nil(w)) {
      truncate(out, 0, pool, size);
      return true;
    }
    if (!fast_char(w, '(')) return false;
    std::size_t n = 0;
    do {
      ++w.items;
      auto& [name, value] = element(out, n++, pool);
      if (!fast_quoted(w, name) || !fast_sp(w) || !fast_quoted(w, value)) return false;
    } while (fast_char(w, ' '));
    truncate(out, n, pool, size);
    return fast_char(w, ')');
  }

  // ---- General grammar -------------------------------------------------------------------

  // body = "(" (body-type-1part / body-type-mpart) ")"
  bool body(BodyStructure& b) {
    reset(b);
    if (!d_.expect('(') || !enter() || !d_.count_item()) return false;
    d_.skip_spaces();
    bool ok = d_.peek() == '(' ? body_type_mpart(b) : body_type_1part(b);
    d_.skip_spaces();
    leave();
    return ok && d_.expect(')');
  }

  // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
  bool body_type_mpart(BodyStructure& b) {
    b.type = "multipart";
    b.envelope.reset();
    std::size_t n = 0;
    while (d_.peek() == '(') {
      if (n == b.parts.size()) b.parts.emplace_back();
      if (!body(b.parts[n++])) return false;
      d_.skip_spaces();  // RFC: no SP between parts; some servers send one
    }
    b.parts.resize(n);
    if (!d_.lenient_string(b.subtype)) return false;
    lower(b.subtype);
    if (!d_.accept_sp() || d_.peek() == ')') {
      b.params.clear();
      return d_.ok();
    }
    // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc
    //                  *(SP body-extension)]]]
    b.has_extension = true;
    if (!body_fld_param(b.params)) return false;
    return body_ext_tail(b);
  }

  // body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
  bool body_type_1part(BodyStructure& b) {
    if (!d_.lenient_string(b.type) || !d_.sp() || !d_.lenient_string(b.subtype)) return false;
    lower(b.type);
    lower(b.subtype);
    // body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP
    //               body-fld-octets
    if (!d_.sp() || !body_fld_param(b.params) || !d_.sp() || !d_.lenient_string(b.id) || !d_.sp() ||
        !d_.lenient_string(b.description) || !d_.sp() || !d_.lenient_string(b.encoding) ||
        !d_.sp() || !d_.lenient_number(b.size)) {
      return false;
    }
    if (b.is_message() && d_.peek_past_sp() == '(') {
      // body-type-msg: SP envelope SP body SP body-fld-lines. Some servers describe an
      // attached message as a basic part, so the envelope is parsed only when present.
      if (!b.envelope || b.envelope.use_count() != 1) b.envelope = std::make_shared<Envelope>();
      b.parts.resize(1);
      if (!d_.sp() || !envelope(*b.envelope) || !d_.sp() || !body(b.parts[0]) || !d_.sp() ||
          !d_.lenient_number(b.lines)) {
        return false;
      }
      return body_1part_tail(b);
    }
    b.envelope.reset();
    b.parts.clear();
    if (b.type == "text") {
      char c = d_.peek_past_sp();
      if (c >= '0' && c <= '9') {
        if (!d_.sp() || !d_.lenient_number(b.lines)) return false;
      }
    }
    return body_1part_tail(b);
  }

  bool body_1part_tail(BodyStructure& b) {
    if (!d_.accept_sp() || d_.peek() == ')') return d_.ok();
    return body_ext_1part(b);
  }

  static void lower(std::string& s) {
    for (char& c : s)
      c = ascii_lower(c);
  }

  // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc
  //                  *(SP body-extension)]]]
  bool body_ext_1part(BodyStructure& b) {
    b.has_extension = true;
    if (!d_.lenient_string(b.md5)) return false;
    return body_ext_tail(b);
  }

  bool body_ext_tail(BodyStructure& b) {
    if (!d_.accept_sp() || d_.peek() == ')') return d_.ok();
    if (!body_fld_dsp(b.disposition)) return false;
    if (!d_.accept_sp() || d_.peek() == ')') return d_.ok();
    if (!body_fld_lang(b.languages)) return false;
    if (!d_.accept_sp() || d_.peek() == ')') return d_.ok();
    if (!d_.lenient_string(b.location)) return false;
    while (d_.accept_sp() && d_.peek() != ')') {
      std::size_t start = d_.pos();
      if (!d_.skip_value()) return false;
      b.extra.emplace_back(d_.slice(start, d_.pos()));
    }
    return d_.ok();
  }

  // body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
  // Parses into the elements `out` already has (a reused node), then adds or drops some.
  bool body_fld_param(BodyParams& out) {
    auto& pool = settings_.reuse != nullptr ? settings_.reuse->spare_params : spare_params_;
    std::size_t n = 0;
    bool ok = true;
    if (d_.nil()) {
    } else if (d_.peek() == '"') {  // a lone string where a list is due (seen in the wild)
      std::string ignored;
      ok = d_.quoted(ignored);
    } else {
      ok = d_.list([&] {
        auto& [name, value] = element(out, n++, pool);
        return d_.lenient_string(name) && d_.sp() && d_.lenient_string(value);
      });
    }
    truncate(out, n, pool, [](const auto& p) { return held(p); });
    return ok;
  }

  // body-fld-dsp = "(" string SP body-fld-param ")" / nil
  bool body_fld_dsp(std::optional<BodyDisposition>& out) {
    if (d_.nil()) return true;
    BodyDisposition dsp;
    if (spare_disposition_) {
      dsp = std::move(*spare_disposition_);
      spare_disposition_.reset();
    }
    if (d_.peek() == '"') {  // Exchange sends a bare string sometimes
      if (!d_.quoted(dsp.type)) return false;
      lower(dsp.type);
      dsp.params.clear();
      out = std::move(dsp);
      return true;
    }
    if (!d_.expect('(') || !enter() || !d_.lenient_string(dsp.type)) return false;
    lower(dsp.type);
    if (d_.accept_sp() && d_.peek() != ')') {
      if (!body_fld_param(dsp.params)) return false;
    } else {
      dsp.params.clear();
    }
    d_.skip_spaces();
    leave();
    if (!d_.expect(')')) return false;
    out = std::move(dsp);
    return true;
  }

  // body-fld-lang = nstring / "(" string *(SP string) ")"
  bool body_fld_lang(std::vector<std::string>& out) {
    if (d_.peek() == '(') {
      return d_.list([&] {
        std::string s;
        if (!d_.lenient_string(s)) return false;
        out.push_back(std::move(s));
        return true;
      });
    }
    std::string s;
    bool is_nil = false;
    if (!d_.lenient_string(s, &is_nil)) return false;
    if (!is_nil) out.push_back(std::move(s));
    return true;
  }

  WireDecoder d_;
  const ParserSettings& settings_;
  std::size_t depth_ = 0;
  std::optional<BodyDisposition> spare_disposition_;  // from a reused node, see reset()
  std::vector<Address> spare_addresses_;              // pools when the caller does not recycle
  BodyParams spare_params_;
};

}  // namespace

void parse_resp_text_code(std::string_view name, std::string_view args, ResponseCode& code) {
  code.name = to_upper(name);
  code.raw.assign(args);
  const std::string& n = code.name;
  WireDecoder d(args, DecoderLimits{});
  auto atoms = [&] {
    std::string_view a;
    while (!d.at_end()) {
      if (!d.atom(a)) return false;
      code.atoms.emplace_back(a);
      d.skip_spaces();
    }
    return true;
  };
  auto number = [&] { return d.number64(code.number) && d.at_end(); };
  auto uid_set = [&](SequenceSet& out) {
    std::string_view a;
    if (!d.atom(a)) return false;
    auto s = SequenceSet::parse(a);
    if (!s) return false;
    out = std::move(*s);
    return true;
  };
  auto uid_validity = [&] {
    std::uint32_t v = 0;
    if (!d.nz_number(v)) return false;
    code.uid_validity = v;
    return true;
  };
  bool ok = true;
  using K = ResponseCodeKind;
  if (n == "ALERT") {
    code.kind = K::Alert;
  } else if (n == "CAPABILITY") {
    code.kind = K::Capability;
    ok = atoms();
  } else if (n == "PERMANENTFLAGS") {
    code.kind = K::PermanentFlags;
    ok = d.flag_list(code.atoms);
  } else if (n == "BADCHARSET") {
    code.kind = K::BadCharset;
    if (!d.at_end()) {
      ok = d.list([&] {
        std::string s;
        if (!d.astring(s)) return false;
        code.atoms.push_back(std::move(s));
        return true;
      });
    }
  } else if (n == "UIDVALIDITY" || n == "UIDNEXT" || n == "UNSEEN" || n == "HIGHESTMODSEQ") {
    code.kind = n == "UIDVALIDITY" ? K::UidValidity
                : n == "UIDNEXT"   ? K::UidNext
                : n == "UNSEEN"    ? K::Unseen
                                   : K::HighestModSeq;
    ok = number();
  } else if (n == "NOMODSEQ") {
    code.kind = K::NoModSeq;
  } else if (n == "APPENDUID") {
    code.kind = K::AppendUid;
    ok = uid_validity() && d.sp() && uid_set(code.dest_uids);
  } else if (n == "COPYUID") {
    code.kind = K::CopyUid;
    ok = uid_validity() && d.sp() && uid_set(code.source_uids) && d.sp() && uid_set(code.dest_uids);
  } else if (n == "TRYCREATE") {
    code.kind = K::TryCreate;
  } else if (n == "OVERQUOTA") {
    code.kind = K::OverQuota;
  } else if (n == "READ-ONLY") {
    code.kind = K::ReadOnly;
  } else if (n == "READ-WRITE") {
    code.kind = K::ReadWrite;
  } else if (n == "CLOSED") {
    code.kind = K::Closed;
  } else if (n == "UIDNOTSTICKY") {
    code.kind = K::UidNotSticky;
  } else if (n == "PARSE") {
    code.kind = K::Parse;
  } else {
    code.kind = K::Other;
  }
  if (!ok || !d.ok()) {
    // A malformed argument does not break the response; the raw text is kept.
    code.kind = K::Other;
  }
}

void set_fetch_fast_path(bool on) noexcept {
  fast_path_on.store(on, std::memory_order_relaxed);
}

void ReuseCache::take_from(Response& used) {
  auto* f = used.get<FetchData>();
  if (f == nullptr) return;
  if (f->flags) flags = std::move(*f->flags);
  // Only what nobody else holds: the caller may have kept a copy of either pointer.
  if (f->envelope && f->envelope.use_count() == 1) envelope = std::move(f->envelope);
  if (f->body_structure && f->body_structure.use_count() == 1) body = std::move(f->body_structure);
}

std::error_code parse_raw_response(RawResponse& raw, std::string_view text,
                                   const ParserSettings& settings, Response& out,
                                   std::string& message) {
  ResponseParser parser(raw, text, settings);
  if (!parser.response(out) || !parser.decoder().ok()) {
    WireDecoder& d = parser.decoder();
    message = d.message().empty() ? "imap: malformed response" : d.message();
    return d.error() ? d.error() : make_error_code(Errc::protocol);
  }
  return {};
}

}  // namespace mailwire::imap::detail
