// A survey's published CSV (the demographics forms): parsed, matched by
// its header row, imported for the members who share (pseudonyms, dates,
// upserts), then cleaned into analytics_demographics, on SQLite. The
// cleaning functions also get every field of every row directly.

#include "core/csv.h"
#include "fuzzsupport.h"
#include "survey/demographics.h"
#include "survey/demographicscleaning.h"
#include "survey/demographicstable.h"

#include <QSqlQuery>

using namespace openaps;

namespace {

db::Database *database = nullptr;
privacy::ParticipantKeys *keys = nullptr;

void exec(const QString &sql)
{
    QSqlQuery query(*database->connection());
    if (!query.exec(sql)) {
        fprintf(stderr, "fuzz: %s failed\n", qPrintable(sql));
        abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initQt();
    database = new db::Database(fuzz::scratchDatabase());
    keys = new privacy::ParticipantKeys(QByteArray(32, 's'));
    // The member ids of the seed files, sharing.
    exec(QStringLiteral("INSERT INTO participants (member_id, sharing_consent) VALUES "
                        "('12345678', 'both'), ('23456789', 'openaps'), ('34567890', 'nsf'), ('45678901', 'both')"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    const QList<QStringList> rows = csv::parse(input);
    const QDate today(2024, 6, 1);
    for (const QStringList &row : rows) {
        for (const QString &field : row) {
            (void)survey::heightCm(field);
            (void)survey::weightKg(field, true);
            (void)survey::normaliseCountry(field);
        }
        if (row.size() >= 4)
            (void)survey::cleanDemographics(row[0], row[1], row[2], row[3], QDate(1980, 3, 14), QDate(1995, 6, 1),
                                            today);
    }
    const auto report = survey::importSurveyCsv(*database, *keys, input);
    if (!report && report.error().code != QLatin1String("demographics")) {
        // The database refused what the import wrote.
        fprintf(stderr, "fuzz: import failed: %s\n", qPrintable(report.error().message));
        abort();
    }
    if (report && report->written > 0 && !survey::refreshDemographics(*database, *keys, today))
        abort();
    exec(QStringLiteral("DELETE FROM member_demographics"));
    return 0;
}
