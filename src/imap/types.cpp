#include <mailwire/imap/body_structure.hpp>
#include <mailwire/imap/capabilities.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/imap/mailbox_data.hpp>

#include "imap/wire_decoder.hpp"

namespace mailwire::imap {

using detail::iequals;

bool CapabilitySet::has(std::string_view name) const noexcept {
  for (const std::string& a : atoms_) {
    if (iequals(a, name)) return true;
  }
  return false;
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

std::string BodyStructure::file_name() const {
  if (disposition) {
    for (const auto& p : disposition->params) {
      if (iequals(p.first, "filename")) return p.second;
    }
  }
  if (const std::string* n = param("name")) return *n;
  return {};
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
