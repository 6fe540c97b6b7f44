#pragma once

/// \file
/// Delivery reports read from received mail: RFC 3464 delivery status notifications, RFC 5965
/// abuse (ARF) complaints, RFC 3834 automatic replies, and the non-standard bounces of common
/// servers (recognised by a table of rules). Reading is best effort and never throws on
/// malformed mail: what cannot be read is left empty.

#include <mailwire/export.hpp>
#include <mailwire/mime/header.hpp>
#include <mailwire/mime/message.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::mime {

/// What kind of report a message is.
enum class ReportKind {
  None,       ///< not a delivery report: an ordinary message
  Dsn,        ///< an RFC 3464 delivery status notification (message/delivery-status)
  Arf,        ///< an RFC 5965 feedback report (message/feedback-report): a complaint
  AutoReply,  ///< an RFC 3834 automatic reply (vacation, out of office)
  Heuristic,  ///< a non-standard bounce read from its text by the rule table
};

/// Why a recipient's delivery failed (or what the report says about it).
enum class BounceReason {
  UserUnknown,  ///< the mailbox does not exist (hard)
  MailboxFull,  ///< over quota
  HostUnknown,  ///< the domain does not exist or accepts no mail (hard)
  Expired,      ///< the message stayed queued too long
  Rejected,     ///< refused by the recipient's server or its filter (content, sender)
  Blocked,      ///< the sending host or IP address is blocked, listed or unknown
  Spam,         ///< judged to be spam or a virus
  Policy,       ///< refused by a local policy of the recipient
  AuthFailure,  ///< SPF, DKIM or DMARC failure, or another security requirement
  TooLarge,     ///< the message is over a size limit
  RelayDenied,  ///< the server refused to relay
  Network,      ///< DNS, connection or routing trouble
  System,       ///< a failure of the receiving system
  Complaint,    ///< an abuse or spam complaint (ARF)
  AutoReply,    ///< an automatic reply, not a failure
  Delivered,    ///< a success notification
  Other,        ///< nothing more precise could be read
};

/// One recipient named by a report.
struct ReportRecipient {
  /// The recipient address: Final-Recipient, or what the report text names. Empty for a
  /// complaint that does not say who complained (the entry still stands for the complaint).
  std::string address;
  /// The address as the sender wrote it (Original-Recipient), when given.
  std::string original_address;
  /// RFC 3464 Action: "failed", "delayed", "delivered", "relayed", "expanded"; inferred for
  /// non-standard reports ("failed" for a permanent error, "delayed" for a transient one).
  std::string action;
  /// The enhanced status code (RFC 3463) "class.subject.detail"; inferred from the reply
  /// code and the wording when the report holds none; empty for complaints and replies.
  std::string status;
  /// The SMTP reply code ("550") when the report quotes one; else empty.
  std::string reply_code;
  /// The remote MTA (Remote-MTA, or the host named in the text), when known.
  std::string remote_mta;
  /// The diagnostic text (Diagnostic-Code, or the lines of the report about this recipient),
  /// unfolded, at most a few hundred bytes.
  std::string diagnostic;
  /// The classification.
  BounceReason reason = BounceReason::Other;
  /// True when the address itself is bad (unknown user or domain, permanently): do not mail
  /// it again. Transient failures, full mailboxes and blocks of the sender are soft.
  bool hard = false;
};

/// A delivery report read from a message: its kind, the original message when it is included,
/// and one entry per recipient.
struct MAILWIRE_API DeliveryReport {
  /// The kind; None for an ordinary message (then `recipients` is empty).
  ReportKind kind = ReportKind::None;
  /// For non-standard bounces, the name of the rule that recognised the format ("qmail",
  /// "exim", "generic", ...); for other kinds, empty.
  std::string format;
  /// The Message-ID of the original message, with its angle brackets, when included.
  std::string original_message_id;
  /// The header of the original message (from message/rfc822, text/rfc822-headers or the
  /// copy quoted in a text bounce); empty when not included.
  HeaderList original_headers;
  /// RFC 3464 Reporting-MTA or RFC 5965 Reporting-MTA, when given.
  std::string reporting_mta;
  /// RFC 5965 Feedback-Type ("abuse", "fraud", ...), for complaints.
  std::string feedback_type;
  /// The recipients the report is about, in its order.
  std::vector<ReportRecipient> recipients;

  /// Reads the report in `message`. Never throws for malformed input (allocation failure
  /// aside); an ordinary message gives kind None.
  static DeliveryReport from_message(const Message& message);
  /// Parses `bytes` (a whole message) and reads the report in it.
  static DeliveryReport from_bytes(std::string_view bytes);
};

/// Reads the report of a message fed in chunks, through the incremental parser (StreamParser),
/// in memory bounded by the parts a report is read from, not by the message: the text parts
/// (at most 256 KiB of them), the delivery-status and feedback-report fields, and the header of
/// the original message; the original's body and any attachment pass through. Gives what
/// DeliveryReport::from_message() gives for the same bytes. Never throws for malformed input.
class MAILWIRE_API DeliveryReportReader {
 public:
  /// A reader at the start of a message.
  DeliveryReportReader();
  ~DeliveryReportReader();
  DeliveryReportReader(const DeliveryReportReader&) = delete;
  DeliveryReportReader& operator=(const DeliveryReportReader&) = delete;

  /// The next bytes of the message, split anywhere.
  void feed(std::string_view bytes);
  /// The end of the message: its report.
  DeliveryReport finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// "dsn", "arf", "auto-reply", "heuristic" or "none" (the names of the CLI contract).
MAILWIRE_API const char* to_string(ReportKind kind) noexcept;
/// "user_unknown", "mailbox_full", ... (the names of the CLI contract).
MAILWIRE_API const char* to_string(BounceReason reason) noexcept;

/// Classifies a failure from its enhanced status code (may be empty), SMTP reply code (may be
/// empty) and diagnostic text: the wording first (a table of phrases), then the status code.
MAILWIRE_API BounceReason classify_failure(std::string_view status, std::string_view reply_code,
                                           std::string_view text);

/// VERP (variable envelope return path): the return path that carries `recipient`:
/// `verp_encode("bounces@sender.example", "alice@example.org")` is
/// `bounces+alice=example.org@sender.example`. Throws Error(usage) when either is not an
/// address (no '@', or CR, LF, NUL or white space in it).
MAILWIRE_API std::string verp_encode(std::string_view return_path, std::string_view recipient);

/// The recipient carried by a VERP address made by verp_encode(), or nullopt when `address`
/// is not one (no '+' in the local part, or no '=' after it).
MAILWIRE_API std::optional<std::string> verp_decode(std::string_view address);

}  // namespace mailwire::mime
