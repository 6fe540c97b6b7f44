#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/date_time.hpp>

#include <catch2/catch.hpp>

using namespace mailwire::mime;

TEST_CASE("RFC 5322 dates, obsolete and broken forms", "[mime][date]") {
  // RFC 5322 appendix A.1.1: 21 Nov 1997 09:55:06 -0600 = 15:55:06 UTC.
  const auto a = parse_date("Fri, 21 Nov 1997 09:55:06 -0600");
  REQUIRE(a);
  CHECK(a->utc == 880127706);
  CHECK(a->offset_minutes == -360);
  CHECK(parse_date("21 Nov 97 09:55:06 GMT")->utc == 880106106);  // two-digit year, no day name
  CHECK(parse_date("Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)")->utc == -27723480);
  CHECK(parse_date("Tue, 1 Jul 2003 10:52:37 +0200")->utc == 1057049557);
  CHECK(parse_date("1 Jul 2003 10:52:37 EDT")->offset_minutes == -240);
  CHECK(parse_date("Tue,  1 Jul 2003   10:52:37   +0200 (CEST)")->utc == 1057049557);
  CHECK(parse_date("Tue, 01 Jul 03 10:52:37 +0200")->utc == 1057049557);
  CHECK(parse_date("1 Jul 2003 10:52:37 X")->utc == 1057056757);  // military: -0000
  CHECK_FALSE(parse_date("Fri, 21 Nov 1997 27:55:06 -0600"));     // hour 27
  CHECK_FALSE(parse_date("not a date"));
  CHECK_FALSE(parse_date(""));
  const auto broken_zone = parse_date("1 Jul 2003 10:52:37 +ABCD");  // ignored, not fatal
  REQUIRE(broken_zone);
  CHECK(broken_zone->offset_minutes == 0);
  CHECK(format_date(880127706) == "Fri, 21 Nov 1997 15:55:06 +0000");
  CHECK(parse_date(format_date(1795553241))->utc == 1795553241);
}
