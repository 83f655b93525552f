#include "api/export/adminusage.h"

#include "api/apierror.h"
#include "api/export/datasets.h"
#include "api/export/downloadaudit.h"
#include "api/export/exportparams.h"

#include <QSet>

namespace openaps::api {

namespace {

Error forbidden()
{
    return makeError("forbidden", QStringLiteral("Only administrators can see the downloads."));
}

// A whole number in [low, high], or a bad-request naming the parameter.
Result<qint64> number(const QString &name, const QString &value, qint64 low, qint64 high)
{
    bool ok = false;
    const qint64 n = value.toLongLong(&ok);
    if (!ok || n < low || n > high)
        return badParameter(name, QStringLiteral("must be a number from %1 to %2.").arg(low).arg(high));
    return n;
}

} // namespace

QHttpServerResponse downloadsResponse(const db::Database &database, const QUrlQuery &query,
                                      const Researcher &researcher)
{
    if (!researcher.isAdmin)
        return errorResponse(forbidden());
    DownloadFilter filter;
    const Status read = readQueryParameters(query,
                                            { QStringLiteral("limit"), QStringLiteral("offset"),
                                              QStringLiteral("researcher"), QStringLiteral("dataset"),
                                              QStringLiteral("from"), QStringLiteral("to") },
                                            [&filter](const QString &name, const QString &value) -> Status {
                                                if (name == QLatin1String("from"))
                                                    return readTimeParameter(name, value, filter.from);
                                                if (name == QLatin1String("to"))
                                                    return readTimeParameter(name, value, filter.to);
                                                if (name == QLatin1String("dataset")) {
                                                    if (!findDataset(value))
                                                        return badParameter(name, QStringLiteral("names no dataset."));
                                                    filter.dataset = value;
                                                    return {};
                                                }
                                                const bool isLimit = name == QLatin1String("limit");
                                                const bool isOffset = name == QLatin1String("offset");
                                                auto n = number(name, value,
                                                                isLimit            ? 1
                                                                        : isOffset ? 0
                                                                                   : 1,
                                                                isLimit ? 1000 : std::numeric_limits<int>::max());
                                                if (!n)
                                                    return n.error();
                                                if (isLimit)
                                                    filter.limit = int(*n);
                                                else if (isOffset)
                                                    filter.offset = int(*n);
                                                else
                                                    filter.researcherId = *n;
                                                return {};
                                            });
    if (!read)
        return errorResponse(read.error());
    if (auto s = checkTimeWindow(filter.from, filter.to); !s)
        return errorResponse(s.error());
    auto page = listDownloads(database, filter);
    return page ? jsonResponse(*page) : errorResponse(page.error());
}

QHttpServerResponse usageResponse(const db::Database &database, const QUrlQuery &query, const Researcher &researcher)
{
    if (!researcher.isAdmin)
        return errorResponse(forbidden());
    std::optional<QDateTime> from;
    std::optional<QDateTime> to;
    const Status read = readQueryParameters(
            query, { QStringLiteral("from"), QStringLiteral("to") }, [&](const QString &name, const QString &value) {
                return readTimeParameter(name, value, name == QLatin1String("from") ? from : to);
            });
    if (!read)
        return errorResponse(read.error());
    if (auto s = checkTimeWindow(from, to); !s)
        return errorResponse(s.error());
    auto usage = researcherUsage(database, from, to);
    if (!usage)
        return errorResponse(usage.error());
    return jsonResponse({ { QStringLiteral("from"), apiTimeJson(from) },
                          { QStringLiteral("to"), apiTimeJson(to) },
                          { QStringLiteral("researchers"), *usage } });
}

} // namespace openaps::api
