#include "site/memberexport.h"

#include "site/erasure.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QSqlRecord>

#include <map>

namespace openaps::site {

namespace {

constexpr int pageRows = 2000; // rows read per query from tables with a seq_id
constexpr qsizetype chunkBytes = 64 * 1024;

const QStringList sectionOrder { QStringLiteral("registration"), QStringLiteral("consent_history"),
                                 QStringLiteral("transfer_log"), QStringLiteral("research_database") };

QJsonValue jsonOf(const QVariant &value)
{
    if (value.isNull())
        return QJsonValue::Null;
    switch (value.metaType().id()) {
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
        return value.toLongLong();
    case QMetaType::Double:
    case QMetaType::Float:
        return value.toDouble();
    case QMetaType::QDateTime:
        return value.toDateTime().toUTC().toString(Qt::ISODateWithMs);
    default:
        return value.toString();
    }
}

// Buffers output and hands it on in chunks of about chunkBytes.
class Writer
{
public:
    explicit Writer(const std::function<bool(QByteArray)> &sink) : m_sink(sink) { }
    bool write(const QByteArray &bytes)
    {
        m_buffer += bytes;
        return m_buffer.size() < chunkBytes || flush();
    }
    bool flush()
    {
        if (m_buffer.isEmpty())
            return true;
        QByteArray out;
        out.swap(m_buffer);
        return m_sink(std::move(out));
    }

private:
    const std::function<bool(QByteArray)> &m_sink;
    QByteArray m_buffer;
};

QByteArray quotedJson(const QString &s)
{
    // A JSON string literal: the array wrapper is the simplest way to get one.
    const QByteArray array = QJsonDocument(QJsonArray { s }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

struct Table
{
    ParticipantTable table;
    QVariant key;
};

bool isIntegerColumn(const QSqlField &field)
{
    const int type = field.metaType().id();
    return type == QMetaType::Int || type == QMetaType::UInt || type == QMetaType::LongLong
            || type == QMetaType::ULongLong;
}

// The value that names the member in `t`, as eraseMember matches it.
std::optional<QVariant> keyValue(const QSqlDatabase &db, const ParticipantTable &t, const ExportSubject &subject)
{
    switch (t.key) {
    case ParticipantKey::None:
        return std::nullopt;
    case ParticipantKey::ParticipantId:
        return QVariant(subject.participantId);
    case ParticipantKey::UserId:
        return QVariant(subject.pseudonym);
    case ParticipantKey::MemberId:
        break;
    }
    if (!isIntegerColumn(db.record(t.table).field(t.column)))
        return QVariant(subject.memberId);
    bool isNumber = false;
    const qint64 number = subject.memberId.toLongLong(&isNumber);
    if (!isNumber)
        return std::nullopt;
    return QVariant(number);
}

// Every table naming a participant, with the value that names this one.
Result<QList<Table>> memberTables(const db::Database &database, const QSqlDatabase &db, const ExportSubject &subject)
{
    auto tables = participantTables(database);
    if (!tables)
        return tables.error();
    QList<Table> result;
    for (const ParticipantTable &t : std::as_const(*tables)) {
        if (t.key == ParticipantKey::None || t.materializedView)
            continue;
        if (const auto key = keyValue(db, t, subject))
            result.append(Table { t, *key });
    }
    return result;
}

QString whereMember(const QSqlDatabase &db, const ParticipantTable &t)
{
    return QStringLiteral(" FROM %1 WHERE %2 = ?")
            .arg(db.driver()->escapeIdentifier(t.table, QSqlDriver::TableName),
                 db.driver()->escapeIdentifier(t.column, QSqlDriver::FieldName));
}

} // namespace

QString exportSectionOf(const QString &table)
{
    static const QStringList transfers {
        QStringLiteral("participant_status"),  QStringLiteral("participant_type_status"),
        QStringLiteral("ingest_participants"), QStringLiteral("ingest_cursors"),
        QStringLiteral("etl_files"),           QStringLiteral("etl_participants"),
        QStringLiteral("job_leases"),
    };
    if (table == QLatin1String("participants"))
        return QStringLiteral("registration");
    if (table == QLatin1String("consent_history"))
        return QStringLiteral("consent_history");
    if (transfers.contains(table))
        return QStringLiteral("transfer_log");
    return QStringLiteral("research_database");
}

bool isExcludedFromExport(const QString &table, const QString &column)
{
    // Sessions hold nothing but keyed hashes of login cookies; the tokens are
    // the project's access to the participant's Open Humans account.
    return table == QLatin1String("site_sessions") || column.endsWith(QLatin1String("_enc"));
}

Result<qint64> writeMemberExport(const db::Database &database, const ExportSubject &subject,
                                 const std::function<bool(QByteArray)> &sink)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    auto tables = memberTables(database, db, subject);
    if (!tables)
        return tables.error();
    // section → tables, each in name order, so the file reads the same every time.
    std::map<QString, std::map<QString, Table>> sections;
    for (const Table &t : std::as_const(*tables)) {
        if (!isExcludedFromExport(t.table.table, {}))
            sections[exportSectionOf(t.table.table)][t.table.table] = t;
    }

    Writer out(sink);
    qint64 rows = 0;
    const QJsonObject about {
        { QStringLiteral("about"),
          QStringLiteral("Everything the OpenAPS Data Commons database holds about you, as of generated_at. "
                         "Left out: your login sessions (we keep only scrambled codes of them) and the "
                         "encrypted key that lets us copy data into your Open Humans account. Your data "
                         "files themselves are in your Open Humans account.") },
        { QStringLiteral("generated_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
        { QStringLiteral("open_humans_member_id"), subject.memberId },
    };
    QByteArray head = QJsonDocument(about).toJson(QJsonDocument::Compact);
    head.chop(1); // the closing brace: the sections follow
    if (!out.write(head))
        return rows;
    for (const QString &section : sectionOrder) {
        if (!out.write(",\n" + quotedJson(section) + ":{"))
            return rows;
        bool firstTable = true;
        for (const auto &[name, entry] : sections[section]) {
            const ParticipantTable &t = entry.table;
            const QSqlRecord record = db.record(t.table);
            QStringList columns;
            for (int i = 0; i < record.count(); ++i) {
                if (!isExcludedFromExport(t.table, record.fieldName(i)))
                    columns.append(record.fieldName(i));
            }
            const bool paged = record.contains(QStringLiteral("seq_id"));
            const QSqlDriver *driver = db.driver();
            QStringList quotedColumns;
            for (const QString &c : std::as_const(columns))
                quotedColumns.append(driver->escapeIdentifier(c, QSqlDriver::FieldName));
            const QString select = QStringLiteral("SELECT ") + quotedColumns.join(QLatin1String(", "))
                    + whereMember(db, t)
                    + (paged ? QStringLiteral(" AND seq_id > ? ORDER BY seq_id LIMIT %1").arg(pageRows) : QString());
            if (!out.write(QByteArray(firstTable ? "\n" : ",\n") + quotedJson(name) + ":["))
                return rows;
            firstTable = false;
            bool firstRow = true;
            QVariant after = qint64(-1);
            for (;;) {
                QSqlQuery q(db);
                q.setForwardOnly(true);
                q.prepare(select);
                q.addBindValue(entry.key);
                if (paged)
                    q.addBindValue(after);
                if (!q.exec())
                    return db::sqlError("reading a participant's rows for their download", q.lastError());
                int read = 0;
                while (q.next()) {
                    QJsonObject row;
                    for (int i = 0; i < columns.size(); ++i) {
                        row.insert(columns.at(i), jsonOf(q.value(i)));
                        if (columns.at(i) == QLatin1String("seq_id"))
                            after = q.value(i);
                    }
                    ++read;
                    ++rows;
                    if (!out.write((firstRow ? "\n" : ",\n") + QJsonDocument(row).toJson(QJsonDocument::Compact)))
                        return rows;
                    firstRow = false;
                }
                if (!paged || read < pageRows)
                    break;
            }
            if (!out.write("]"))
                return rows;
        }
        if (!out.write("}"))
            return rows;
    }
    if (!out.write("}\n") || !out.flush())
        return rows;
    return rows;
}

} // namespace openaps::site
