#pragma once

#include "core/result.h"
#include "core/step.h"
#include "ingest/hostgate.h"
#include "ingest/ingeststore.h"
#include "ingest/typeingest.h"
#include "jobs/ohaccess.h"
#include "nightscout/client.h"
#include "openhumans/client.h"
#include "records/datatype.h"

#include <QElapsedTimer>
#include <QMap>
#include <QPointer>

#include <chrono>
#include <memory>

class QNetworkAccessManager;

namespace openaps::ingest {

// Settings shared by every participant run of a process.
struct IngestSettings
{
    QByteArray secretKey; // OPENAPS_SECRET_KEY: the scrubbing keys derive from it
    std::chrono::milliseconds overlap { std::chrono::hours(48) }; // re-read for late uploads
    ns::ClientOptions nightscout;
    // Devicestatus documents can be tens of KB each (prediction arrays): a
    // smaller page keeps one page's JSON, and so memory, bounded.
    int devicestatusPageSize = 500;
    QString holder; // this server instance, for the records
    Clock clock = systemClock();
};

// What one participant run did: the summary log line, the metrics and the
// `ingest --once` report are made from it.
struct ParticipantReport
{
    qint64 participantId = 0;
    RunRecord::Outcome outcome = RunRecord::Outcome::Ok;
    QString errorCode; // errors.h class when skipped or failed
    QString errorMessage;
    QMap<records::DataType, TypeStats> types;
    qint64 ohBytesDown = 0; // small files (URL, consent); segments are in `types`
    qint64 durationMs = 0;

    qint64 recordsRead() const { return total(&TypeStats::read); }
    qint64 recordsAdded() const { return total(&TypeStats::added); }
    qint64 nightscoutBytes() const { return total(&TypeStats::nsJsonBytes); }
    qint64 openHumansBytesUp() const { return total(&TypeStats::ohBytesUp); }
    qint64 openHumansBytesDown() const { return ohBytesDown + total(&TypeStats::ohBytesDown); }
    qint64 total(qint64 TypeStats::*field) const;
    // "participant=12 outcome=ok entries=+12 ... ns_bytes=... duration_ms=..."
    QString summaryLine() const;
};

// One participant's run: Open Humans token (refreshed only when about to
// expire), the URL and consent files, then each data type (TypeIngest), then
// the status the site shows and the backoff. `none` or no URL skips with a
// recorded reason; Open Humans access withdrawn marks the participant
// deauthorised. Never throws a participant's failure at anyone else.
class ParticipantIngest final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParticipantIngest)

public:
    ParticipantIngest(QNetworkAccessManager *nam, jobs::OhSession *tokens, IngestStore *store, HostGate *gate,
                      const IngestSettings &settings, qint64 participantId, QObject *parent = nullptr);

    void start();
    const ParticipantReport &report() const { return m_report; }

private:
    void listFiles();
    void readConsent();
    void readUrl();
    // The newest file of that name as text; nullopt when there is none.
    void fetchSmallFile(const QString &basename, std::function<void(std::optional<QString>)> onText);
    void startTypes(const ns::SiteUrl &site, const ns::Credentials &credentials);
    void nextType();
    void skip(const char *code, const QString &message);
    void fail(const Error &error);
    void complete();

    QNetworkAccessManager *m_nam;
    QPointer<jobs::OhSession> m_tokens;
    IngestStore *m_store;
    HostGate *m_gate;
    IngestSettings m_settings;
    IngestStore::Participant m_participant;
    QPointer<OhAccess> m_session;
    QPointer<ns::Client> m_nightscout;
    QPointer<ns::Client> m_devicestatus; // the same site, smaller pages
    std::unique_ptr<RecordScrubber> m_scrubber;
    MemberFiles m_files;
    QString m_consent;
    QHash<records::DataType, TypeCursor> m_cursors;
    QList<records::DataType> m_pendingTypes;
    std::optional<Error> m_typeError; // a data problem of one type; the others go on
    qint64 m_upToMs = 0;
    QElapsedTimer m_elapsed;
    ParticipantReport m_report;
};

} // namespace openaps::ingest
