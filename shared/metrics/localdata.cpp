#include "metrics/localdata.h"

#include "metrics/exportfile.h"
#include "metrics/zipmember.h"

#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace openaps::metrics {

namespace {

double number(const QByteArray &text)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    return ok && std::isfinite(v) ? v : qQNaN();
}

qint64 when(const QByteArray &text)
{
    if (text.isEmpty())
        return -1;
    return parseIsoUtcMs(text);
}

// The participant's list, created on first sight.
struct Collector
{
    LocalData &data;
    QString lastId;
    ParticipantRecords *last = nullptr;

    ParticipantRecords &of(const QByteArray &user)
    {
        const QString id = QString::fromUtf8(user);
        if (!last || id != lastId) {
            if (!data.participants.contains(id))
                data.participants.append(id);
            lastId = id;
            last = &data.records[id];
        }
        return *last;
    }
};

QString decisionText(const QList<QByteArray> &v, int rate, int duration, int failure)
{
    if (failure >= 0 && !v[failure].isEmpty())
        return QStringLiteral("failed: %1").arg(QString::fromUtf8(v[failure]));
    const double r = rate >= 0 ? number(v[rate]) : qQNaN();
    if (std::isnan(r))
        return {};
    const double d = duration >= 0 ? number(v[duration]) : qQNaN();
    return std::isnan(d) ? QStringLiteral("temp basal %1 U/h").arg(r)
                         : QStringLiteral("temp basal %1 U/h for %2 min").arg(r).arg(d);
}

Status readRecords(const ExportSource &path, const QString &dataset, LocalData &data, const LoadProgress &progress)
{
    Collector collect { data, {}, nullptr };
    const auto count = [&](qint64 utcMs) {
        ++data.rows;
        if (utcMs < 0)
            ++data.skipped;
        return utcMs >= 0;
    };
    if (dataset == QLatin1String("treatments")) {
        const QStringList cols { QStringLiteral("user_id"),    QStringLiteral("timestamp"),
                                 QStringLiteral("created_at"), QStringLiteral("utc_offset"),
                                 QStringLiteral("event_type"), QStringLiteral("insulin"),
                                 QStringLiteral("carbs") };
        return readExportRows(
                path, cols,
                [&](const QList<QByteArray> &v) {
                    const qint64 t = v[1].isEmpty() ? when(v[2]) : when(v[1]);
                    if (count(t))
                        collect.of(v[0]).treatments.append(
                                { t, v[3].toInt(), QString::fromUtf8(v[4]), number(v[5]), number(v[6]) });
                },
                progress, &data.skipped);
    }
    if (dataset == QLatin1String("profile")) {
        const QStringList cols { QStringLiteral("user_id"),    QStringLiteral("start_date"),
                                 QStringLiteral("created_at"), QStringLiteral("default_profile"),
                                 QStringLiteral("units"),      QStringLiteral("timezone") };
        return readExportRows(
                path, cols,
                [&](const QList<QByteArray> &v) {
                    const qint64 t = v[1].isEmpty() ? when(v[2]) : when(v[1]);
                    if (count(t))
                        collect.of(v[0]).profiles.append(
                                { t, QString::fromUtf8(v[3]), QString::fromUtf8(v[4]), QString::fromUtf8(v[5]) });
                },
                progress, &data.skipped);
    }
    // device_status (Loop's own columns) and device_status_metrics (OpenAPS
    // and Loop figures, the loop's decisions) both become loop cycles.
    const bool metricsFile = dataset == QLatin1String("device_status_metrics");
    const QStringList cols = metricsFile
            ? QStringList { QStringLiteral("user_id"),
                            QStringLiteral("created_at"),
                            QStringLiteral("utc_offset"),
                            QStringLiteral("iob_iob"),
                            QStringLiteral("enacted_cob"),
                            QStringLiteral("suggested_cob"),
                            QStringLiteral("enacted_eventual_bg"),
                            QStringLiteral("suggested_eventual_bg"),
                            QStringLiteral("enacted_rate"),
                            QStringLiteral("enacted_duration") }
            : QStringList { QStringLiteral("user_id"),    QStringLiteral("created_at"),
                            QStringLiteral("utc_offset"), QStringLiteral("loop_iob"),
                            QStringLiteral("loop_cob"),   QStringLiteral("loop_failure_reason") };
    return readExportRows(
            path, cols,
            [&](const QList<QByteArray> &v) {
                const qint64 t = when(v[1]);
                if (!count(t))
                    return;
                LoopStatus s { t, v[2].toInt(), number(v[3]), number(v[4]), qQNaN(), {} };
                if (metricsFile) {
                    if (std::isnan(s.cob))
                        s.cob = number(v[5]);
                    s.eventualBg = v[6].isEmpty() ? number(v[7]) : number(v[6]);
                    s.decision = decisionText(v, 8, 9, -1);
                } else {
                    s.decision = decisionText(v, -1, -1, 5);
                }
                collect.of(v[0]).loop.append(s);
            },
            progress, &data.skipped);
}

// Entries in NDJSON (CSV takes the fast path of loadEntriesCsvFile).
Result<EntriesData> readEntriesNdjson(const ExportSource &path, const LoadProgress &progress)
{
    EntriesData out;
    QString lastId;
    QList<Reading> *current = nullptr;
    const QStringList cols { QStringLiteral("user_id"), QStringLiteral("date"), QStringLiteral("sgv"),
                             QStringLiteral("utc_offset") };
    const Status read = readExportRows(
            path, cols,
            [&](const QList<QByteArray> &v) {
                ++out.rows;
                const qint64 t = when(v[1]);
                const double sgv = number(v[2]);
                if (t < 0 || std::isnan(sgv)) {
                    ++out.skipped;
                    return;
                }
                const QString id = QString::fromUtf8(v[0]);
                if (!current || id != lastId) {
                    if (!out.readings.contains(id))
                        out.participants.append(id);
                    lastId = id;
                    current = &out.readings[id];
                }
                current->append({ t, v[3].toInt(), sgv });
            },
            progress, &out.skipped);
    if (!read)
        return read.error();
    return out;
}

void mergeEntries(EntriesData &into, EntriesData &&more)
{
    into.rows += more.rows;
    into.skipped += more.skipped;
    for (const QString &id : std::as_const(more.participants)) {
        if (!into.readings.contains(id))
            into.participants.append(id);
        into.readings[id].append(more.readings.take(id));
    }
}

template <typename T> void sortByTime(QList<T> &list, qint64 T::*field)
{
    std::stable_sort(list.begin(), list.end(), [field](const T &a, const T &b) { return a.*field < b.*field; });
}

// What `path` holds for the local view: the file itself, or a release
// zip's data set files (others, such as data_dictionary.csv, left out).
Result<QList<ExportSource>> sourcesOf(const QString &path)
{
    if (!isZipFile(path))
        return QList<ExportSource> { ExportSource(path) };
    auto names = zipMemberNames(path);
    if (!names)
        return names.error();
    QList<ExportSource> sources;
    for (const QString &name : std::as_const(*names)) {
        if (!name.endsWith(QLatin1String(".csv")) && !name.endsWith(QLatin1String(".ndjson")))
            continue;
        auto header = readExportHeader(ExportSource(path, name));
        if (header && !datasetOf(header->columns).isEmpty())
            sources << ExportSource(path, name);
    }
    return sources;
}

Result<EntriesData> readEntriesCsv(const ExportSource &source, const LoadProgress &progress)
{
    if (source.member.isEmpty())
        return loadEntriesCsvFile(source.path, progress);
    ZipMember member;
    if (Status opened = member.openMember(source.path, source.member); !opened)
        return opened.error();
    return loadEntriesCsv(member, [&](qint64) { return !progress || progress(member.zipBytesRead()); });
}

Error noneShown(const QString &name)
{
    return makeError("not-export",
                     QStringLiteral("%1 holds none of the data sets the local view shows (entries, "
                                    "treatments, device status, profile).")
                             .arg(name));
}

} // namespace

QString datasetOf(const QStringList &c)
{
    if (c.contains(QLatin1String("sgv")) && c.contains(QLatin1String("date")))
        return QStringLiteral("entries");
    if (c.contains(QLatin1String("event_type")) && c.contains(QLatin1String("timestamp")))
        return QStringLiteral("treatments");
    if (c.contains(QLatin1String("device_status_id")) && c.contains(QLatin1String("iob_iob")))
        return QStringLiteral("device_status_metrics");
    if (c.contains(QLatin1String("loop_iob")) && c.contains(QLatin1String("created_at")))
        return QStringLiteral("device_status");
    if (c.contains(QLatin1String("default_profile")) && c.contains(QLatin1String("start_date")))
        return QStringLiteral("profile");
    return {};
}

const ParticipantAnalysis *LocalData::entriesOf(const QString &participant) const
{
    for (const ParticipantAnalysis &p : entries.participants) {
        if (p.participant == participant)
            return &p;
    }
    return nullptr;
}

const ParticipantRecords *LocalData::recordsOf(const QString &participant) const
{
    const auto it = records.constFind(participant);
    return it == records.cend() ? nullptr : &*it;
}

Result<LocalData> loadLocalFiles(const QStringList &paths, const LoadProgress &progress)
{
    LocalData data;
    EntriesData entries;
    bool haveEntries = false;
    qint64 done = 0; // bytes of the files before this one
    for (const QString &path : paths) {
        const LoadProgress fileProgress = [&](qint64 bytes) { return !progress || progress(done + bytes); };
        auto sources = sourcesOf(path);
        if (!sources)
            return sources.error();
        if (sources->isEmpty())
            return noneShown(QFileInfo(path).fileName());
        for (const ExportSource &source : std::as_const(*sources)) {
            auto header = readExportHeader(source);
            if (!header)
                return header.error();
            const QString dataset = datasetOf(header->columns);
            if (dataset.isEmpty())
                return noneShown(source.name());
            data.datasets.append(dataset);
            if (dataset == QLatin1String("entries")) {
                auto more = header->ndjson ? readEntriesNdjson(source, fileProgress)
                                           : readEntriesCsv(source, fileProgress);
                if (!more)
                    return more.error();
                if (!haveEntries)
                    entries = std::move(*more);
                else
                    mergeEntries(entries, std::move(*more));
                haveEntries = true;
            } else if (Status read = readRecords(source, dataset, data, fileProgress); !read) {
                return read.error();
            }
        }
        done += QFileInfo(path).size();
    }
    for (auto it = data.records.begin(); it != data.records.end(); ++it) {
        sortByTime(it->treatments, &Treatment::utcMs);
        sortByTime(it->loop, &LoopStatus::utcMs);
        sortByTime(it->profiles, &ProfileRecord::startUtcMs);
    }
    const QStringList others = data.participants;
    data.participants = entries.participants;
    for (const QString &id : others) {
        if (!data.participants.contains(id))
            data.participants.append(id);
    }
    data.rows += entries.rows;
    data.skipped += entries.skipped;
    data.entries = analyse(std::move(entries));
    return data;
}

} // namespace openaps::metrics
