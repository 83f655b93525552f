#pragma once

// A small stand-in for the researcher API (/tmp contract v1) on loopback,
// for testing the desktop client where the real server cannot easily be
// made to misbehave: a body cut off mid-stream, a slow stream to cancel.
// It answers exactly as the contract says, from memory.

#include "metrics/cgmmetrics.h"

#include <QHttpServer>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <memory>

namespace openaps::test {

class ContractServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ContractServer)

public:
    struct Account
    {
        qint64 id;
        QString name, email, institution, purpose, password, status, scope;
        bool isAdmin = false;
    };
    enum class StreamMode { Complete, CutOff, Slow };

    ContractServer();
    ~ContractServer() override;

    bool listen();
    QUrl url() const;

    void addAccount(const Account &account);
    const Account *account(const QString &email) const;
    void setEntries(const QMap<QString, QList<metrics::Reading>> &readings);
    QByteArray entriesCsv() const { return m_csv; }
    // The entries export's body as given, announcing `rows` rows.
    void setEntriesCsv(const QByteArray &csv, qint64 rows)
    {
        m_csv = csv;
        m_rows = rows;
    }
    void setStreamMode(StreamMode mode) { m_mode = mode; }
    // What GET /export/{dataset}/count answers when it is not the rows sent
    // (rows that arrived between the count and the download); -1: the rows sent.
    void setCountAnswer(qint64 rows) { m_countAnswer = rows; }
    // What GET /datasets names (a hostile server's names, say); default the six real ones.
    void setDatasetNames(const QStringList &names) { m_datasetNames = names; }
    void expireTokens() { m_tokens.clear(); }
    // What GET /cohort/{view}, /participants and participant_summary's NDJSON export answer.
    void setCohortViews(const QMap<QString, QJsonObject> &views) { m_cohort = views; }
    void setParticipants(const QJsonArray &list, const QByteArray &summaryNdjson)
    {
        m_participants = list;
        m_summaries = summaryNdjson;
    }
    // The one release GET /releases lists, GET /releases/{id} describes and
    // GET /releases/{id}/file serves (whole, with its ETag and Repr-Digest):
    // a zip the test made, which may disagree with its own manifest.
    void setRelease(const QJsonObject &info, const QByteArray &zip)
    {
        m_release = info;
        m_releaseZip = zip;
    }
    QString lastCode() const { return m_code; } // the "emailed" code
    QUrlQuery lastExportQuery() const { return m_lastExportQuery; }

private:
    QHttpServerResponse error(const char *code, const QString &message) const;
    const Account *bearer(const QHttpServerRequest &request) const;
    void stream(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    QHttpServer m_server;
    std::unique_ptr<QTcpServer> m_tcp;
    QList<Account> m_accounts;
    QMap<QString, qint64> m_tokens; // token -> account id
    QByteArray m_csv;
    qint64 m_rows = 0;
    qint64 m_countAnswer = -1;
    StreamMode m_mode = StreamMode::Complete;
    QUrlQuery m_lastExportQuery;
    QMap<QString, QJsonObject> m_cohort;
    QJsonArray m_participants;
    QByteArray m_summaries;
    QJsonObject m_release;
    QByteArray m_releaseZip;
    QStringList m_datasetNames { QStringLiteral("entries"),       QStringLiteral("treatments"),
                                 QStringLiteral("device_status"), QStringLiteral("device_status_metrics"),
                                 QStringLiteral("profile"),       QStringLiteral("member_demographics") };
    QString m_code = QStringLiteral("123456");
};

} // namespace openaps::test
