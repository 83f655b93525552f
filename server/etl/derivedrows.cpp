#include "etl/derivedrows.h"

#include "db/sqlhelpers.h"
#include "etl/dataquality.h"
#include "etl/participantsummary.h"
#include "etl/sqldialect.h"

namespace openaps::etl {

namespace {

// Below SQLite's oldest limit of bound values per statement (999).
constexpr qsizetype maxBinds = 900;

QVariant optionalReal(const std::optional<double> &value)
{
    return value ? QVariant(*value) : sql::nullReal();
}

QVariant optionalText(const QString &value)
{
    return value.isEmpty() ? sql::nullText() : QVariant(value);
}

QVariant optionalInt(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

QVariant dayNumber(qint64 day)
{
    return day;
}

} // namespace

void insertRows(sql::Batch &batch, const QString &table, const QStringList &columns, const QList<QVariantList> &rows,
                const char *what)
{
    const qsizetype perStatement = std::max<qsizetype>(1, maxBinds / columns.size());
    const QString row = QLatin1Char('(') + QStringList(columns.size(), QStringLiteral("?")).join(QLatin1Char(','))
            + QLatin1Char(')');
    const QString head = QStringLiteral("INSERT INTO %1 (%2) VALUES ").arg(table, columns.join(QStringLiteral(", ")));
    for (qsizetype start = 0; start < rows.size(); start += perStatement) {
        const qsizetype n = std::min(perStatement, rows.size() - start);
        QVariantList binds;
        binds.reserve(n * columns.size());
        for (qsizetype i = start; i < start + n; ++i)
            binds += rows[i];
        batch.add(head + QStringList(n, row).join(QLatin1Char(',')), binds, what);
    }
}

void clearDays(sql::Batch &batch, const QString &table, const QString &dayColumn, const QString &andWhere,
               qint64 userId, const ChangedDays &changed, qint64 firstDay, QVariant (*day)(qint64))
{
    QString statement = QStringLiteral("DELETE FROM %1 WHERE user_id = ?%2").arg(table, andWhere);
    QVariantList binds { userId };
    if (!changed.everything) {
        statement += QStringLiteral(" AND %1 >= ? AND %1 <= ?").arg(dayColumn);
        binds << day(firstDay) << day(changed.lastDay);
    }
    batch.add(statement, binds, "clearing derived rows");
}

// The derived_days rows of the changed days, replaced by `computed`.
void writeDays(sql::Batch &batch, qint64 userId, const ChangedDays &changed, const QMap<qint64, DerivedDay> &computed)
{
    clearDays(batch, QStringLiteral("derived_days"), QStringLiteral("day"), {}, userId, changed, changed.firstDay,
              dayNumber);
    QList<QVariantList> rows;
    for (const DerivedDay &d : computed) {
        const metrics::Partial &p = d.cgm;
        const DayActivity &a = d.activity;
        const bool any = !p.isEmpty();
        rows.append({ userId,
                      d.day,
                      d.sgvRows,
                      p.readings,
                      p.dropped,
                      p.duplicates,
                      p.clamped,
                      optionalInt(any ? std::optional(p.firstUtcMs) : std::nullopt),
                      optionalInt(any ? std::optional(p.lastUtcMs) : std::nullopt),
                      p.bands[0],
                      p.bands[1],
                      p.bands[2],
                      p.bands[3],
                      p.bands[4],
                      p.sum,
                      p.sumSquares,
                      p.lowRisk,
                      p.highRisk,
                      p.filledSlots,
                      a.closedLoop ? QVariant(*a.closedLoop ? 1 : 0) : QVariant(QMetaType::fromType<int>()),
                      optionalReal(a.basalUnits),
                      a.hasTreatments ? 1 : 0,
                      a.bolusUnits,
                      a.carbs,
                      encodeDevices(d.devices),
                      encodeCounts(a.uploaders),
                      encodeBins(d.bins),
                      d.sourceEntity ? QVariant(*d.sourceEntity) : QVariant(QMetaType::fromType<int>()) });
    }
    static const QStringList columns {
        QStringLiteral("user_id"),       QStringLiteral("day"),         QStringLiteral("sgv_rows"),
        QStringLiteral("readings"),      QStringLiteral("dropped"),     QStringLiteral("duplicates"),
        QStringLiteral("clamped"),       QStringLiteral("first_ms"),    QStringLiteral("last_ms"),
        QStringLiteral("very_low"),      QStringLiteral("low"),         QStringLiteral("in_range"),
        QStringLiteral("high"),          QStringLiteral("very_high"),   QStringLiteral("sum_mgdl"),
        QStringLiteral("sum_squares"),   QStringLiteral("low_risk"),    QStringLiteral("high_risk"),
        QStringLiteral("slots"),         QStringLiteral("closed_loop"), QStringLiteral("basal_units"),
        QStringLiteral("treatments"),    QStringLiteral("bolus_units"), QStringLiteral("carbs"),
        QStringLiteral("devices"),       QStringLiteral("uploaders"),   QStringLiteral("glucose_bins"),
        QStringLiteral("source_entity"),
    };
    insertRows(batch, QStringLiteral("derived_days"), columns, rows, "writing derived days");
}

void writeSummaries(const db::Database &database, sql::Batch &batch, qint64 userId,
                    const QMap<qint64, DerivedDay> &days, const QMap<qint64, PeriodSums> &months,
                    const ChangedDays &changed, const QHash<QString, QString> &groupOf, int sourceEntity)
{
    batch.add(QStringLiteral("DELETE FROM participant_summary WHERE user_id = ? AND period <> 'month'"), { userId },
              "clearing participant summaries");
    clearDays(batch, QStringLiteral("participant_summary"), QStringLiteral("period_start"),
              QStringLiteral(" AND period = 'month'"), userId, changed, monthOf(changed.firstDay).first, dateValue);
    QList<QVariantList> rows;
    for (const PeriodSummary &p : summarizePeriods(days, months, changed, groupOf)) {
        const metrics::Summary &m = p.metrics;
        const bool any = !m.isEmpty();
        const auto real = [any](double v) { return any ? QVariant(v) : sql::nullReal(); };
        rows.append({
                userId,
                p.period,
                dateValue(p.firstDay),
                dateValue(p.lastDay),
                m.readings,
                p.daysWithData,
                any ? timeValue(database, m.firstUtcMs) : sql::nullText(),
                any ? timeValue(database, m.lastUtcMs) : sql::nullText(),
                real(m.activePercent),
                real(m.bands.veryLow),
                real(m.bands.low),
                real(m.bands.inRange),
                real(m.bands.high),
                real(m.bands.veryHigh),
                real(m.mean),
                real(m.sd),
                real(m.cv),
                real(m.gmi),
                real(m.lbgi),
                real(m.hbgi),
                real(m.gri),
                database.isPostgres() ? QVariant(p.sufficient) : QVariant(p.sufficient ? 1 : 0),
                optionalReal(p.closedLoopDaysPercent),
                optionalReal(p.basalUnitsPerDay),
                optionalReal(p.bolusUnitsPerDay),
                optionalReal(p.carbsPerDay),
                optionalText(p.mainDeviceGroup),
                optionalText(p.mainUploader),
                sourceEntity,
        });
    }
    static const QStringList columns = QStringLiteral(
                                               "user_id period period_start period_end readings days_with_data "
                                               "first_reading last_reading active_cgm_percent very_low_percent "
                                               "low_percent in_range_percent high_percent very_high_percent "
                                               "mean_mgdl sd_mgdl cv_percent gmi_percent lbgi hbgi gri sufficient "
                                               "closed_loop_days_percent basal_units_per_day bolus_units_per_day "
                                               "carbs_grams_per_day main_device_group main_uploader source_entity")
                                               .split(QLatin1Char(' '));
    insertRows(batch, QStringLiteral("participant_summary"), columns, rows, "writing participant summaries");
}

void writeQuality(const db::Database &database, sql::Batch &batch, qint64 userId, const DerivedInput &in,
                  const QMap<qint64, DerivedDay> &computed, const ChangedDays &changed,
                  const QHash<QString, QString> &groupOf, int sourceEntity)
{
    clearDays(batch, QStringLiteral("data_quality"), QStringLiteral("day"), {}, userId, changed, changed.firstDay,
              dateValue);
    // The days with sensor glucose rows or file counts.
    QMap<qint64, DerivedDay> days;
    for (const DerivedDay &d : computed) {
        if (d.sgvRows > 0)
            days.insert(d.day, d);
    }
    for (auto it = in.tallies.cbegin(); it != in.tallies.cend(); ++it) {
        if (changed.contains(it.key()) && !days.contains(it.key()))
            days[it.key()].day = it.key(); // a day of bad lines only
    }
    const auto time = [&database](const std::optional<qint64> &ms) {
        return ms ? timeValue(database, *ms) : sql::nullText();
    };
    QList<QVariantList> rows;
    for (const DerivedDay &d : std::as_const(days)) {
        const DayQuality q = dayQuality(d, in.entries.value(d.day), in.tallies.value(d.day), groupOf);
        rows.append({ userId, dateValue(q.day), q.expected, q.received, q.gapsOver30, optionalReal(q.longestGapMinutes),
                      q.duplicatesDropped, q.clamped, q.notNumbers, q.badLines, time(q.firstUtcMs), time(q.lastUtcMs),
                      optionalText(q.uploader), sourceEntity });
    }
    static const QStringList columns =
            QStringLiteral("user_id day readings_expected readings_received gaps_over_30_min longest_gap_minutes "
                           "duplicates_dropped values_clamped values_not_numbers bad_lines first_record last_record "
                           "uploader source_entity")
                    .split(QLatin1Char(' '));
    insertRows(batch, QStringLiteral("data_quality"), columns, rows, "writing data quality");
}

void writeMonths(sql::Batch &batch, qint64 userId, const ChangedDays &changed, const QMap<qint64, GlucoseBins> &bins,
                 const QMap<qint64, PeriodSums> &sums)
{
    clearDays(batch, QStringLiteral("derived_months"), QStringLiteral("month"), {}, userId, changed,
              monthOf(changed.firstDay).first, dayNumber);
    QList<QVariantList> rows;
    for (auto it = bins.cbegin(); it != bins.cend(); ++it) {
        const QString text = encodeBins(it.value());
        if (!text.isEmpty())
            rows.append({ userId, it.key(), text });
    }
    insertRows(batch, QStringLiteral("derived_months"),
               { QStringLiteral("user_id"), QStringLiteral("month"), QStringLiteral("glucose_bins") }, rows,
               "writing glucose bins");
    clearDays(batch, QStringLiteral("derived_month_sums"), QStringLiteral("month"), {}, userId, changed,
              monthOf(changed.firstDay).first, dayNumber);
    rows.clear();
    for (auto it = sums.cbegin(); it != sums.cend(); ++it) {
        if (changed.everything || (it.key() >= monthOf(changed.firstDay).first && it.key() <= changed.lastDay))
            rows.append({ userId, it.key(), encodeSums(it.value()),
                          it->sourceEntity ? QVariant(*it->sourceEntity) : QVariant(QMetaType::fromType<int>()) });
    }
    insertRows(batch, QStringLiteral("derived_month_sums"),
               { QStringLiteral("user_id"), QStringLiteral("month"), QStringLiteral("sums"),
                 QStringLiteral("source_entity") },
               rows, "writing month sums");
}

} // namespace openaps::etl
