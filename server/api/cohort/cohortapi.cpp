#include "api/cohort/cohortapi.h"

#include "api/apierror.h"
#include "api/export/exportparams.h"
#include "db/readreplica.h"
#include "http/webserver.h"
#include "records/researchgeneration.h"

#include <QHttpServer>
#include <QMutexLocker>

namespace openaps::api {

namespace {

// Answers kept at once; each is a few kilobytes.
constexpr int cachedViews = 512;

// from and to, nothing else.
Result<CohortScope> scopeOf(const QUrlQuery &params, const Researcher &researcher, int minParticipants)
{
    CohortScope scope { allowedSourceEntities(researcher.scope), minParticipants, {}, {} };
    const Status read = readQueryParameters(
            params, { QStringLiteral("from"), QStringLiteral("to") },
            [&scope](const QString &name, const QString &value) {
                return readTimeParameter(name, value, name == QLatin1String("from") ? scope.from : scope.to);
            });
    if (!read)
        return read.error();
    if (auto s = checkTimeWindow(scope.from, scope.to); !s)
        return s.error();
    return scope;
}

QString cacheKey(const QString &view, const CohortScope &scope)
{
    QStringList parts { view };
    for (int v : scope.sourceEntities)
        parts << QString::number(v);
    for (const auto &time : { scope.from, scope.to })
        parts << (time ? formatApiTime(*time) : QString());
    return parts.join(QLatin1Char('|'));
}

} // namespace

CohortApi::CohortApi(db::Database database, Authenticate authenticate, int minParticipants, QObject *parent)
    : QObject(parent),
      m_database(std::move(database)),
      m_authenticate(std::move(authenticate)),
      m_minParticipants(std::max(2, minParticipants)),
      m_cache(cachedViews)
{
    m_workers.setMaxThreadCount(2);
}

CohortApi::~CohortApi()
{
    m_workers.waitForDone();
}

void CohortApi::install(http::WebServer &web)
{
    web.router().route(QStringLiteral("/api/v1/cohort/<arg>"), QHttpServerRequest::Method::Get,
                       [this](const QString &view, const QHttpServerRequest &r, QHttpServerResponder &&responder) {
                           answerOnWorker(this, m_workers, m_authenticate, r, std::move(responder),
                                          [this, view, params = QUrlQuery(r.url())](const Researcher &researcher) {
                                              return answer(view, params, researcher);
                                          });
                       });
}

QHttpServerResponse CohortApi::answer(const QString &view, const QUrlQuery &params, const Researcher &researcher)
{
    if (!cohortViewNames().contains(view))
        return errorResponse(unknownView(view));
    const auto scope = scopeOf(params, researcher, m_minParticipants);
    if (!scope)
        return errorResponse(scope.error());
    const auto reads = db::forReads(m_database, m_replica);
    if (!reads)
        return errorResponse(reads.error());
    auto connection = reads->connection();
    if (!connection)
        return errorResponse(connection.error());
    // Read before the view: data committed meanwhile comes with a newer
    // generation, so an answer is never kept past a change it missed.
    const auto generation = records::researchGeneration(*connection);
    if (!generation)
        return errorResponse(generation.error());
    const QString key = cacheKey(view, *scope);
    {
        QMutexLocker lock(&m_cacheMutex);
        if (const Cached *cached = m_cache.object(key); cached && cached->generation == *generation)
            return jsonResponse(cached->view);
    }
    auto computed = cohortView(*connection, view, *scope);
    if (!computed)
        return errorResponse(computed.error());
    ++m_computed;
    QMutexLocker lock(&m_cacheMutex);
    m_cache.insert(key, new Cached { *generation, *computed });
    return jsonResponse(*computed);
}

} // namespace openaps::api
