// The one CSV reader (shared/core/csv.h): quoting, CRLF, embedded line
// breaks, the byte-order mark, whole and in pieces.
#include "core/csv.h"

#include <QTest>

using namespace openaps;

class TestCsv : public QObject
{
    Q_OBJECT

private slots:
    void parses_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QList<QStringList>>("rows");
        auto rows = [](std::initializer_list<std::initializer_list<const char *>> r) {
            QList<QStringList> out;
            for (const auto &row : r) {
                QStringList fields;
                for (const char *f : row)
                    fields << QString::fromUtf8(f);
                out << fields;
            }
            return out;
        };
        QTest::addRow("plain") << QByteArray("a,b\n1,2\n") << rows({ { "a", "b" }, { "1", "2" } });
        QTest::addRow("CRLF, no final newline") << QByteArray("a,b\r\n1,2") << rows({ { "a", "b" }, { "1", "2" } });
        QTest::addRow("quoted comma") << QByteArray("\"x, y\",z\n") << rows({ { "x, y", "z" } });
        QTest::addRow("doubled quotes") << QByteArray("\"5'7\"\"\",\"say \"\"hi\"\"\"\n")
                                        << rows({ { "5'7\"", "say \"hi\"" } });
        QTest::addRow("embedded newline")
                << QByteArray("\"line1\nline2\",b\r\nc,d\r\n") << rows({ { "line1\nline2", "b" }, { "c", "d" } });
        QTest::addRow("empty fields") << QByteArray(",,\n") << rows({ { "", "", "" } });
        QTest::addRow("blank lines dropped") << QByteArray("a\n\n\nb\n") << rows({ { "a" }, { "b" } });
        QTest::addRow("BOM and UTF-8") << QByteArray("\xEF\xBB\xBFpa\xC3\xADs\n") << rows({ { "pa\xC3\xADs" } });
        QTest::addRow("quoted fields, CRLF")
                << QByteArray("\"a\"\r\n\"b\r\nc\"\r\n") << rows({ { "a" }, { "b\r\nc" } });
        QTest::addRow("text after the closing quote ignored") << QByteArray("\"a\"x,b\n") << rows({ { "a", "b" } });
        QTest::addRow("unclosed quote takes the rest") << QByteArray("a,\"b\nc") << rows({ { "a", "b\nc" } });
    }
    void parses()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QList<QStringList>, rows);
        QCOMPARE(csv::parse(csv), rows);
    }

    // A reader of a large file takes it in pieces (csv::ChunkedReader): the
    // same records whatever the pieces, even where one ends inside a quoted
    // field, between CR and LF or inside the byte-order mark.
    void readsInPieces_data() { parses_data(); }
    void readsInPieces()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QList<QStringList>, rows);
        for (qsizetype piece = 1; piece <= csv.size(); ++piece) {
            QList<QStringList> read;
            csv::ChunkedReader reader;
            for (qsizetype at = 0; !reader.atEnd(); at += piece) {
                reader.add(csv.mid(at, piece));
                while (reader.nextRecord()) {
                    QStringList row;
                    for (qsizetype i = 0; i < qsizetype(reader.fields().size()); ++i)
                        row << QString::fromUtf8(reader.field(i));
                    read << row;
                }
            }
            QVERIFY2(read == rows, qPrintable(QStringLiteral("pieces of %1 bytes").arg(piece)));
        }
    }

    void fieldOutOfRange()
    {
        csv::ChunkedReader reader;
        reader.add("a,\"b\"\"c\"\n");
        QVERIFY(reader.nextRecord());
        QCOMPARE(reader.field(1), QByteArray("b\"c"));
        QCOMPARE(reader.field(2), QByteArray());
        QCOMPARE(reader.field(-1), QByteArray());
        QVERIFY(!reader.nextRecord()); // no more until the end is known
    }

    // NDJSON in pieces: lines, not CSV (a quote or comma in a line is JSON),
    // blank lines dropped, the last line without its line break.
    void readsLinesInPieces()
    {
        const QByteArray ndjson("\xEF\xBB\xBF{\"a\":\"x,\\\"\"}\r\n\n  \n{\"b\":1}\n{\"c\":\"\"}");
        const QList<QByteArray> lines { "{\"a\":\"x,\\\"\"}", "{\"b\":1}", "{\"c\":\"\"}" };
        for (qsizetype piece = 1; piece <= ndjson.size(); ++piece) {
            QList<QByteArray> read;
            csv::ChunkedReader reader;
            QByteArray line;
            for (qsizetype at = 0; !reader.atEnd(); at += piece) {
                reader.add(ndjson.mid(at, piece));
                while (reader.nextLine(line))
                    read << line;
            }
            QVERIFY2(read == lines, qPrintable(QStringLiteral("pieces of %1 bytes").arg(piece)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCsv)
#include "tst_csv.moc"
