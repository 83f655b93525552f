#include "etl/fileloader.h"

#include "etl/etllog.h"
#include "etl/postgreswriter.h"
#include "etl/recordmapper.h"
#include "etl/timezonehistory.h"
#include "metrics/cgmmetrics.h"
#include "records/datatype.h"
#include "records/ndjsonreader.h"

#include <QFile>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <utility>

namespace openaps::etl {

namespace {

constexpr size_t sampleSize = 20;
constexpr int loggedPerFile = 5;

} // namespace

QString FileReport::badLineSummary() const
{
    QStringList parts;
    for (const BadLine &bad : badLineSample)
        parts << QStringLiteral("line %1: %2").arg(bad.line).arg(bad.reason);
    if (badLines > qint64(badLineSample.size()))
        parts << QStringLiteral("%1 more").arg(badLines - qint64(badLineSample.size()));
    return parts.join(QLatin1String("; "));
}

FileReport &FileReport::operator+=(const FileReport &other)
{
    records += other.records;
    rows.inserted += other.rows.inserted;
    rows.updated += other.rows.updated;
    rows.duplicates += other.rows.duplicates;
    rows.rejected += other.rows.rejected;
    badLines += other.badLines;
    for (const BadLine &bad : other.badLineSample) {
        if (badLineSample.size() < sampleSize)
            badLineSample.push_back(bad);
    }
    if (readError.isEmpty())
        readError = other.readError;
    if (other.span)
        widen(other.span->first, other.span->second);
    for (auto it = other.days.cbegin(); it != other.days.cend(); ++it) {
        DayTally &t = days[it.key()];
        t.readings += it->readings;
        t.badLines += it->badLines;
    }
    return *this;
}

void FileReport::widen(qint64 fromMs, qint64 toMs)
{
    span = span ? std::pair { std::min(span->first, fromMs), std::max(span->second, toMs) }
                : std::pair { fromMs, toMs };
}

Result<TimeZoneHistory> FileLoader::timeZones(const db::Database &database, qint64 userId)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(*connection);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT start_date, created_at, timezone FROM profile "
                             "WHERE user_id = ? AND timezone IS NOT NULL"));
    q.addBindValue(userId);
    if (!q.exec())
        return db::sqlError("reading profile time zones", q.lastError());
    TimeZoneHistory zones;
    while (q.next()) {
        QDateTime from = q.value(0).toDateTime();
        if (!from.isValid())
            from = q.value(1).toDateTime();
        zones.add(from.isValid() ? from.toMSecsSinceEpoch() : 0, q.value(2).toString());
    }
    return zones;
}

Result<FileReport> FileLoader::loadFile(const QString &path, records::DataType type, const LoadTarget &target)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError("file", QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
    return load(&file, type, target);
}

Result<FileReport> FileLoader::load(QIODevice *device, records::DataType type, const LoadTarget &target)
{
    auto zones = timeZones(m_database, target.userId);
    if (!zones)
        return zones.error();
    RecordMapper mapper(
            type,
            MappingContext { target.userId, target.sourceEntity, &*zones, target.keys ? &*target.keys : nullptr });
    auto created = BulkWriter::create(m_database, records::tableFor(type), target.guard);
    if (!created)
        return created.error();
    BulkWriter &writer = **created;
    writer.setBeforeCommit(m_beforeCommit);
    if (m_batchBytes > 0) {
        if (auto *pgWriter = dynamic_cast<PostgresWriter *>(&writer))
            pgWriter->setBatchLimits(m_batchBytes, m_batchBytes / 64);
    }

    FileReport report;
    int logged = 0;
    std::optional<qint64> lastDay; // of the last good record
    qint64 badBeforeFirstDay = 0;
    const records::TableSpec &spec = records::tableFor(type);
    const auto offsetColumn = std::find_if(spec.columns.cbegin(), spec.columns.cend(),
                                           [](const records::Column &c) { return qstrcmp(c.name, "utc_offset") == 0; });
    const auto offsetIndex = size_t(offsetColumn - spec.columns.cbegin());
    auto bad = [&](qint64 line, const QString &reason) {
        ++report.badLines;
        if (lastDay)
            ++report.days[*lastDay].badLines;
        else
            ++badBeforeFirstDay;
        if (report.badLineSample.size() < sampleSize)
            report.badLineSample.push_back({ line, reason });
        if (logged++ < loggedPerFile)
            qCWarning(lcEtl, "%s: bad line %lld: %s", qPrintable(target.label), line, qPrintable(reason));
    };

    records::NdjsonReader reader(device);
    while (auto record = reader.next()) {
        ++report.records;
        if (!record->problem.isEmpty()) {
            bad(record->line, record->problem);
            continue;
        }
        if (auto problem = mapper.map(record->bytes)) {
            bad(record->line, *problem);
            continue;
        }
        const Row &row = mapper.row();
        std::optional<qint64> time;
        for (const Field &f : row) {
            if (f.kind == Field::Time) {
                report.widen(f.ms, f.ms);
                time = time.value_or(f.ms);
            }
        }
        if (time) {
            const int offset = offsetIndex < row.size() && row[offsetIndex].kind == Field::Integer
                    ? int(row[offsetIndex].integer)
                    : 0;
            lastDay = metrics::localDay({ *time, offset, 0 });
            DayTally &tally = report.days[*lastDay];
            tally.badLines += std::exchange(badBeforeFirstDay, 0);
            if (type == records::DataType::Entries && row[records::EntryCol::Type].bytes == "sgv")
                ++tally.readings;
        }
        if (const auto &zone = mapper.profileZone())
            zones->add(zone->first, zone->second);
        if (auto s = writer.add(mapper.row(), mapper.hasMetrics() ? &mapper.metrics() : nullptr, record->line); !s)
            return s.error();
        if (m_progress && report.records % m_progressEvery == 0) {
            report.rows = writer.counts();
            m_progress(report);
        }
    }
    if (auto s = writer.flush(); !s)
        return s.error();
    report.rows = writer.counts();
    for (const Rejection &r : writer.rejections())
        bad(r.line, r.reason);
    report.badLines += writer.counts().rejected - qint64(writer.rejections().size());
    report.readError = reader.error();
    if (!report.readError.isEmpty())
        qCWarning(lcEtl, "%s: reading stopped after line %lld: %s", qPrintable(target.label), report.records,
                  qPrintable(report.readError));
    if (logged > loggedPerFile)
        qCWarning(lcEtl, "%s: %lld bad lines in all", qPrintable(target.label), report.badLines);
    if (m_progress)
        m_progress(report);
    return report;
}

} // namespace openaps::etl
