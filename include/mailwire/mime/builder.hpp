#pragma once

/// \file
/// Building a new message: addresses, subject, text and HTML bodies, attachments (from memory
/// or streamed from files), inline parts for HTML, reply headers, custom headers; replies to
/// and forwards of a parsed message.

#include <mailwire/export.hpp>
#include <mailwire/mime/address.hpp>
#include <mailwire/mime/header.hpp>
#include <mailwire/net/stream.hpp>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace mailwire::mime {

class Message;

/// What the writer may use; the defaults suit any server. Tell it what the server offers.
struct WriteOptions {
  bool eight_bit = false;  ///< 8BITMIME: 8-bit text parts are sent as 8bit, not quoted-printable
  bool smtputf8 = false;   ///< SMTPUTF8: UTF-8 in headers and addresses as is, not RFC 2047
};

/// A new message, written on demand by write(). Bcc recipients are part of the envelope only,
/// never of the written header.
class MAILWIRE_API MessageBuilder {
 public:
  /// An empty message: set at least from() before writing it.
  MessageBuilder();

  /// A reply to `original` (RFC 5322 section 3.6.4), to be completed with from() and text():
  ///  - To: the original's Reply-To, else its From. With `reply_all`, the original's To is
  ///    added to To and its Cc becomes Cc. `self` (an address list: one's own addresses and
  ///    aliases) is left out of both, domains compared in their ASCII form; when that leaves To
  ///    empty because one replies to one's own message, To is the original's To instead.
  ///    Duplicates are dropped; mailboxes without a domain are skipped.
  ///  - Subject: "Re: " and the original subject without its leading "Re:" prefixes (any case,
  ///    "Re[2]:" too), so never "Re: Re:". Localized prefixes ("AW:", "SV:") are kept.
  ///  - In-Reply-To: the original's Message-ID; References: the original's References (else
  ///    its In-Reply-To when that is one identifier), then its Message-ID, one space apart and
  ///    folded at 78 columns. Neither field when the original has no identifiers.
  /// Control characters in decoded names and the subject become spaces. Never throws for a
  /// malformed original; Error(usage) for CR, LF or NUL in `self`.
  [[nodiscard]] static MessageBuilder reply(const Message& original, bool reply_all = false,
                                            std::string_view self = {});
  /// A forward of `original`, to be completed with from() and to(). Subject: "Fwd: " and the
  /// original subject (not doubled when it already starts with "Fwd:" or "Fw:").
  ///  - By default the original is attached as message/rfc822 (RFC 2046 section 5.2.1) byte
  ///    for byte: it is not transfer-encoded (RFC 2046 allows only 7bit, 8bit and binary), so
  ///    an 8-bit original needs 8BITMIME of the server. One with bare CR or LF line ends is
  ///    written with CRLF, the only change ever made. `note_utf8`, if any, is the text body.
  ///  - With `inline_forward`, the text body is `note_utf8`, then a "Forwarded message" block
  ///    (From, Date, Subject, To, Cc of the original), then the original's plain text; an HTML
  ///    body gets the same block, escaped, above the original HTML. The parts that
  ///    Message::attachments() lists are attached again (decoded, with their names and types):
  ///    inline images without a file name are not, and neither is an attached message
  ///    (message/rfc822), though the attachments inside it are.
  [[nodiscard]] static MessageBuilder forward(const Message& original, bool inline_forward = false,
                                              std::string_view note_utf8 = {});

  /// Sets From (replacing an earlier one); `mailbox` like "Name <a@example.com>" or
  /// "a@example.com". Throws Error(usage) for something that is not exactly one address with a
  /// domain (any defect of parse_address_list() included), or for CR, LF or NUL.
  MessageBuilder& from(std::string_view mailbox);
  /// Adds a To recipient; the same rules as from().
  MessageBuilder& to(std::string_view mailbox);
  /// Adds a Cc recipient; the same rules as from().
  MessageBuilder& cc(std::string_view mailbox);
  /// Adds a Bcc recipient (envelope only); the same rules as from().
  MessageBuilder& bcc(std::string_view mailbox);
  /// Adds a Reply-To address; the same rules as from().
  MessageBuilder& reply_to(std::string_view mailbox);
  /// Subject, in UTF-8 (encoded as RFC 2047 when it is not ASCII, unless
  /// WriteOptions::smtputf8). Throws Error(usage) for CR, LF or NUL. Empty: no Subject field.
  MessageBuilder& subject(std::string_view utf8);
  /// The plain text body (UTF-8, not checked). Any line ends become CRLF; it is sent as
  /// 7bit when ASCII with lines of at most 998 octets, else as 8bit with
  /// WriteOptions::eight_bit and short lines, else quoted-printable; charset=utf-8.
  MessageBuilder& text(std::string_view utf8);
  /// The HTML body (UTF-8), encoded like text(); with text() as well, the two become
  /// multipart/alternative, and with inline_part()s the HTML and its parts become
  /// multipart/related.
  MessageBuilder& html(std::string_view utf8);
  /// An attachment held in memory, sent as base64. `content_type` empty: guessed from the
  /// file name (guess_content_type()); otherwise it is written as given, unchecked, so it must
  /// be a valid type such as "application/pdf" without CR or LF. A file name that is not ASCII
  /// goes in both `name=` (RFC 2047) and `filename*=` (RFC 2231).
  MessageBuilder& attach(std::string_view filename, std::string bytes,
                         std::string_view content_type = {});
  /// An attachment streamed from a file when the message is written (base64, read in 48 KiB
  /// chunks). Throws Error(io) now if the file cannot be opened, and write() throws Error(io)
  /// if it cannot be read then. `filename` empty: the last component of `path` (after the
  /// last '/'). `content_type` as for attach().
  MessageBuilder& attach_file(const std::string& path, std::string_view content_type = {},
                              std::string_view filename = {});
  /// An inline part for the HTML body, referred to as `cid:content_id` (multipart/related),
  /// sent as base64. `content_id` is given without angle brackets and must be printable
  /// US-ASCII without spaces; one that is not a MIME token and holds no '@' is refused with
  /// Error(usage). `content_type` is written as given, unchecked (as for attach()).
  MessageBuilder& inline_part(std::string_view content_id, std::string bytes,
                              std::string_view content_type);
  /// Reply headers (RFC 5322 section 3.6.4): In-Reply-To is `message_id`, References is
  /// `references` followed by `message_id` (just `message_id` when `references` is empty);
  /// identifiers with their angle brackets. Replaces earlier values. Throws Error(usage) for
  /// CR, LF or NUL.
  MessageBuilder& in_reply_to(std::string_view message_id, std::string_view references = {});
  /// Adds any other header field, written after the builder's own fields with the value as
  /// given (folded, not encoded). Throws Error(usage) for Content-*, MIME-Version or Bcc
  /// (any case), for a bad name (empty, a colon, a space or a byte outside printable
  /// US-ASCII), or for CR, LF or NUL in the value. Fields the builder writes itself (Date,
  /// From, To, Cc, Reply-To, Subject, Message-ID) are not refused but would then appear twice:
  /// use their setters.
  MessageBuilder& header(std::string_view name, std::string_view value);
  /// List-Unsubscribe (RFC 2369): `<url>, <mailto:...>`, either may be empty but not both. An
  /// https `url` also gets "List-Unsubscribe-Post: List-Unsubscribe=One-Click" (RFC 8058): a
  /// POST to it unsubscribes at once, so it must not need a further page. `mailto` is an
  /// address or a mailto: URI. Both are signed by a DKIM signer with its default fields, as
  /// RFC 8058 requires. Replaces earlier values. Throws Error(usage) for a url that is not
  /// http(s), or for CR, LF, NUL, spaces, '<', '>' or ',' in either.
  MessageBuilder& list_unsubscribe(std::string_view url, std::string_view mailto = {});
  /// Overrides the generated Message-ID. `id` is written as given, so it includes the angle
  /// brackets ("<id@domain>"). Throws Error(usage) when it is empty or holds a space, tab, CR
  /// or LF. Without it, the first write() generates "<time.random@from-domain>" and later
  /// writes of the same builder repeat it; a copy of the builder does not inherit a generated
  /// one (each copy of a template is its own message), only one set here.
  MessageBuilder& message_id(std::string_view id);
  /// Forgets the Message-ID (generated or set), so that the next write() generates a new
  /// one: the same builder written again as a new message.
  MessageBuilder& new_message_id() noexcept;
  /// Overrides the Date, written in UTC ("+0000"). Without it, each write() uses the current
  /// time, in local time with its zone.
  MessageBuilder& date(std::time_t when);

  /// Writes the message (CRLF line ends, lines of at most 998 octets, 78 for generated
  /// headers) to `sink`, file attachments streamed in small chunks. Header order: Date, From,
  /// To, Cc, Reply-To, Subject, Message-ID, the header() fields, MIME-Version. Throws
  /// Error(usage) without from(), Error(io) when a file attachment cannot be read (the sink
  /// then has part of the message).
  void write(const ByteSink& sink, const WriteOptions& options = {}) const;
  /// write() into a string.
  std::string to_string(const WriteOptions& options = {}) const;

  /// The envelope sender: the From address as given (no A-label conversion); empty without
  /// from().
  std::string envelope_sender() const;
  /// The envelope recipients: every To, Cc and Bcc address, in that order, as given
  /// (duplicates are kept).
  std::vector<std::string> envelope_recipients() const;
  /// True when a From, To, Cc, Bcc or Reply-To address is not ASCII (the message then needs
  /// SMTPUTF8, or A-labels for the domains).
  bool needs_smtputf8() const;
  /// The Message-ID: the one given to message_id(), else the one the first write() generated
  /// (and every later write() repeats); empty before either, and in a fresh copy of a builder
  /// whose Message-ID was generated.
  const std::string& generated_message_id() const noexcept { return message_id_.value; }
  /// True when attachments are read from files when the message is written.
  bool streams_files() const noexcept;

  /// An attachment or inline part as the builder keeps it.
  struct Part {
    std::string filename;      ///< file name to show; may be empty
    std::string content_type;  ///< MIME type; empty: guessed from the file name
    std::string content_id;    ///< inline parts: the Content-ID without angle brackets
    std::string bytes;         ///< the content in memory, or
    std::string path;          ///< streamed from this file
    bool verbatim = false;     ///< a message/rfc822 part: `bytes` written as is, not base64
  };

 private:
  std::vector<Mailbox> from_, to_, cc_, bcc_, reply_to_;
  std::string subject_;
  std::string text_;
  std::string html_;
  bool has_text_ = false;
  bool has_html_ = false;
  std::vector<Part> attachments_;
  std::vector<Part> inline_;
  HeaderList extra_;
  // The Message-ID. A copy keeps one the caller set, never a generated one: 50 copies of a
  // template written are 50 messages with 50 Message-IDs.
  struct MessageIdSlot {
    std::string value;
    bool given = false;
    MessageIdSlot() = default;
    MessageIdSlot(const MessageIdSlot& o)
        : value(o.given ? o.value : std::string()), given(o.given) {}
    MessageIdSlot(MessageIdSlot&&) noexcept = default;
    MessageIdSlot& operator=(const MessageIdSlot& o) {
      if (this != &o) {
        value = o.given ? o.value : std::string();
        given = o.given;
      }
      return *this;
    }
    MessageIdSlot& operator=(MessageIdSlot&&) noexcept = default;
    ~MessageIdSlot() = default;
  };
  mutable MessageIdSlot message_id_;  // generated by the first write() when not given
  std::time_t date_ = 0;
  bool has_date_ = false;
};

/// The MIME type for a file name's extension, case-insensitively ("invoice.PDF" ->
/// "application/pdf"), from a small built-in table of common types (documents, images, audio,
/// video, archives, "eml"), else "application/octet-stream".
MAILWIRE_API std::string guess_content_type(std::string_view filename);

/// An RFC 5322 date-time: "Tue, 24 Nov 2026 20:41:50 +0000" (local time and zone of the
/// machine when `local` is true).
MAILWIRE_API std::string format_date(std::time_t when, bool local = false);

}  // namespace mailwire::mime
