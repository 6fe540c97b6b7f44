#pragma once

/// \file
/// Umbrella header: every public mailwire header.

#include <mailwire/discovery.hpp>
#include <mailwire/error.hpp>
#include <mailwire/export.hpp>
#include <mailwire/maildir.hpp>
#include <mailwire/mime/address.hpp>
#include <mailwire/mime/builder.hpp>
#include <mailwire/mime/charset.hpp>
#include <mailwire/mime/content_type.hpp>
#include <mailwire/mime/date_time.hpp>
#include <mailwire/mime/encoded_word.hpp>
#include <mailwire/mime/encoding.hpp>
#include <mailwire/mime/header.hpp>
#include <mailwire/mime/message.hpp>
#include <mailwire/net/deadline.hpp>
#include <mailwire/net/security.hpp>
#include <mailwire/net/stream.hpp>
#include <mailwire/net/tcp_transport.hpp>
#include <mailwire/net/tls_info.hpp>
#include <mailwire/net/tls_options.hpp>
#include <mailwire/net/tls_transport.hpp>
#include <mailwire/net/transport.hpp>
#include <mailwire/pop3/types.hpp>
#include <mailwire/pop3_client.hpp>
#include <mailwire/pop3_download.hpp>
#include <mailwire/progress.hpp>
#include <mailwire/protocol_log.hpp>
#include <mailwire/provider_settings.hpp>
#include <mailwire/sasl.hpp>
#include <mailwire/smtp/capabilities.hpp>
#include <mailwire/smtp/reply.hpp>
#include <mailwire/smtp_client.hpp>
#include <mailwire/version.hpp>
