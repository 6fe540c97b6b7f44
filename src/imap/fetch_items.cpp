#include <mailwire/imap/fetch_items.hpp>

namespace mailwire::imap {
namespace {

// A section spec may not carry CR, LF, NUL or the closing bracket; such a FetchItem encodes
// as an invalid marker that make_fetch_command refuses.
bool valid_section(const std::string& s) {
  return s.find_first_of(std::string_view("\r\n\0]", 4)) == std::string::npos;
}

}  // namespace

FetchItem FetchItem::sectioned(const char* name, std::string section,
                               std::optional<std::pair<std::uint64_t, std::uint64_t>> partial) {
  if (!valid_section(section)) return FetchItem(std::string());
  std::string text = name;
  text += "[" + section + "]";
  if (partial) {
    text += "<" + std::to_string(partial->first) + "." + std::to_string(partial->second) + ">";
  }
  return FetchItem(std::move(text));
}

FetchItem FetchItem::body_peek(std::string section,
                               std::optional<std::pair<std::uint64_t, std::uint64_t>> partial) {
  return sectioned("BODY.PEEK", std::move(section), partial);
}

FetchItem FetchItem::body(std::string section,
                          std::optional<std::pair<std::uint64_t, std::uint64_t>> partial) {
  return sectioned("BODY", std::move(section), partial);
}

FetchItem FetchItem::binary_peek(std::string section,
                                 std::optional<std::pair<std::uint64_t, std::uint64_t>> partial) {
  return sectioned("BINARY.PEEK", std::move(section), partial);
}

FetchItem FetchItem::binary_size(std::string section) {
  return sectioned("BINARY.SIZE", std::move(section), std::nullopt);
}

Command make_fetch_command(const SequenceSet& set, const std::vector<FetchItem>& items,
                           const FetchOptions& options) {
  Command command(options.uid ? "UID FETCH" : "FETCH");
  command.sequence_set(set);
  if (items.empty()) command.mark_invalid("FETCH without items");
  command.open_list();
  for (const FetchItem& item : items)
    command.raw(item.text());
  command.close_list();
  if (options.changed_since) {
    command.open_list().atom("CHANGEDSINCE").number(*options.changed_since);
    if (options.vanished) command.atom("VANISHED");
    command.close_list();
  }
  return command;
}

Command make_store_command(const SequenceSet& set, StoreMode mode,
                           const std::vector<std::string>& flags, const StoreOptions& options) {
  Command command(options.uid ? "UID STORE" : "STORE");
  command.sequence_set(set);
  if (options.unchanged_since) {
    command.open_list().atom("UNCHANGEDSINCE").number(*options.unchanged_since).close_list();
  }
  std::string item = mode == StoreMode::Add      ? "+FLAGS"
                     : mode == StoreMode::Remove ? "-FLAGS"
                                                 : "FLAGS";
  if (options.silent) item += ".SILENT";
  command.atom(item).flag_list(flags);
  return command;
}

}  // namespace mailwire::imap
