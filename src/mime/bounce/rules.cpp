// The table of non-standard bounce formats: each row recognises a server family by a marker
// of its own and says where its text about the recipients lies. Recipients, status codes and
// reply codes are then read from that section by the generic reader (delivery_report.cpp),
// and the failure classified by the phrase table (text.cpp). To support a new server, add a
// row here (and a phrase to the phrase table when its wording is new).

#include "mime/bounce/rules.hpp"

namespace mailwire::mime::bounce {

const FormatRule kFormatRules[] = {
    {"qmail", Where::Body, "this is the qmail-send program", nullptr, "below this line is a copy",
     Recipients::Addresses},
    {"qmail", Where::Body, "i'm afraid i wasn't able to deliver", nullptr, "below this line",
     Recipients::Addresses},
    {"exim", Where::Body, "this message was created automatically by mail delivery software",
     "following address", "------ this is a copy", Recipients::Addresses},
    {"dragonfly", Where::Body, "dragonfly mail agent", nullptr, "message headers follow",
     Recipients::Addresses},
    {"exchange", Where::Body, "did not reach the following recipient",
     "did not reach the following recipient", nullptr, Recipients::Addresses},
    {"gmail", Where::Body, "delivery to the following recipient", nullptr,
     "----- original message -----", Recipients::Addresses},
    {"imail", Where::Body, "original message follows", nullptr, "original message follows",
     Recipients::Addresses},
    {"x-failed-recipients", Where::Header, "x-failed-recipients", nullptr, nullptr,
     Recipients::Addresses},
    {"sendmail", Where::Body, "----- transcript of session follows -----", nullptr,
     "----- original message follows", Recipients::Addresses},
    {"fml", Where::Body, "you are not a member of this mailing list", nullptr, nullptr,
     Recipients::FirstOnly},
    {"kddi", Where::Body, "could not be delivered to:", nullptr, nullptr, Recipients::Addresses},
    {"generic", Where::Body, "", nullptr, nullptr, Recipients::Addresses},
};

const std::size_t kFormatRuleCount = sizeof kFormatRules / sizeof kFormatRules[0];

const char* const kOriginalSeparators[] = {
    "below this line is a copy of the message",
    "this is a copy of the message",
    "message headers follow",
    "original message follows",
    "----- original message",
    "-----original message",
    "--- original message",
    "original message headers",
    "headers of the original message",
    "header of the original message",
    "unsent message below",
    "message header follows",
    "- returned message",
    "the following is the original message",
    "original message:",
    "content-type: message/rfc822",
    nullptr,
};

}  // namespace mailwire::mime::bounce
