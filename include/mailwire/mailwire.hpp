#pragma once

/// \file
/// Umbrella header: every public mailwire header.

#include <mailwire/error.hpp>
#include <mailwire/export.hpp>
#include <mailwire/imap/body_structure.hpp>
#include <mailwire/imap/capabilities.hpp>
#include <mailwire/imap/command.hpp>
#include <mailwire/imap/envelope.hpp>
#include <mailwire/imap/fetch_data.hpp>
#include <mailwire/imap/fetch_items.hpp>
#include <mailwire/imap/mailbox_data.hpp>
#include <mailwire/imap/mailbox_name.hpp>
#include <mailwire/imap/response.hpp>
#include <mailwire/imap/response_code.hpp>
#include <mailwire/imap/response_reader.hpp>
#include <mailwire/imap/search_query.hpp>
#include <mailwire/imap/sequence_set.hpp>
#include <mailwire/net/deadline.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_info.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/net/tls_transport.hpp>
#include <mailwire/net/transport.hpp>
#include <mailwire/protocol_log.hpp>
#include <mailwire/version.hpp>
