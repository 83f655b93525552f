// The file half of the Open Humans stand-in: exchange-member with pages and
// expiring download URLs, storage GET/PUT, direct upload and deletion.

#include "standins/openhumansstandin.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace openaps::standins {

namespace {

constexpr char downloadPurpose[] = "download";
constexpr char getPurpose[] = "get";
constexpr char putPurpose[] = "put";

StandInReply detail(const QString &text, int status)
{
    return StandInReply::json(QJsonObject { { QStringLiteral("detail"), text } }, status);
}

QString isoTime(const QDateTime &time)
{
    // Open Humans writes microseconds and a Z.
    return time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz000Z"));
}

QString downloadPath(const QString &fileId)
{
    return QStringLiteral("/data-management/datafile-download/%1/").arg(fileId);
}

QString storagePath(const QString &fileId)
{
    return QStringLiteral("/storage/%1").arg(fileId);
}

} // namespace

QJsonObject OpenHumansStandIn::fileObject(const OpenHumansStoredFile &f) const
{
    QJsonObject file {
        { QStringLiteral("id"), f.id.toLongLong() },
        { QStringLiteral("basename"), f.basename },
        { QStringLiteral("created"), isoTime(f.created) },
        { QStringLiteral("download_url"), signedUrl(downloadPath(f.id), downloadPurpose, f.id).toString() },
        { QStringLiteral("metadata"),
          QJsonObject { { QStringLiteral("tags"), QJsonArray::fromStringList(f.tags) },
                        { QStringLiteral("description"), f.description } } },
        { QStringLiteral("source"), QString(QStringLiteral("direct-sharing-") + m_options.projectId) },
        { QStringLiteral("datatypes"), QJsonArray() },
    };
    if (m_options.reportFileSizes)
        file.insert(QStringLiteral("size"), f.content.size());
    return file;
}

OpenHumansStandIn::Page OpenHumansStandIn::page(const Request &request, int total) const
{
    const QUrlQuery query = request.query;
    bool limitGiven = false;
    int limit = query.queryItemValue(QStringLiteral("limit")).toInt(&limitGiven);
    if (!limitGiven || limit <= 0)
        limit = qMax(1, m_options.pageSize);
    const int offset = qMax(0, query.queryItemValue(QStringLiteral("offset")).toInt());
    // Page links carry every query item of this request, access_token too,
    // as Django REST framework's pagination does.
    const auto pageLink = [&](int pageOffset) -> QJsonValue {
        QUrl url = baseUrl();
        url.setPath(request.url.path());
        QUrlQuery page(query);
        page.removeAllQueryItems(QStringLiteral("limit"));
        page.removeAllQueryItems(QStringLiteral("offset"));
        page.addQueryItem(QStringLiteral("limit"), QString::number(limit));
        page.addQueryItem(QStringLiteral("offset"), QString::number(pageOffset));
        url.setQuery(page);
        return url.toString(QUrl::FullyEncoded);
    };
    return Page { offset, qMin(total, offset + limit), offset + limit < total ? pageLink(offset + limit) : QJsonValue(),
                  offset > 0 ? pageLink(qMax(0, offset - limit)) : QJsonValue() };
}

StandInReply OpenHumansStandIn::exchangeMember(const QString &memberId, const Request &request)
{
    const QList<OpenHumansStoredFile> all = m_store.files(memberId);
    const Page p = page(request, int(all.size()));
    QJsonArray data;
    for (int i = p.begin; i < p.end; ++i)
        data.append(fileObject(all.at(i)));
    return StandInReply::json(QJsonObject {
            { QStringLiteral("created"), isoTime(m_store.memberCreated(memberId)) },
            { QStringLiteral("project_member_id"), memberId },
            { QStringLiteral("message_permission"), false },
            { QStringLiteral("username"), QJsonValue::Null },
            { QStringLiteral("sources_shared"), QJsonArray() },
            { QStringLiteral("count"), all.size() },
            { QStringLiteral("next"), p.next },
            { QStringLiteral("previous"), p.previous },
            { QStringLiteral("data"), data },
    });
}

StandInReply OpenHumansStandIn::projectMembers(const Request &request)
{
    // The master token only (README, "Master token: every member of the project").
    const QString token = request.query.queryItemValue(QStringLiteral("access_token"), QUrl::FullyDecoded);
    switch (m_store.checkMaster(token)) {
    case OpenHumansStore::Access::Valid:
        break;
    case OpenHumansStore::Access::Expired:
        return detail(QStringLiteral("Expired token."), 401);
    case OpenHumansStore::Access::Invalid:
        return detail(QStringLiteral("Invalid token."), 401);
    }
    const QStringList members = m_store.memberIds();
    const Page p = page(request, int(members.size()));
    QJsonArray results;
    for (int i = p.begin; i < p.end; ++i) {
        const QString &memberId = members.at(i);
        const QList<OpenHumansStoredFile> files = m_store.files(memberId);
        QJsonArray data; // the first 10 files only, as Open Humans lists them
        for (int f = 0; f < files.size() && f < 10; ++f)
            data.append(fileObject(files.at(f)));
        QUrl exchange = baseUrl();
        exchange.setPath(QStringLiteral("/api/direct-sharing/project/exchange-member/"));
        exchange.setQuery(QStringLiteral("project_member_id=%1").arg(memberId));
        results.append(QJsonObject {
                { QStringLiteral("project_member_id"), memberId },
                { QStringLiteral("created"), isoTime(m_store.memberCreated(memberId)) },
                { QStringLiteral("file_count"), files.size() },
                { QStringLiteral("sources_shared"), QJsonArray() },
                { QStringLiteral("exchange_member"), exchange.toString(QUrl::FullyEncoded) },
                { QStringLiteral("data"), data },
        });
    }
    return StandInReply::json(QJsonObject {
            { QStringLiteral("count"), members.size() },
            { QStringLiteral("next"), p.next },
            { QStringLiteral("previous"), p.previous },
            { QStringLiteral("results"), results },
    });
}

StandInReply OpenHumansStandIn::downloadRedirect(const QString &fileId, const Request &request)
{
    StandInReply refusal;
    if (!checkSignature(request, downloadPurpose, fileId, &refusal))
        return refusal;
    const OpenHumansStoredFile *file = m_store.file(fileId);
    if (!file || !file->complete)
        return detail(QStringLiteral("Not found."), 404);
    return StandInReply::redirect(signedUrl(storagePath(fileId), getPurpose, fileId));
}

StandInReply OpenHumansStandIn::storageGet(const QString &fileId, const Request &request)
{
    StandInReply refusal;
    if (!checkSignature(request, getPurpose, fileId, &refusal))
        return refusal;
    const OpenHumansStoredFile *file = m_store.file(fileId);
    if (!file || !file->uploaded)
        return StandInReply::text("<Error><Code>NoSuchKey</Code></Error>", 404, "application/xml");
    return StandInReply::text(file->content, 200, "application/octet-stream");
}

StandInReply OpenHumansStandIn::uploadDirect(const QString &memberId, const Request &request)
{
    const QUrlQuery form = request.form();
    const auto fieldError = [](const QString &field, const QString &message) {
        return StandInReply::json(QJsonObject { { field, QJsonArray { message } } }, 400);
    };
    const QString filename = form.queryItemValue(QStringLiteral("filename"), QUrl::FullyDecoded);
    if (filename.isEmpty())
        return fieldError(QStringLiteral("filename"), QStringLiteral("This field is required."));
    QJsonParseError parseError;
    const QJsonDocument metadata = QJsonDocument::fromJson(
            form.queryItemValue(QStringLiteral("metadata"), QUrl::FullyDecoded).toUtf8(), &parseError);
    const QJsonObject meta = metadata.object();
    if (parseError.error != QJsonParseError::NoError || !metadata.isObject())
        return fieldError(QStringLiteral("metadata"), QStringLiteral("Metadata must be a JSON object."));
    if (!meta.value(QLatin1String("description")).isString())
        return fieldError(QStringLiteral("metadata"),
                          QStringLiteral("\"description\" is a required field of the metadata"));
    if (!meta.value(QLatin1String("tags")).isArray())
        return fieldError(QStringLiteral("metadata"), QStringLiteral("\"tags\" is a required field of the metadata"));
    QStringList tags;
    const QJsonArray tagArray = meta.value(QLatin1String("tags")).toArray();
    for (const QJsonValue &tag : tagArray)
        tags.append(tag.toString());
    const QString id = m_store.beginUpload(memberId, filename, meta.value(QLatin1String("description")).toString(),
                                           tags);
    return StandInReply::json(
            QJsonObject { { QStringLiteral("id"), id.toLongLong() },
                          { QStringLiteral("url"), signedUrl(storagePath(id), putPurpose, id).toString() } },
            201);
}

StandInReply OpenHumansStandIn::storagePut(const QString &fileId, const Request &request)
{
    StandInReply refusal;
    if (!checkSignature(request, putPurpose, fileId, &refusal))
        return refusal;
    PutRecord record { fileId, false, {} };
    record.contentType = request.header("Content-Type", &record.hadContentType);
    m_puts.append(record);
    // The URL was signed without a Content-Type; S3 counts one as part of the signature.
    if (record.hadContentType && m_options.rejectPutContentType)
        return StandInReply::text("<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature "
                                  "we calculated does not match the signature you provided.</Message></Error>",
                                  403, "application/xml");
    if (!m_store.storeUpload(fileId, request.body))
        return StandInReply::text("<Error><Code>NoSuchUpload</Code></Error>", 404, "application/xml");
    return StandInReply::text(QByteArray(), 200, QByteArray());
}

StandInReply OpenHumansStandIn::uploadComplete(const QString &memberId, const Request &request)
{
    const QUrlQuery form = request.form();
    const QString fileId = form.queryItemValue(QStringLiteral("file_id"), QUrl::FullyDecoded);
    if (fileId.isEmpty())
        return StandInReply::json(
                QJsonObject { { QStringLiteral("file_id"), QJsonArray { QStringLiteral("This field is required.") } } },
                400);
    const Result<qint64> size = m_store.completeUpload(memberId, fileId);
    if (!size && size.error().code == QLatin1String("file-not-present"))
        return detail(QStringLiteral("file not present"), 400);
    if (!size)
        return detail(QStringLiteral("Not found."), 404);
    return StandInReply::json(
            QJsonObject { { QStringLiteral("status"), QStringLiteral("ok") }, { QStringLiteral("size"), *size } });
}

StandInReply OpenHumansStandIn::deleteFiles(const QString &memberId, const Request &request)
{
    const QUrlQuery form = request.form();
    const QString fileId = form.queryItemValue(QStringLiteral("file_id"), QUrl::FullyDecoded);
    const QString basename = form.queryItemValue(QStringLiteral("file_basename"), QUrl::FullyDecoded);
    const QString all = form.queryItemValue(QStringLiteral("all_files")).toLower();
    const bool allFiles = all == QLatin1String("true") || all == QLatin1String("1");
    if (int(!fileId.isEmpty()) + int(!basename.isEmpty()) + int(allFiles) != 1)
        return detail(QStringLiteral("One (and only one) of file_id, file_basename and all_files must be "
                                     "specified."),
                      400);
    const QStringList ids = allFiles ? m_store.deleteFiles(memberId, OpenHumansStore::DeleteBy::All, {})
            : !fileId.isEmpty()      ? m_store.deleteFiles(memberId, OpenHumansStore::DeleteBy::FileId, fileId)
                                     : m_store.deleteFiles(memberId, OpenHumansStore::DeleteBy::Basename, basename);
    QJsonArray deleted;
    for (const QString &id : ids)
        deleted.append(id.toLongLong());
    return StandInReply::json(QJsonObject { { QStringLiteral("ids"), deleted } });
}

} // namespace openaps::standins
