// `mailwire imap [connection] list | status MAILBOX | search MAILBOX [...] | fetch MAILBOX UID
//  [--out FILE] | attachments MAILBOX [...] --out DIR | append MAILBOX FILE... | move MAILBOX UIDS
//  TARGET`

#include "commands.hpp"
#include "connection.hpp"
#include "mime_dump.hpp"
#include "progress.hpp"

#include <mailwire/imap_client.hpp>
#include <mailwire/imap_sync.hpp>
#include <mailwire/mime/file_name.hpp>
#include <mailwire/mime/message.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mailwire::cli {
namespace {

// "2026-11-01" -> "1-Nov-2026" (RFC 3501 date).
std::string imap_date(const std::string& iso) {
  int y = 0, m = 0, d = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31) {
    throw UsageError{"dates are YYYY-MM-DD: '" + iso + "'"};
  }
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return std::to_string(d) + "-" + months[m - 1] + "-" + std::to_string(y);
}

struct Search {
  std::string criteria;                                    // keys without strings
  std::vector<std::pair<std::string, std::string>> texts;  // FROM/SUBJECT with their strings
  bool parse(const Args& args, std::size_t& i) {
    const std::string& a = args[i];
    const auto add = [&](const std::string& c) { criteria += (criteria.empty() ? "" : " ") + c; };
    if (a == "--all") {
      add("ALL");
    } else if (a == "--unseen") {
      add("UNSEEN");
    } else if (a == "--since") {
      add("SINCE " + imap_date(option_value(args, i)));
    } else if (a == "--before") {
      add("BEFORE " + imap_date(option_value(args, i)));
    } else if (a == "--larger") {
      const std::string& n = option_value(args, i);
      if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) {
        throw UsageError{"--larger needs a number of bytes"};
      }
      add("LARGER " + n);
    } else if (a == "--from" || a == "--subject") {
      texts.emplace_back(a == "--from" ? "FROM" : "SUBJECT", option_value(args, i));
    } else {
      return false;
    }
    return true;
  }
};

// Every key is ANDed: keys with strings go one per search (so that the string follows its
// key), and the results are intersected.
std::vector<std::uint32_t> run_search(ImapClient& client, const Search& s) {
  if (s.texts.empty()) return client.uid_search(s.criteria.empty() ? "ALL" : s.criteria);
  std::vector<std::uint32_t> acc;
  for (std::size_t k = 0; k < s.texts.size(); ++k) {
    const std::string c = (s.criteria.empty() ? "" : s.criteria + " ") + s.texts[k].first;
    const std::vector<std::uint32_t> found = client.uid_search(c, {s.texts[k].second});
    if (k == 0) {
      acc = found;
      continue;
    }
    std::vector<std::uint32_t> both;
    for (const auto u : acc) {
      if (std::find(found.begin(), found.end(), u) != found.end()) both.push_back(u);
    }
    acc = std::move(both);
  }
  return acc;
}

ImapClient open_session(Connection& c) {
  ImapOptions options;
  options.security = c.security;
  options.tls = c.tls;
  options.timeout = c.timeout;
  options.allow_plaintext_auth = c.allow_plaintext_auth;
  options.log = c.log();
  ImapClient client(options);
  client.connect(c.host, c.port);
  if (!c.user.empty()) {
    if (!c.oauth2_token.empty() || !c.auth.empty()) {
      SaslCredentials credentials;
      credentials.user = c.user;
      credentials.password = c.password;
      credentials.oauth2_token = c.oauth2_token;
      client.authenticate(credentials, c.auth);
    } else {
      client.login(c.user, c.password);
    }
  }
  return client;
}

std::vector<std::uint32_t> parse_uids(const std::string& text) {
  std::vector<std::uint32_t> out;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v == 0 || v > 0xffffffffUL) {
      throw UsageError{"UIDs are numbers separated by commas: '" + text + "'"};
    }
    out.push_back(static_cast<std::uint32_t>(v));
  }
  return out;
}

// A time point as ISO 8601 in UTC ("2026-12-01T09:30:00Z"), or null.
std::string json_time(const std::optional<std::chrono::system_clock::time_point>& t) {
  if (!t) return "null";
  const std::time_t secs = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  if (::gmtime_r(&secs, &tm) == nullptr) return "null";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(buf);
}

// [[NAME, ADDRESS], ...]: group markers left out, names decoded.
std::string json_addresses(const std::vector<imap::Address>& list) {
  std::string out = "[";
  for (const imap::Address& a : list) {
    if (a.is_group_start() || a.is_group_end()) continue;
    out += (out.size() > 1 ? ", [" : "[") + json_string(a.decoded_name()) + ", " +
           json_string(a.address()) + "]";
  }
  return out + "]";
}

// One line of `mailwire imap envelopes` (the schema is in the CLI reference).
std::string envelope_json(const imap::FetchData& f) {
  static const imap::Envelope none;
  const imap::Envelope& e = f.envelope ? *f.envelope : none;
  std::string out = "{\"uid\": " + std::to_string(f.uid.value_or(0)) + ", \"flags\": [";
  if (f.flags) {
    for (std::size_t i = 0; i < f.flags->size(); ++i)
      out += (i ? ", " : "") + json_string((*f.flags)[i]);
  }
  out += "], \"size\": " + std::to_string(f.size.value_or(0));
  out += ", \"date\": " + json_time(e.parsed_date());
  out += ", \"internal_date\": " + json_time(f.parsed_internal_date());
  out += ", \"subject\": " + json_string(e.decoded_subject());
  out += ", \"from\": " + json_addresses(e.from);
  out += ", \"to\": " + json_addresses(e.to);
  out += ", \"cc\": " + json_addresses(e.cc);
  out += ", \"message_id\": " + (e.message_id.empty() ? "null" : json_string(e.message_id));
  out += ", \"attachments\": [";
  bool first = true;
  for (const imap::Attachment& a : f.attachments()) {
    out += std::string(first ? "" : ", ") + "{\"section\": " + json_string(a.section) +
           ", \"type\": " + json_string(a.mime_type) +
           ", \"filename\": " + (a.file_name.empty() ? "null" : json_string(a.file_name)) +
           ", \"size\": " + std::to_string(a.size) + "}";
    first = false;
  }
  return out + "]}";
}

void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw Error(Errc::io, "cannot open " + dir + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Error(Errc::io, "cannot sync " + dir);
}

// Message `uid` saved durably as DIR/UID.eml: written to a temporary name, fsynced, renamed
// into place (replacing what a killed run may have left), the directory fsynced.
void save_message(ImapClient& client, const std::string& dir, std::uint32_t uid) {
  const std::string final_path = dir + "/" + std::to_string(uid) + ".eml";
  const std::string tmp = dir + "/." + std::to_string(uid) + ".eml.tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(Errc::io, "cannot create " + tmp + ": " + std::strerror(errno));
  try {
    client.fetch_section(uid, "", [&](std::string_view chunk) {
      while (!chunk.empty()) {
        const ssize_t n = ::write(fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(Errc::io, "cannot write " + tmp + ": " + std::strerror(errno));
        chunk.remove_prefix(static_cast<std::size_t>(n));
      }
    });
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Error(Errc::io, "cannot sync " + tmp);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0)
    throw Error(Errc::io, "cannot rename " + tmp + ": " + std::strerror(errno));
  fsync_dir(dir);
}

// After a reset the old messages' files move aside to DIR/uidvalidity-OLD/, so that the
// recreated mailbox's UIDs (which start again) never replace them.
void move_aside(const std::string& dir, const MailboxSyncState& old) {
  if (old.uid_validity == 0) return;
  const std::string aside = dir + "/uidvalidity-" + std::to_string(old.uid_validity);
  std::filesystem::create_directories(aside);
  for (const auto& entry : old.uids) {
    const std::string name = std::to_string(entry.first) + ".eml";
    const std::string from = dir + "/" + name;
    if (::rename(from.c_str(), (aside + "/" + name).c_str()) != 0 && errno != ENOENT)
      throw Error(Errc::io, "cannot move " + from + ": " + std::strerror(errno));
  }
  fsync_dir(aside);
  fsync_dir(dir);
}

int run(const Args& args) {
  return guarded("imap", [&]() -> int {
    Connection c;
    Search search;
    std::vector<std::string> positional;
    std::vector<std::string> types;
    std::vector<std::string> flags;
    std::string out;
    std::string move_to;
    std::string state_file;
    bool mark_seen = false;
    double wait_seconds = 300;
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (parse_connection_option(args, i, c) || search.parse(args, i)) continue;
      if (args[i] == "--out") {
        out = option_value(args, i);
      } else if (args[i] == "--state") {
        state_file = option_value(args, i);
      } else if (args[i] == "--type") {
        types.push_back(option_value(args, i));
      } else if (args[i] == "--flag") {
        flags.push_back(option_value(args, i));
      } else if (args[i] == "--move-to") {
        move_to = option_value(args, i);
      } else if (args[i] == "--wait") {
        const std::string& w = option_value(args, i);
        char* end = nullptr;
        wait_seconds = std::strtod(w.c_str(), &end);
        if (*end != '\0' || !(wait_seconds > 0)) throw UsageError{"--wait needs seconds"};
      } else if (args[i] == "--mark-seen") {
        mark_seen = true;
      } else if (!args[i].empty() && args[i][0] == '-') {
        throw UsageError{"unknown option '" + args[i] + "' (see mailwire imap --help)"};
      } else {
        positional.push_back(args[i]);
      }
    }
    if (positional.empty()) throw UsageError{"which command? (see mailwire imap --help)"};
    const std::string command = positional[0];
    const auto need = [&](std::size_t n, const char* form) {
      if (positional.size() != n) throw UsageError{std::string("usage: mailwire imap ") + form};
    };
    if (command == "list")
      need(1, "list");
    else if (command == "status")
      need(2, "status MAILBOX");
    else if (command == "search")
      need(2, "search MAILBOX [search options]");
    else if (command == "fetch")
      need(3, "fetch MAILBOX UID [--out FILE]");
    else if (command == "attachments") {
      need(2, "attachments MAILBOX [search options] --out DIR");
      if (out.empty()) throw UsageError{"attachments needs --out DIR"};
    } else if (command == "append") {
      if (positional.size() < 3) {
        throw UsageError{"usage: mailwire imap append MAILBOX FILE [FILE...] [--flag FLAG]..."};
      }
    } else if (command == "move")
      need(4, "move MAILBOX UID[,UID...] TARGET");
    else if (command == "idle")
      need(2, "idle MAILBOX [--wait SECONDS]");
    else if (command == "envelopes")
      need(2, "envelopes MAILBOX [search options]");
    else if (command == "sync") {
      need(2, "sync MAILBOX --state FILE [--out DIR]");
      if (state_file.empty()) throw UsageError{"sync needs --state FILE"};
    } else
      throw UsageError{"unknown imap command '" + command + "'"};
    // append: every file opened (and sized) before the connection, streamed while it is sent.
    std::vector<AppendMessage> messages;
    if (command == "append") {
      for (std::size_t i = 2; i < positional.size(); ++i) {
        try {
          messages.push_back(AppendMessage::from_file(positional[i]));
        } catch (const Error&) {
          throw Error(Errc::io, "cannot read " + positional[i]);
        }
        messages.back().flags = flags;
      }
    }
    finish_connection(c, Protocol::Imap);
    ImapClient client = open_session(c);

    if (command == "list") {
      for (const auto& box : client.list("", "*")) {
        std::string attributes;
        for (const auto& a : box.attributes)
          attributes += (attributes.empty() ? "" : " ") + a;
        std::printf("%s\t(%s)\n", box.mailbox.c_str(), attributes.c_str());
      }
    } else if (command == "status") {
      const imap::StatusData s = client.status(positional[1]);
      std::printf("messages=%u unseen=%u uidnext=%u uidvalidity=%u\n", s.messages.value_or(0),
                  s.unseen.value_or(0), s.uid_next.value_or(0), s.uid_validity.value_or(0));
    } else if (command == "search") {
      client.examine(positional[1]);
      for (const auto uid : run_search(client, search))
        std::printf("%u\n", uid);
    } else if (command == "fetch") {
      client.examine(positional[1]);
      const std::uint32_t uid = parse_uids(positional[2]).at(0);
      std::FILE* f = out.empty() ? stdout : std::fopen(out.c_str(), "wb");
      if (f == nullptr) throw Error(Errc::io, "cannot write " + out);
      ProgressBar bar("fetching");
      client.fetch_section(
          uid, "",
          [&](std::string_view chunk) {
            if (std::fwrite(chunk.data(), 1, chunk.size(), f) != chunk.size()) {
              throw Error(Errc::io, "cannot write " + (out.empty() ? "stdout" : out));
            }
          },
          [&](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
      if (f != stdout && std::fclose(f) != 0) throw Error(Errc::io, "cannot write " + out);
    } else if (command == "attachments") {
      if (mark_seen || !move_to.empty()) {
        client.select(positional[1]);
      } else {
        client.examine(positional[1]);
      }
      std::filesystem::create_directories(out);
      std::vector<std::uint32_t> done;
      for (const auto uid : run_search(client, search)) {
        std::string raw;
        client.fetch_section(uid, "", [&](std::string_view chunk) { raw.append(chunk); });
        const mime::Message m = mime::Message::parse(std::move(raw));
        bool saved = false;
        for (const mime::Entity* part : m.attachments()) {
          const std::string type = part->content_type().mime_type();
          if (!types.empty() && std::find(types.begin(), types.end(), type) == types.end()) {
            continue;
          }
          // The sender chose the name: keep its last component only, and never overwrite.
          const std::string path = mime::unique_file_path(
              out, std::to_string(uid) + "-" + mime::safe_file_name(part->filename().value_or("")));
          std::ofstream file(path, std::ios::binary);
          part->decode_body([&](std::string_view chunk) {
            file.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
          });
          if (!file) throw Error(Errc::io, "cannot write " + path);
          std::printf("%s\n", path.c_str());
          saved = true;
        }
        if (saved) done.push_back(uid);
      }
      if (!done.empty() && mark_seen) client.uid_store_flags(done, {"\\Seen"});
      if (!done.empty() && !move_to.empty()) client.uid_move(done, move_to);
    } else if (command == "append") {
      // One APPEND streamed from each file, or one MULTIAPPEND (all stored or none).
      std::vector<std::uint32_t> uids;
      {
        ProgressBar bar("appending");  // erased (destroyed) before the UIDs are printed
        uids = client.append(positional[1], messages, [&](std::uint64_t done, std::uint64_t total) {
          bar.update(done, total);
        });
      }
      for (const std::uint32_t uid : uids)
        std::printf("%u\n", uid);
    } else if (command == "move") {
      client.select(positional[1]);
      client.uid_move(parse_uids(positional[2]), positional[3]);
    } else if (command == "envelopes") {
      client.examine(positional[1]);
      const std::vector<std::uint32_t> uids = run_search(client, search);
      // In batches, so that one command line stays short and memory bounded.
      constexpr std::size_t batch = 256;
      for (std::size_t at = 0; at < uids.size(); at += batch) {
        const std::vector<std::uint32_t> some(
            uids.begin() + static_cast<std::ptrdiff_t>(at),
            uids.begin() + static_cast<std::ptrdiff_t>(std::min(uids.size(), at + batch)));
        auto found =
            client.uid_fetch(some, "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)");
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
          return a.uid.value_or(0) < b.uid.value_or(0);
        });
        for (const imap::FetchData& f : found) {
          if (f.uid) std::printf("%s\n", envelope_json(f).c_str());
        }
      }
    } else if (command == "sync") {
      if (!out.empty()) std::filesystem::create_directories(out);
      MailboxSync sync(positional[1], state_file);
      MailboxSyncOptions options;
      options.on_change = [&](const MailboxChange& change) {
        using K = MailboxChange::Kind;
        std::string line;
        switch (change.kind) {
          case K::Reset:
            if (!out.empty()) move_aside(out, sync.state());
            line = "reset " + std::to_string(change.uid_validity);
            break;
          case K::New:
            if (!out.empty()) save_message(client, out, change.uid);
            line = "new " + std::to_string(change.uid);
            break;
          case K::Flags:
            line = "flags " + std::to_string(change.uid);
            for (const std::string& flag : change.flags)
              line += " " + flag;
            break;
          case K::Vanished:
            line = "vanished " + std::to_string(change.uid);
            break;
        }
        // Printed and flushed before the state records the change.
        std::printf("%s\n", line.c_str());
        if (std::fflush(stdout) != 0) throw Error(Errc::io, "cannot write stdout");
      };
      sync.sync(client, options);
    } else if (command == "idle") {
      client.select(positional[1]);
      client.idle(std::chrono::milliseconds(static_cast<long long>(wait_seconds * 1000)),
                  [](const ImapClient::IdleEvent& e) {
                    using K = ImapClient::IdleEvent::Kind;
                    const char* what = e.kind == K::Exists    ? "exists"
                                       : e.kind == K::Expunge ? "expunge"
                                       : e.kind == K::Flags   ? "flags"
                                                              : "other";
                    std::printf("%s %u\n", what, e.number);
                    std::fflush(stdout);
                    return false;  // one event is enough
                  });
    }
    client.logout();
    return ExitOk;
  });
}

const Registrar registrar{
    {"imap",
     "IMAP mailboxes: list, status, search, fetch, attachments, append, move, envelopes, sync",
     run}};

}  // namespace
}  // namespace mailwire::cli
