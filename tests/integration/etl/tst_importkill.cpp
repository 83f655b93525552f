#include "core/gzip.h"
#include "etl/fileloader.h"
#include "etltestsupport.h"
#include "privacy/participantkeys.h"
#include "records/datatype.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <utility>

using namespace openaps;
using namespace openaps::etl;
using namespace openaps::test::etl;

namespace {

constexpr int recordCount = 60000;
constexpr qint64 member = 87654321;
const QByteArray secretKey = QByteArrayLiteral("import-kill-test-secret-key-0123456789");

// A big gzip export with some repeats, written in chunks.
bool writeExport(const QString &path)
{
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return false;
    gzip::Deflater deflater(1);
    QByteArray packed;
    for (int i = 0; i < recordCount; ++i) {
        const int n = i % 1000 == 999 ? i - 1 : i; // every 1000th record repeats the one before
        const QByteArray line = "{\"_id\":\"k" + QByteArray::number(n)
                + "\",\"type\":\"sgv\",\"sgv\":" + QByteArray::number(40 + n % 350)
                + ",\"date\":" + QByteArray::number(1600000000000LL + qint64(n) * 300000)
                + ",\"dateString\":\"x\",\"device\":\"xDrip-LimiTTer\",\"direction\":\"Flat\",\"noise\":1}\n";
        deflater.write(line, packed);
        if (packed.size() >= 1024 * 1024 && out.write(std::exchange(packed, QByteArray())) < 0)
            return false;
    }
    deflater.finish(packed);
    return out.write(packed) == packed.size() && out.flush();
}

QProcess *startImport(const QString &databaseUrl, const QString &file, QObject *parent)
{
    auto *process = new QProcess(parent);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("OPENAPS_DATABASE_URL"), databaseUrl);
    env.insert(QStringLiteral("OPENAPS_SECRET_KEY"), QString::fromLatin1(secretKey)); // rows carry pseudonyms
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("openaps.*.info=false"));
    process->setProcessEnvironment(env);
    process->start(QStringLiteral(OPENAPS_SERVER_BINARY),
                   { QStringLiteral("import"), QStringLiteral("--member"), QString::number(member),
                     QStringLiteral("--kind"), QStringLiteral("entries"), file });
    return process;
}

// The entries without seq_id (a killed batch leaves a gap in the sequence).
QStringList rows(const db::Database &database)
{
    QStringList all;
    for (const QString &row : snapshot(database, QStringLiteral("entries"), QStringLiteral("id")))
        all << row.section(QLatin1Char('|'), 1);
    return all;
}

} // namespace

class TestImportKill : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase()
    {
        quietLogs();
        QVERIFY(m_dir.isValid());
        QVERIFY(writeExport(m_dir.filePath(QStringLiteral("entries.ndjson.gz"))));
    }

    // The real binary is killed (SIGKILL) while loading; run again it
    // converges to exactly the rows of an uninterrupted load.
    void killedImportConverges()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const QString file = m_dir.filePath(QStringLiteral("entries.ndjson.gz"));

        QProcess *first = startImport(tdb.url(), file, this);
        QVERIFY(first->waitForStarted(10000));
        // Kill once some batches are committed, well before the end.
        QTRY_VERIFY_WITH_TIMEOUT(count(database, QStringLiteral("entries")) > 0, 120000);
        first->kill();
        QVERIFY(first->waitForFinished(30000));
        const qint64 atKill = count(database, QStringLiteral("entries"));
        QVERIFY2(atKill < recordCount - recordCount / 1000, qPrintable(QString::number(atKill)));

        QProcess *second = startImport(tdb.url(), file, this);
        QVERIFY(second->waitForFinished(300000));
        QCOMPARE(second->exitCode(), 0);
        const QString summary = QString::fromUtf8(second->readAllStandardOutput());
        QVERIFY2(summary.contains(QStringLiteral("bad 0")), qPrintable(summary));

        // The reference: the same file loaded in one go elsewhere, under the
        // member's pseudonym.
        const qint64 pseudonym = privacy::ParticipantKeys(secretKey).pseudonym(QString::number(member));
        test::TestDatabase referenceDb(backend);
        const db::Database reference = referenceDb.database();
        QVERIFY(db::migrate(reference).ok());
        const auto loaded = FileLoader(reference).loadFile(file, records::DataType::Entries,
                                                           LoadTarget { pseudonym, 0, QString(), {} });
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->rows.inserted, qint64(recordCount - recordCount / 1000));
        QCOMPARE(count(database, QStringLiteral("entries")), loaded->rows.inserted);
        QCOMPARE(rows(database), rows(reference));

        // A third run finds everything there: all duplicates, nothing new.
        QProcess *third = startImport(tdb.url(), file, this);
        QVERIFY(third->waitForFinished(300000));
        const QString again = QString::fromUtf8(third->readAllStandardOutput());
        QVERIFY2(again.contains(QStringLiteral("rows new 0 / updated 0 / duplicate %1 / bad 0").arg(recordCount)),
                 qPrintable(again));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestImportKill)
#include "tst_importkill.moc"
