// A whole Dovecot session's server side (tests/data/imap/dovecot_session.txt: login, ID,
// NAMESPACE, LIST-STATUS with SPECIAL-USE, SELECT, ESEARCH, FETCH with literals, IDLE, MOVE,
// LOGOUT) read through one ResponseReader in chunks of several sizes.

#include <mailwire/imap/response_reader.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

using namespace mailwire::imap;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("a Dovecot session reads into typed responses", "[imap][reader][session]") {
  const std::string wire = read_file(MAILWIRE_SOURCE_DIR "/tests/data/imap/dovecot_session.txt");
  for (std::size_t chunk : {std::size_t{1}, std::size_t{13}, std::size_t{4096}}) {
    ResponseReader reader;
    std::vector<Response> responses;
    for (std::size_t i = 0; i < wire.size(); i += chunk) {
      reader.feed(std::string_view(wire).substr(i, chunk));
      while (reader.has_response())
        responses.push_back(reader.pop());
    }
    INFO(reader.error_message());
    REQUIRE_FALSE(reader.error());
    REQUIRE(responses.size() == 39);

    std::map<std::string, int> tagged;
    int lists = 0;
    int fetches = 0;
    for (const Response& r : responses) {
      if (r.is_tagged()) ++tagged[r.tag];
      if (r.get<ListData>()) ++lists;
      if (r.get<FetchData>()) ++fetches;
    }
    CHECK(tagged.size() == 11);
    CHECK(lists == 4);
    CHECK(fetches == 4);

    CHECK(responses[1].code.kind == ResponseCodeKind::Capability);
    CHECK(CapabilitySet(responses[1].code.atoms).has("QRESYNC"));
    const ListData* drafts = responses[12].get<ListData>();
    REQUIRE(drafts);
    CHECK(drafts->has("\\Drafts"));
    CHECK(drafts->mailbox == "Entw\xc3\xbcrfe");
    CHECK(responses[13].get<StatusData>()->mailbox == "Entw\xc3\xbcrfe");

    const FetchData* invoice = responses[26].get<FetchData>();
    REQUIRE(invoice);
    CHECK(invoice->envelope->subject == "Invoice 2024-031");
    CHECK(invoice->body_structure->parts.at(1).file_name() == "invoice-2024-031.pdf");
    const FetchData* reply = responses[27].get<FetchData>();
    REQUIRE(reply);
    CHECK(reply->envelope->subject == "Subject with \"quotes\"");
    CHECK(reply->envelope->in_reply_to == "<inv-2024-031@example.com>");
    CHECK(reply->flags->empty());
    CHECK(responses[29].get<FetchData>()->find_section("2")->data == "JVBERi0xLjQKJcfs");
    CHECK(responses[31].is_continuation());
    CHECK(responses[34].get<VanishedData>()->uids.to_string() == "2");
    CHECK(responses[36].code.kind == ResponseCodeKind::CopyUid);
    CHECK(responses[37].status == Status::Bye);
  }
}
