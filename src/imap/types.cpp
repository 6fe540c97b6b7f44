#include <mailwire/imap/body_structure.hpp>
#include <mailwire/imap/capabilities.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/imap/mailbox_data.hpp>

#include "imap/wire_decoder.hpp"

#include <algorithm>

namespace mailwire::imap {

using detail::iequals;

bool CapabilitySet::announced(std::string_view name) const noexcept {
  for (const std::string& a : atoms_) {
    if (iequals(a, name)) return true;
  }
  return false;
}

bool CapabilitySet::implied_by_imap4rev2(std::string_view name) noexcept {
  static constexpr std::string_view implied[] = {
      "NAMESPACE", "UNSELECT",      "UIDPLUS",     "ESEARCH", "SEARCHRES", "ENABLE",     "IDLE",
      "SASL-IR",   "LIST-EXTENDED", "LIST-STATUS", "MOVE",    "LITERAL-",  "STATUS=SIZE"};
  for (const std::string_view x : implied) {
    if (iequals(x, name)) return true;
  }
  return false;
}

bool CapabilitySet::has(std::string_view name) const noexcept {
  for (const std::string& w : withheld_) {
    if (iequals(w, name)) return false;
  }
  if (announced(name)) return true;
  return implied_by_imap4rev2(name) && announced("IMAP4rev2");
}

CapabilitySet CapabilitySet::without(const std::vector<std::string>& names) const {
  CapabilitySet out;
  for (const std::string& a : atoms_) {
    const bool off = std::any_of(names.begin(), names.end(),
                                 [&](const std::string& n) { return iequals(a, n); });
    if (!off) out.atoms_.push_back(a);
  }
  out.withheld_ = withheld_;
  out.withheld_.insert(out.withheld_.end(), names.begin(), names.end());
  return out;
}

std::vector<std::string> CapabilitySet::auth_mechanisms() const {
  std::vector<std::string> out;
  for (const std::string& a : atoms_) {
    if (a.size() > 5 && iequals(std::string_view(a).substr(0, 5), "AUTH=")) {
      out.push_back(detail::to_upper(std::string_view(a).substr(5)));
    }
  }
  return out;
}

const std::string* BodyStructure::param(std::string_view name) const {
  for (const auto& p : params) {
    if (iequals(p.first, name)) return &p.second;
  }
  return nullptr;
}

const SectionData* FetchData::find_section(std::string_view section, bool binary) const {
  for (const SectionData& s : sections) {
    if (s.binary == binary && iequals(s.section, section)) return &s;
  }
  return nullptr;
}

bool ListData::has(std::string_view attribute) const {
  for (const std::string& a : attributes) {
    if (iequals(a, attribute)) return true;
  }
  return false;
}

}  // namespace mailwire::imap
