// Error and Diagnostics: named constructors, stable tokens, and what counts as transient.

#include <mailwire/error.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace mailwire;

TEST_CASE("Diagnostics: named constructors say whether the connection survives", "[error]") {
  const Diagnostics refused = Diagnostics::usable(Reason::command_refused)
                                  .with_command("DELE 3")
                                  .with_reply("no such message")
                                  .with_response_code("SYS/TEMP", true);
  CHECK_FALSE(refused.fatal);
  CHECK(refused.transient);
  CHECK(refused.reason == Reason::command_refused);
  CHECK(refused.command == "DELE 3");
  CHECK(refused.server_reply == "no such message");
  CHECK(refused.response_code == "SYS/TEMP");

  Diagnostics lost = Diagnostics::broken(Reason::delivery_unknown);
  lost.with_phase(Phase::after_data).with_transient();
  CHECK(lost.fatal);
  CHECK(lost.phase == Phase::after_data);

  const Error e(Errc::connect, "smtp: lost", lost);
  CHECK(e.reason() == Reason::delivery_unknown);
  CHECK(e.phase() == Phase::after_data);
  CHECK(e.is_fatal());
  CHECK(e.is_transient());
}

TEST_CASE("Error: a timeout or a broken connection may work on a retry, a refusal may not",
          "[error]") {
  CHECK(Error(Errc::timeout, "t").is_transient());
  CHECK(Error(Errc::connect, "c").is_transient());
  CHECK_FALSE(
      Error(Errc::rejected, "r", Diagnostics::usable(Reason::command_refused)).is_transient());
  CHECK(Error(Errc::rejected, "r", Diagnostics::usable().with_transient()).is_transient());
  CHECK_FALSE(Error(Errc::auth, "a").is_transient());
  CHECK_FALSE(Error(Errc::usage, "u").is_fatal());
}

TEST_CASE("Reason and Phase: every value has its own stable token", "[error]") {
  std::set<std::string> seen;
  for (int i = 0; i <= static_cast<int>(Reason::not_connected); ++i) {
    const std::string token = to_string(static_cast<Reason>(i));
    INFO(i);
    CHECK(token != "unknown");
    CHECK(token.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos);
    CHECK(seen.insert(token).second);
  }
  CHECK(std::string(to_string(Reason::starttls_unavailable)) == "starttls-unavailable");
  CHECK(std::string(to_string(Reason::delivery_unknown)) == "delivery-unknown");
  CHECK(std::string(to_string(Phase::after_data)) == "after-data");
  CHECK(std::string(to_string(Phase::envelope)) == "envelope");
}

TEST_CASE("Error: the retry rule, transient and not after the end of the data", "[error]") {
  CHECK(Error(Errc::tls, "lost", Diagnostics::broken(Reason::connection_lost)).is_transient());
  CHECK_FALSE(Error(Errc::tls, "handshake", Diagnostics::broken()).is_transient());
  CHECK(
      Error(Errc::connect, "c", Diagnostics::broken().with_phase(Phase::data)).is_safe_to_retry());
  CHECK_FALSE(Error(Errc::connect, "c",
                    Diagnostics::broken(Reason::delivery_unknown).with_phase(Phase::after_data))
                  .is_safe_to_retry());
  CHECK(Error(Errc::rejected, "451", Diagnostics::usable().with_transient().with_phase(Phase::done))
            .is_safe_to_retry());
  CHECK_FALSE(Error(Errc::rejected, "550", Diagnostics::usable().with_phase(Phase::done))
                  .is_safe_to_retry());
}
