#include "openhumans/uploadjob.h"

#include "openhumans/api.h"
#include "openhumans/openhumanslog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace openaps::oh {

UploadJob::UploadJob(ClientContext context, QString accessToken, UploadRequest upload, QObject *parent)
    : ValueJob(parent),
      m_context(std::move(context)),
      m_accessToken(std::move(accessToken)),
      m_upload(std::move(upload))
{ }

void UploadJob::run()
{
    setDeadline(m_context.settings.operationTimeout);
    if (m_upload.filename.isEmpty() || m_upload.filename.contains(QLatin1Char('/')))
        return failAt(Step::Register,
                      makeError("bad-request",
                                QStringLiteral("The file needs a name "
                                               "without slashes.")));
    const QJsonObject metadata {
        { QStringLiteral("description"), m_upload.metadata.description },
        { QStringLiteral("tags"), QJsonArray::fromStringList(m_upload.metadata.tags) },
    };
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("filename"), m_upload.filename);
    form.addQueryItem(QStringLiteral("metadata"),
                      QString::fromUtf8(QJsonDocument(metadata).toJson(QJsonDocument::Compact)));
    api::addMember(form, m_context);
    const QUrl url = api::withAccessToken(api::endpoint(m_context.settings, api::uploadDirectPath), m_accessToken);
    m_call = HttpCall::start(m_context.nam, api::formPost(m_context.settings, url, form), this,
                             [this](Result<HttpResponse> reply) {
                                 if (!reply)
                                     return failAt(Step::Register, reply.error());
                                 if (!api::isSuccess(*reply))
                                     return failAt(Step::Register, api::errorFor(*reply));
                                 const auto target = api::parseUploadTarget(*reply);
                                 if (!target)
                                     return failAt(Step::Register, target.error());
                                 m_fileId = target->fileId;
                                 transfer(target->url);
                             });
}

void UploadJob::transfer(const QUrl &storageUrl)
{
    HttpRequest put;
    put.verb = "PUT";
    put.request = QNetworkRequest(storageUrl); // deliberately no Content-Type
    put.body = m_upload.data;
    put.timeout = m_context.settings.requestTimeout;
    put.maxAttempts = m_context.settings.maxAttempts;
    put.firstBackoff = m_context.settings.firstBackoff;
    m_call = HttpCall::start(m_context.nam, std::move(put), this, [this](Result<HttpResponse> reply) {
        if (!reply)
            return failAt(Step::Transfer, reply.error());
        if (!api::isSuccess(*reply))
            return failAt(Step::Transfer, api::errorFor(*reply));
        complete();
    });
}

void UploadJob::complete()
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("file_id"), m_fileId);
    api::addMember(form, m_context);
    const QUrl url = api::withAccessToken(api::endpoint(m_context.settings, api::uploadCompletePath), m_accessToken);
    m_call = HttpCall::start(m_context.nam, api::formPost(m_context.settings, url, form), this,
                             [this](Result<HttpResponse> reply) {
                                 if (!reply)
                                     return failAt(Step::Complete, reply.error());
                                 if (!api::isSuccess(*reply))
                                     return failAt(Step::Complete, api::errorFor(*reply));
                                 const auto size = api::parseUploadComplete(*reply);
                                 if (!size)
                                     return failAt(Step::Complete, size.error());
                                 if (*size != m_upload.data.size())
                                     return failAt(Step::Complete,
                                                   makeError("size-mismatch",
                                                             QStringLiteral("Open Humans stored %1 bytes but %2 "
                                                                            "were sent.")
                                                                     .arg(*size)
                                                                     .arg(m_upload.data.size())));
                                 qCInfo(lcOpenHumans) << "uploaded file" << m_fileId << "with" << *size << "bytes";
                                 finish(UploadResult { m_fileId, *size });
                             });
}

void UploadJob::failAt(Step step, const Error &cause)
{
    static const char *const names[] = { "", "registering the file", "sending the data to storage",
                                         "confirming the upload" };
    m_failedStep = step;
    finish(Error { cause.code,
                   QStringLiteral("Uploading %1 failed at step %2 of 3 (%3): %4")
                           .arg(m_upload.filename)
                           .arg(int(step))
                           .arg(QLatin1String(names[int(step)]), cause.message) });
}

void UploadJob::cancelNetwork()
{
    if (m_call)
        m_call->abort();
}

} // namespace openaps::oh
