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

    // A reader of a large file splits what it has and waits for more where
    // a record runs past the end of the buffer: the same records whatever
    // the pieces.
    void splitsInPieces_data() { parses_data(); }
    void splitsInPieces()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QList<QStringList>, rows);
        const QByteArray body = csv.mid(csv::bomLength(csv.constData(), csv.size()));
        for (qsizetype piece = 1; piece <= body.size(); ++piece) {
            QList<QStringList> read;
            QByteArray buffer;
            csv::Record fields;
            for (qsizetype at = 0;; at += piece) {
                buffer += body.mid(at, piece);
                const bool atEnd = at + piece >= body.size();
                qsizetype pos = 0;
                while (pos < buffer.size()) {
                    const qsizetype next = csv::splitRecord(buffer.constData(), buffer.size(), pos, atEnd, fields);
                    if (next < 0)
                        break;
                    pos = next;
                    if (csv::isBlank(fields))
                        continue;
                    QStringList row;
                    for (const csv::Field &f : fields)
                        row << QString::fromUtf8(csv::fieldText(buffer.constData(), f));
                    read << row;
                }
                buffer.remove(0, pos);
                if (atEnd)
                    break;
            }
            QCOMPARE(read, rows);
        }
    }
};

QTEST_GUILESS_MAIN(TestCsv)
#include "tst_csv.moc"
