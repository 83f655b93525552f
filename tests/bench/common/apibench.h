#pragma once

// What the researcher API benchmarks' servers share (export, release): the
// database from --database, opened and migrated; an authenticator that
// accepts only the bearer token from --token (researcher 1, scope all); and
// listening on loopback with the "port N" line their scripts wait for.

#include "api/workeranswer.h"
#include "db/database.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <optional>

namespace openaps::http {
class WebServer;
}

namespace openaps::bench {

struct ApiBench
{
    db::Database database;
    api::Authenticate authenticate;
};

// Quiets the server's info logs and adds --help, --database and --token to
// `parser` (the caller adds its own options first); then process(app).
void addApiBenchOptions(QCommandLineParser &parser);
// The database of --database, migrated, and the authenticator of --token;
// nothing (the reason printed on `out`) if the database cannot be used.
std::optional<ApiBench> openApiBench(const QCommandLineParser &parser, QTextStream &out);
// Listens on 127.0.0.1 (a free port), prints "port N" and runs the event
// loop; the exit code.
int serveApiBench(QCoreApplication &app, http::WebServer &web, QTextStream &out);

} // namespace openaps::bench
