// The readers of downloaded files and the removal of withdrawn participants'
// rows (shared/metrics: exportfile, zipmember, localcopies, localdata): NDJSON
// read as CSV is (nested objects skipped, escapes decoded), release zips'
// data set files, and files written again without some participants in the
// same format and compression.

#include "core/gzip.h"
#include "metrics/exportfile.h"
#include "metrics/localcopies.h"
#include "metrics/localdata.h"
#include "metrics/zipmember.h"
#include "testfiles.h"

#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

namespace {

const QByteArray entriesCsv = "user_id,id,sgv,date,utc_offset,raw_json\n"
                              "7,e1,120,2024-01-01T00:00:00.000Z,-300,\"{\"\"a\"\":\"\"x,\n y\"\"}\"\n"
                              "7,e2,130,2024-01-01T00:05:00.000Z,-300,{}\n"
                              "8,e3,140,2024-01-01T00:00:00.000Z,60,{}\n"
                              "9,e4,150,2024-01-01T00:00:00.000Z,0,{}\n";

// The same rows as NDJSON, with what a scanner must not trip over: braces,
// brackets and quotes inside strings, nested arrays, escapes, nulls, spaces.
const QByteArray entriesNdjson =
        "{\"user_id\":7,\"id\":\"e1\",\"sgv\":120,\"date\":\"2024-01-01T00:00:00.000Z\",\"utc_offset\":-300,"
        "\"raw_json\":{\"a\":\"x,\\n y\",\"b\":[1,{\"c\":\"]}\\\"{\"}],\"d\":null}}\n"
        "{ \"user_id\" : 7 , \"id\" : \"e2\", \"sgv\": 130, \"date\": \"2024-01-01T00:05:00.000Z\", "
        "\"utc_offset\": -300, \"raw_json\": {} }\n"
        "\n"
        "[1,2]\n"
        "{\"user_id\":\"8\",\"id\":\"e3\",\"device\":\"caf\\u00e9 \\\"x\\\"\",\"sgv\":140,"
        "\"date\":\"2024-01-01T00:00:00.000Z\",\"utc_offset\":60,\"raw_json\":{}}\n"
        "{\"user_id\":9,\"id\":\"e4\",\"sgv\":150,\"date\":\"2024-01-01T00:00:00.000Z\",\"utc_offset\":0,"
        "\"noise\":null,\"raw_json\":{}}";

const QByteArray profileCsv = "user_id,id,default_profile,units,timezone,start_date,created_at\n"
                              "7,p1,Default,mg/dl,Europe/Berlin,2024-01-01T00:00:00.000Z,2024-01-01T00:00:00.000Z\n"
                              "8,p2,Default,mmol,UTC,2024-01-01T00:00:00.000Z,2024-01-01T00:00:00.000Z\n";

} // namespace

class TestLocalCopies final : public QObject
{
    Q_OBJECT

private slots:
    void ndjsonReadsAsCsvDoes()
    {
        QTemporaryDir dir;
        const QString csv = test::writeFile(dir.path(), u"entries.csv"_s, entriesCsv);
        const QString ndjson = test::writeFile(dir.path(), u"entries.ndjson.gz"_s, entriesNdjson);
        const QStringList wanted { u"user_id"_s, u"sgv"_s, u"date"_s, u"utc_offset"_s, u"device"_s, u"missing"_s };
        QList<QList<QByteArray>> fromCsv, fromNdjson;
        qint64 skippedCsv = 0, skippedNdjson = 0;
        QVERIFY(metrics::readExportRows(
                csv, wanted, [&](const QList<QByteArray> &v) { fromCsv << v; }, {}, &skippedCsv));
        QVERIFY(metrics::readExportRows(
                ndjson, wanted, [&](const QList<QByteArray> &v) { fromNdjson << v; }, {}, &skippedNdjson));
        QCOMPARE(fromNdjson.size(), 4);
        QCOMPARE(skippedCsv, 0);
        QCOMPARE(skippedNdjson, 1); // [1,2]
        QCOMPARE(fromNdjson[2][4], u"café \"x\""_s.toUtf8());
        for (int row = 0; row < 4; ++row) {
            fromNdjson[row][4].clear(); // the CSV has no device column
            QCOMPARE(fromNdjson[row], fromCsv[row]);
        }
        QCOMPARE(fromCsv[0], (QList<QByteArray> { "7", "120", "2024-01-01T00:00:00.000Z", "-300", {}, {} }));

        const auto a = metrics::loadLocalFiles({ csv });
        const auto b = metrics::loadLocalFiles({ ndjson });
        QVERIFY(a && b);
        QCOMPARE(b->participants, (QStringList { u"7"_s, u"8"_s, u"9"_s }));
        QCOMPARE(a->participants, b->participants);
        QCOMPARE(b->skipped, 1);
        for (int i = 0; i < 3; ++i) {
            const auto &x = a->entries.participants[i].readings;
            const auto &y = b->entries.participants[i].readings;
            QCOMPARE(x.size(), y.size());
            for (int j = 0; j < x.size(); ++j) {
                QCOMPARE(x[j].utcMs, y[j].utcMs);
                QCOMPARE(x[j].mgdl, y[j].mgdl);
                QCOMPARE(x[j].offsetMinutes, y[j].offsetMinutes);
            }
        }
    }

    void recordsAreTheWholeFile()
    {
        QTemporaryDir dir;
        // The texts together are the file, less its byte-order mark and blank lines.
        const QByteArray ndjsonLines = QByteArray(entriesNdjson).replace("\n\n", "\n") + '\n';
        for (const auto &[name, text, expected] :
             { std::tuple<QString, QByteArray, QByteArray> { u"e.csv"_s, QByteArray("\xEF\xBB\xBF") + entriesCsv,
                                                             entriesCsv },
               std::tuple<QString, QByteArray, QByteArray> { u"e.ndjson"_s, entriesNdjson, ndjsonLines } }) {
            QByteArray again;
            int rows = 0;
            QVERIFY(metrics::readExportRecords(test::writeFile(dir.path(), name, text), { u"user_id"_s },
                                               [&](QByteArrayView record, const QList<QByteArray> *values) {
                                                   again.append(record);
                                                   rows += values ? 1 : 0;
                                               }));
            QCOMPARE(again, expected);
            QCOMPARE(rows, 4);
        }
    }

    void releaseZipOpensItsDatasets()
    {
        QTemporaryDir dir;
        const QString zip = test::writeZip(
                dir.filePath(u"release-1.zip"_s),
                { { u"entries.ndjson"_s, entriesNdjson },
                  { u"profile.csv"_s, profileCsv },
                  { u"member_demographics.csv"_s, "user_id,age\n7,40\n" },
                  { u"data_dictionary.csv"_s, "dataset,column,description\nentries,sgv,x\n" },
                  { u"README.txt"_s, "terms" },
                  { u"manifest.json"_s, "{}" } },
                true);
        QVERIFY(metrics::isZipFile(zip));
        QCOMPARE(metrics::zipMemberNames(zip).value().size(), 6);
        const auto data = metrics::loadLocalFiles({ zip });
        QVERIFY2(data, data ? "" : qPrintable(data.error().message));
        QCOMPARE(data->datasets, (QStringList { u"entries"_s, u"profile"_s }));
        QCOMPARE(data->participants, (QStringList { u"7"_s, u"8"_s, u"9"_s }));
        QCOMPARE(data->entries.participants.first().readings.size(), 2);
        QCOMPARE(data->recordsOf(u"8"_s)->profiles.first().timezone, u"UTC"_s);
        qint64 last = 0;
        QVERIFY(metrics::loadLocalFiles({ zip }, [&](qint64 bytes) {
            last = bytes;
            return true;
        }));
        QVERIFY(last > 0 && last <= QFileInfo(zip).size());

        const QString none = test::writeZip(dir.filePath(u"other.zip"_s), { { u"README.txt"_s, "x" } }, true);
        const auto error = metrics::loadLocalFiles({ none });
        QVERIFY(!error);
        QVERIFY(error.error().message.contains(u"other.zip"_s));
    }

    void withdrawnRowsRemovedKeepingTheFormat()
    {
        QTemporaryDir dir;
        const QSet<QString> gone { u"7"_s, u"9"_s };
        const QString csv = test::writeFile(dir.path(), u"entries.csv.gz"_s, entriesCsv);
        const QString ndjson = test::writeFile(dir.path(), u"entries.ndjson"_s, entriesNdjson);
        QCOMPARE(metrics::countParticipantRows(csv, gone).value(),
                 (QHash<QString, qint64> { { u"7"_s, 2 }, { u"9"_s, 1 } }));
        QCOMPARE(metrics::removeParticipantRows(csv, gone).value(), 3);
        QCOMPARE(gzip::decompress(test::readFile(csv)).value(),
                 QByteArray("user_id,id,sgv,date,utc_offset,raw_json\n"
                            "8,e3,140,2024-01-01T00:00:00.000Z,60,{}\n"));
        QCOMPARE(metrics::removeParticipantRows(ndjson, gone).value(), 3);
        const QByteArray left = test::readFile(ndjson);
        QCOMPARE(left.count('\n'), 2); // [1,2] and 8's line stay
        QVERIFY(left.contains("\"id\":\"e3\"") && !left.contains("\"e1\"") && !left.contains("\"e4\""));

        // Nothing of theirs: the file is not touched.
        const QString other = test::writeFile(dir.path(), u"profile.csv"_s, profileCsv);
        {
            QFile touch(other);
            QVERIFY(touch.open(QIODevice::ReadWrite));
            QVERIFY(touch.setFileTime(QDateTime(QDate(2020, 1, 1), QTime(0, 0)), QFileDevice::FileModificationTime));
        }
        QCOMPARE(metrics::removeParticipantRows(other, { u"42"_s }).value(), 0);
        QCOMPARE(QFileInfo(other).lastModified().date(), QDate(2020, 1, 1));

        // Zips: each file keeps its method; the others are copied as they are.
        for (const bool deflate : { true, false }) {
            const QString zip = test::writeZip(dir.filePath(deflate ? u"deflated.zip"_s : u"stored.zip"_s),
                                               { { u"entries.csv"_s, entriesCsv },
                                                 { u"profile.csv"_s, profileCsv },
                                                 { u"data_dictionary.csv"_s, "dataset,column\nentries,user_id\n" },
                                                 { u"manifest.json"_s, "{\"withdrawn_participants\":[\"7\"]}" } },
                                               deflate);
            QCOMPARE(metrics::countParticipantRows(zip, gone).value().value(u"7"_s), 3);
            QCOMPARE(metrics::removeParticipantRows(zip, gone).value(), 4);
            const auto files = test::readZip(zip);
            QCOMPARE(
                    files.keys(),
                    (QStringList { u"data_dictionary.csv"_s, u"entries.csv"_s, u"manifest.json"_s, u"profile.csv"_s }));
            for (const test::ZipMember &m : files)
                QCOMPARE(m.stored, !deflate);
            QCOMPARE(files[u"entries.csv"_s].content,
                     QByteArray("user_id,id,sgv,date,utc_offset,raw_json\n"
                                "8,e3,140,2024-01-01T00:00:00.000Z,60,{}\n"));
            QCOMPARE(files[u"profile.csv"_s].content,
                     profileCsv.left(profileCsv.indexOf('\n') + 1) + profileCsv.mid(profileCsv.indexOf("\n8,") + 1));
            QCOMPARE(files[u"data_dictionary.csv"_s].content, QByteArray("dataset,column\nentries,user_id\n"));
            QCOMPARE(files[u"manifest.json"_s].content, QByteArray("{\"withdrawn_participants\":[\"7\"]}"));
            QVERIFY(metrics::countParticipantRows(zip, gone).value().isEmpty());
        }

        // A file that cannot be read is an error, and stays.
        const QString broken = test::writeFile(dir.path(), u"broken.csv.gz"_s, QByteArray());
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(gzip::compress(entriesCsv).left(40));
        file.close();
        const QByteArray before = test::readFile(broken);
        QVERIFY(!metrics::removeParticipantRows(broken, gone));
        QCOMPARE(test::readFile(broken), before);
    }
};

QTEST_GUILESS_MAIN(TestLocalCopies)
#include "tst_localcopies.moc"
