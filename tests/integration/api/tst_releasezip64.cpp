// ZIP64 (issue 14): a release entry over 4 GiB written by ZipWriter reads
// back whole with libarchive, and Info-ZIP's `unzip -t` (when installed)
// finds the archive sound. The content is generated and compresses about
// 1000:1, so the zip stays a few MB and the test takes seconds.

#include "api/release/zipwriter.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

using namespace openaps;
using namespace Qt::StringLiterals;

class TestReleaseZip64 final : public QObject
{
    Q_OBJECT

private slots:
    void entryOver4GiB();
};

namespace {

constexpr qint64 over4GiB = (qint64(1) << 32) + (qint64(1) << 24) + 12345; // 4 GiB + 16 MiB + a bit

// 16 KB of CSV-like lines, the same every time: a repeat within deflate's
// 32 KB window, so it compresses about 1000:1.
QByteArray block()
{
    QByteArray b;
    for (int i = 0; b.size() < 16384; ++i)
        b += "101,e" + QByteArray::number(i) + ",2024-01-01T00:00:00.000Z,120,sgv\n";
    return b.left(16384);
}

} // namespace

void TestReleaseZip64::entryOver4GiB()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"big.zip"_s);
    const QByteArray data = block();
    {
        api::ZipWriter zip;
        QVERIFY(zip.open(path, true));
        QVERIFY(zip.beginEntry(u"small-before.csv"_s));
        QVERIFY(zip.write("a,b\n1,2\n"));
        QVERIFY(zip.beginEntry(u"entries.csv"_s));
        for (qint64 written = 0; written < over4GiB;) {
            const qint64 n = qMin<qint64>(data.size(), over4GiB - written);
            QVERIFY(zip.write(n == data.size() ? data : data.left(n)));
            written += n;
        }
        QVERIFY(zip.beginEntry(u"manifest.json"_s));
        QVERIFY(zip.write("{}"));
        QVERIFY(zip.close());
    }
    const qint64 zipBytes = QFileInfo(path).size();
    qInfo("zip of %lld bytes", zipBytes);
    QVERIFY(zipBytes < 64 * 1024 * 1024);

    // libarchive reads every entry back with its size; the big one's bytes
    // are the generated ones throughout.
    archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    QCOMPARE(archive_read_open_filename(a, QFile::encodeName(path).constData(), 1 << 16), ARCHIVE_OK);
    QStringList names;
    archive_entry *entry = nullptr;
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
        const QString name = QString::fromUtf8(archive_entry_pathname(entry));
        names << name;
        qint64 total = 0;
        bool same = true;
        la_ssize_t n = 0;
        while ((n = archive_read_data(a, buffer.data(), size_t(buffer.size()))) > 0) {
            if (name == u"entries.csv"_s && same) {
                // The stream is the block repeated: compare against it where it lands.
                for (qint64 i = 0; i < n && same;) {
                    const qint64 offset = (total + i) % data.size();
                    const qint64 run = qMin<qint64>(n - i, data.size() - offset);
                    same = memcmp(buffer.constData() + i, data.constData() + offset, size_t(run)) == 0;
                    i += run;
                }
            }
            total += n;
        }
        QVERIFY2(n == 0, archive_error_string(a));
        if (name == u"entries.csv"_s) {
            QCOMPARE(total, over4GiB);
            QVERIFY(same);
            // The central directory's size (ZIP64), as seekable readers see it.
            QVERIFY(!archive_entry_size_is_set(entry) || archive_entry_size(entry) == over4GiB);
        }
    }
    archive_read_free(a);
    QCOMPARE(names, QStringList({ u"small-before.csv"_s, u"entries.csv"_s, u"manifest.json"_s }));

    // Info-ZIP, another implementation, tests every CRC and size.
    const QString unzip = QStandardPaths::findExecutable(u"unzip"_s);
    if (unzip.isEmpty())
        QSKIP("unzip is not installed (deploy/packages/test.txt lists it)");
    QProcess test;
    test.start(unzip, { u"-t"_s, path });
    QVERIFY(test.waitForFinished(300000));
    const QByteArray out = test.readAllStandardOutput() + test.readAllStandardError();
    QVERIFY2(test.exitCode() == 0, out.constData());
    QVERIFY2(out.contains("No errors detected"), out.constData());
    QProcess list;
    list.start(unzip, { u"-Zl"_s, path });
    QVERIFY(list.waitForFinished(60000));
    QVERIFY2(list.readAllStandardOutput().contains(QByteArray::number(over4GiB)), "zipinfo shows the size");
}

QTEST_MAIN(TestReleaseZip64)
#include "tst_releasezip64.moc"
