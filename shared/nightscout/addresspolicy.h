#pragma once

#include "core/config.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace openaps::ns {

// Which addresses a participant's Nightscout address may lead the server to.
// Anyone with an Open Humans account can enter any address, so the server
// must not become their way into its own network (server-side request
// forgery): only globally routable unicast addresses are allowed, unless
// loopback is explicitly enabled (the demo and the tests, whose stand-ins
// listen on 127.0.0.1).
enum class AddressScope { PublicOnly, AllowLoopback };

// Empty when a Nightscout request may connect to `address`; else what kind
// of address it is ("loopback", "private", "link-local", ...), for the log.
QString refusedAddressKind(const QHostAddress &address, AddressScope scope);

// PublicOnly unless OPENAPS_NIGHTSCOUT_ALLOW_LOOPBACK is 1.
AddressScope addressScope(const Config &config);

// Resolves a host name; `done` gets its addresses (empty when the name is
// unknown), on the thread of `context`, and not at all once `context` is gone.
using Resolver = std::function<void(const QString &host, QObject *context,
                                    std::function<void(const QList<QHostAddress> &)> done)>;
// QHostInfo's lookup (an IP literal resolves to itself without DNS).
Resolver systemResolver();

} // namespace openaps::ns
