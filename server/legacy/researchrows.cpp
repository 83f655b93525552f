#include "legacy/researchrows.h"

#include "db/sqlhelpers.h"
#include "etl/bulkwriter.h"
#include "etl/fileloader.h"
#include "etl/recordmapper.h"
#include "etl/timezonehistory.h"
#include "ingest/recordprep.h"
#include "legacy/copyreader.h"
#include "legacy/legacylog.h"
#include "privacy/participantdata.h"
#include "records/consent.h"
#include "records/researchtables.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <memory>
#include <unordered_map>

namespace openaps::legacy {

namespace {

const QLatin1String kSharingConsent("sharing_consent");

QString alreadyThere()
{
    return QStringLiteral("already migrated, or a repeat of a record in the old table");
}

// How one member's records are mapped: their pseudonym and consent, their
// profile time zones, their scrubbing key.
struct MemberMapping
{
    std::unique_ptr<etl::TimeZoneHistory> zones;
    std::unique_ptr<etl::RecordMapper> mapper;
    std::unique_ptr<ingest::RecordScrubber> scrubber;
};

// One old table copied batch by batch. A batch holds rows of many members
// (the old ETL appended each member's new records every hour, so members
// interleave in the old tables) and goes through one BulkWriter. Erasure: a
// member erased before the run is not in the directory; one erased while a
// batch is written is found by the tombstone check after the batch commits,
// and their rows are removed again (the tombstone is permanent, so checking
// after each commit leaves nothing of them behind) and no more are written.
class TableCopy
{
public:
    TableCopy(const RowsContext &context, const ResearchSource &source) : m_context(context), m_source(source) { }

    Result<TableCounts> run();

private:
    Status row(const std::vector<QByteArray> &fields);
    MemberMapping &mappingFor(qint64 oldUserId, const LegacyMember &member);
    Status endBatch(qint64 lastKey);
    Status removeErased();

    const RowsContext &m_context;
    const ResearchSource &m_source;
    std::unique_ptr<etl::BulkWriter> m_writer; // null in a dry run
    etl::WriteCounts m_booked;
    size_t m_bookedRejections = 0;
    std::unordered_map<qint64, MemberMapping> m_mappings; // references stay valid
    QSet<qint64> m_batchMembers; // old user ids with rows in the batch
    TableCounts m_batch;
    TableCounts m_total;
};

MemberMapping &TableCopy::mappingFor(qint64 oldUserId, const LegacyMember &member)
{
    auto it = m_mappings.find(oldUserId);
    if (it != m_mappings.end())
        return it->second;
    MemberMapping mapping;
    auto zones = etl::FileLoader::timeZones(m_context.members.target, member.pseudonym);
    mapping.zones = std::make_unique<etl::TimeZoneHistory>(zones ? *zones : etl::TimeZoneHistory());
    mapping.mapper = std::make_unique<etl::RecordMapper>(m_source.type,
                                                         etl::MappingContext { member.pseudonym, member.sourceEntity(),
                                                                               mapping.zones.get(),
                                                                               &m_context.members.keys });
    mapping.scrubber = std::make_unique<ingest::RecordScrubber>(m_context.members.secretKey, member.memberId,
                                                                member.consent());
    return m_mappings.emplace(oldUserId, std::move(mapping)).first->second;
}

Status TableCopy::row(const std::vector<QByteArray> &fields)
{
    ++m_batch.read;
    if (fields.size() != 3)
        return makeError("legacy-read", QStringLiteral("The old table gave an unexpected row shape."));
    if (fields[1].isNull()) {
        m_batch.fail(QStringLiteral("no member id"));
        return {};
    }
    const qint64 oldUserId = fields[1].toLongLong();
    LegacyMember *member = m_context.directory->find(oldUserId);
    if (!member) {
        m_batch.skip(m_context.directory->reasonFor(oldUserId));
        return {};
    }
    if (fields[2].isNull()) {
        m_batch.fail(QStringLiteral("no raw_json (only the typed columns)"));
        return {};
    }
    const QJsonDocument document = QJsonDocument::fromJson(fields[2]);
    if (!document.isObject()) {
        m_batch.fail(QStringLiteral("raw_json is not a JSON object"));
        return {};
    }
    MemberMapping &mapping = mappingFor(oldUserId, *member);
    // The old pipeline's own keys (user_id: the member id; source_entity)
    // were removed by the query, so the member id never reaches research data.
    QJsonObject record = document.object();
    const QString word = record.value(kSharingConsent).toString();
    if (!word.isEmpty()) {
        const qint64 at = ingest::recordTimeMs(m_source.type, record);
        if (records::parseConsent(word) && at > member->stampedMs) {
            member->stampedConsent = word;
            member->stampedMs = at;
            member->stampChanged = true;
        }
    }
    QByteArray json = fields[2];
    if (m_source.type == records::DataType::Treatments || m_source.type == records::DataType::DeviceStatus) {
        // enteredBy and device: scrubbed as the ingest scrubs them. The
        // consent stays what the record said when it was written (or none).
        record = mapping.scrubber->prepare(m_source.type, std::move(record));
        if (word.isEmpty())
            record.remove(kSharingConsent);
        else
            record.insert(kSharingConsent, word);
        json = QJsonDocument(record).toJson(QJsonDocument::Compact);
    }
    etl::RecordMapper &mapper = *mapping.mapper;
    if (auto problem = mapper.mapObject(record, json)) {
        m_batch.fail(*problem);
        return {};
    }
    if (const auto &zone = mapper.profileZone())
        mapping.zones->add(zone->first, zone->second);
    if (!m_writer) {
        ++m_batch.copied; // dry run: would be copied unless already there
        return {};
    }
    m_batchMembers.insert(oldUserId);
    return m_writer->add(mapper.row(), mapper.hasMetrics() ? &mapper.metrics() : nullptr, fields[0].toLongLong());
}

Status TableCopy::removeErased()
{
    auto db = m_context.members.target.connection();
    if (!db)
        return db.error();
    auto stones = privacy::allTombstones(*db);
    if (!stones)
        return stones.error();
    for (const qint64 oldUserId : std::as_const(m_batchMembers)) {
        LegacyMember *member = m_context.directory->find(oldUserId);
        if (!member || !stones->contains(m_context.members.keys.tombstone(member->memberId)))
            continue;
        qCInfo(lcLegacy, "a member was erased during the migration; their rows are removed again");
        auto removed = privacy::removeParticipantData(m_context.members.target, member->pseudonym,
                                                      member->participantId);
        if (!removed)
            return removed.error();
        member->erased = true;
        m_context.directory->exclude(oldUserId, reason::erased());
    }
    m_batchMembers.clear();
    return {};
}

Status TableCopy::endBatch(qint64 lastKey)
{
    if (m_writer) {
        if (auto s = m_writer->flush(); !s)
            return s;
        const etl::WriteCounts &now = m_writer->counts();
        m_batch.copied += (now.inserted - m_booked.inserted) + (now.updated - m_booked.updated);
        if (now.duplicates > m_booked.duplicates)
            m_batch.skip(alreadyThere(), now.duplicates - m_booked.duplicates);
        const auto &rejections = m_writer->rejections();
        for (size_t i = m_bookedRejections; i < rejections.size(); ++i)
            m_batch.fail(QStringLiteral("refused by the database: %1").arg(rejections[i].reason));
        const qint64 unlisted = (now.rejected - m_booked.rejected) - qint64(rejections.size() - m_bookedRejections);
        if (unlisted > 0)
            m_batch.fail(QStringLiteral("refused by the database"), unlisted);
        m_booked = now;
        m_bookedRejections = rejections.size();
        if (auto s = removeErased(); !s)
            return s;
        if (auto s = saveStamps(m_context.members.target, *m_context.directory); !s)
            return s;
    }
    if (auto s = m_context.members.book->advance(QLatin1String(m_source.table), lastKey, m_batch); !s)
        return s;
    const bool empty = m_batch.read == 0;
    m_total += m_batch;
    m_batch = TableCounts();
    if (m_context.members.progress && (!empty || m_total.read == 0))
        m_context.members.progress(QStringLiteral("%1: %2 rows read (copied %3, skipped %4, bad %5)")
                                           .arg(QLatin1String(m_source.table))
                                           .arg(m_total.read)
                                           .arg(m_total.copied)
                                           .arg(m_total.skippedRows())
                                           .arg(m_total.badRows()));
    return {};
}

Result<TableCounts> TableCopy::run()
{
    const QString table = QLatin1String(m_source.table);
    auto after = m_context.members.book->position(table);
    if (!after)
        return after.error();
    if (!m_context.members.book->dryRun()) {
        // Erasure is checked after each batch (above), for all its members.
        auto writer = etl::BulkWriter::create(m_context.members.target, records::tableFor(m_source.type),
                                              privacy::WriteGuard {});
        if (!writer)
            return writer.error();
        m_writer = std::move(*writer);
    }
    // Every member's mapping now: making one reads their profile time zones
    // on the target's connection, which in the middle of a batch would end
    // the writer's COPY and send the batch down the staging path (several
    // times slower; the rows are the same).
    for (auto it = m_context.directory->members().begin(); it != m_context.directory->members().end(); ++it) {
        if (!it->erased)
            mappingFor(it.key(), it.value());
    }
    auto source = m_context.members.source.connection();
    if (!source)
        return source.error();
    CopyReader reader;
    if (auto s = reader.start(
                *source,
                QStringLiteral("SELECT seq_id, user_id, CASE WHEN jsonb_typeof(raw_json) = 'object' "
                               "THEN raw_json - '{user_id,source_entity}'::text[] ELSE raw_json END FROM %1 "
                               "WHERE seq_id > current_setting('legacy.p1')::bigint ORDER BY seq_id")
                        .arg(table),
                { *after });
        !s)
        return s.error();
    std::vector<QByteArray> fields;
    qint64 lastKey = *after;
    while (reader.next(fields)) {
        lastKey = fields.empty() ? lastKey : fields[0].toLongLong();
        Status s = row(fields);
        if (s && m_batch.read >= m_context.batchRows)
            s = endBatch(lastKey);
        if (!s) {
            reader.cancel();
            return s.error();
        }
    }
    if (reader.error())
        return *reader.error();
    if (auto s = endBatch(lastKey); !s)
        return s.error();
    return m_total;
}

} // namespace

const std::vector<ResearchSource> &researchSources()
{
    static const std::vector<ResearchSource> sources {
        { "openaps.profile", records::DataType::Profile },
        { "openaps.device_status", records::DataType::DeviceStatus },
        { "openaps.treatments", records::DataType::Treatments },
        { "openaps.entries", records::DataType::Entries },
    };
    return sources;
}

Result<TableCounts> copyResearchRows(const RowsContext &context, const ResearchSource &source)
{
    return TableCopy(context, source).run();
}

Result<TableCounts> countOldMetrics(const MemberContext &context)
{
    const QString table = QStringLiteral("openaps.device_status_metrics");
    auto after = context.book->position(table);
    if (!after)
        return after.error();
    auto q = sql::exec(context.source,
                       QStringLiteral("SELECT count(*), max(seq_id) FROM openaps.device_status_metrics "
                                      "WHERE seq_id > ?"),
                       { *after }, "counting the old device_status_metrics");
    if (!q)
        return q.error();
    TableCounts counts;
    if (q->next() && q->value(0).toLongLong() > 0) {
        counts.read = q->value(0).toLongLong();
        counts.skip(QStringLiteral("rebuilt from its device_status record's raw_json"), counts.read);
        if (auto s = context.book->advance(table, q->value(1).toLongLong(), counts); !s)
            return s.error();
    }
    return counts;
}

} // namespace openaps::legacy
