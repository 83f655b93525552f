#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QVariantList>

#include <vector>

typedef struct pg_conn PGconn;

namespace openaps::legacy {

// Streams the rows of a query from the old database with
// `COPY (query) TO STDOUT` on a QPSQL connection's libpq handle: rows arrive
// one at a time in flat memory, however big the table (QPSQL would hold a
// whole result set). COPY takes no parameters, so `binds` are set with
// set_config() first and the query reads them as current_setting('legacy.pN').
class CopyReader
{
public:
    CopyReader() = default;
    ~CopyReader();
    CopyReader(const CopyReader &) = delete;
    CopyReader &operator=(const CopyReader &) = delete;

    Status start(const QSqlDatabase &db, const QString &query, const QVariantList &binds = {});
    // The next row's fields (text format decoded; a NULL is a null QByteArray),
    // false at the end. After false, error() tells whether the end was clean.
    bool next(std::vector<QByteArray> &fields);
    const std::optional<Error> &error() const { return m_error; }
    // Abandons an unfinished COPY (the connection stays usable).
    void cancel();

private:
    PGconn *m_conn = nullptr;
    bool m_active = false;
    std::optional<Error> m_error;
};

// One field of COPY's text format decoded (backslash escapes), e.g. "a\\tb" → "a<TAB>b".
QByteArray decodeCopyField(const char *data, qsizetype size);

} // namespace openaps::legacy
