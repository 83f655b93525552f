#include "log/logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

using namespace openaps;
using namespace Qt::StringLiterals;

// log::formatLine: the exact text and JSON line shapes the server writes.
class TestLogFormat final : public QObject
{
    Q_OBJECT

private slots:
    void textLine_data();
    void textLine();
    void jsonLine_data();
    void jsonLine();
    void utcFromOtherZones();
};

namespace {

QDateTime sampleTime()
{
    return QDateTime(QDate(2024, 5, 1), QTime(12, 34, 56, 789), Qt::UTC);
}

} // namespace

void TestLogFormat::textLine_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("expected");
    QTest::addRow("info") << int(QtInfoMsg) << u"listening on port 8080"_s
                          << u"2024-05-01T12:34:56.789Z info    openaps.test: listening on port 8080"_s;
    QTest::addRow("debug") << int(QtDebugMsg) << u"x"_s << u"2024-05-01T12:34:56.789Z debug   openaps.test: x"_s;
    QTest::addRow("warning") << int(QtWarningMsg) << u"slow"_s
                             << u"2024-05-01T12:34:56.789Z warning openaps.test: slow"_s;
    QTest::addRow("critical is error") << int(QtCriticalMsg) << u"boom"_s
                                       << u"2024-05-01T12:34:56.789Z error   openaps.test: boom"_s;
    QTest::addRow("redacted") << int(QtInfoMsg) << u"GET ?token=abc123"_s
                              << u"2024-05-01T12:34:56.789Z info    openaps.test: GET ?token=****"_s;
    QTest::addRow("newline cannot forge a line")
            << int(QtWarningMsg) << u"a\n2024-01-01T00:00:00Z info   fake: b"_s
            << u"2024-05-01T12:34:56.789Z warning openaps.test: a\\n2024-01-01T00:00:00Z info   fake: b"_s;
}

void TestLogFormat::textLine()
{
    QFETCH(int, type);
    QFETCH(QString, message);
    QFETCH(QString, expected);
    const QString line = log::formatLine(LogFormat::Text, QtMsgType(type), "openaps.test", message, sampleTime());
    QCOMPARE(line, expected);
    QVERIFY(!line.contains(QLatin1Char('\n')));
}

void TestLogFormat::jsonLine_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("level");
    QTest::addColumn<QString>("expectedMessage");
    QTest::addRow("info") << int(QtInfoMsg) << u"started"_s << u"info"_s << u"started"_s;
    QTest::addRow("error") << int(QtCriticalMsg) << u"failed"_s << u"error"_s << u"failed"_s;
    QTest::addRow("quotes and newline") << int(QtWarningMsg) << u"say \"hi\"\nthere"_s << u"warning"_s
                                        << u"say \"hi\"\nthere"_s;
    QTest::addRow("redacted") << int(QtInfoMsg) << u"https://x.herokuapp.com/?token=t"_s << u"info"_s << u"<url>"_s;
    QTest::addRow("unicode") << int(QtInfoMsg) << u"Glukose 5,6 mmol/l — ok"_s << u"info"_s
                             << u"Glukose 5,6 mmol/l — ok"_s;
}

void TestLogFormat::jsonLine()
{
    QFETCH(int, type);
    QFETCH(QString, message);
    QFETCH(QString, level);
    QFETCH(QString, expectedMessage);
    const QString line = log::formatLine(LogFormat::Json, QtMsgType(type), "openaps.server.app", message, sampleTime());
    QVERIFY(!line.contains(QLatin1Char('\n')));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(line));
    const QJsonObject o = doc.object();
    QCOMPARE(o.size(), 4);
    QCOMPARE(o.value(u"time"_s).toString(), u"2024-05-01T12:34:56.789Z"_s);
    QCOMPARE(o.value(u"level"_s).toString(), level);
    QCOMPARE(o.value(u"category"_s).toString(), u"openaps.server.app"_s);
    QCOMPARE(o.value(u"message"_s).toString(), expectedMessage);
}

void TestLogFormat::utcFromOtherZones()
{
    const QDateTime berlin(QDate(2024, 5, 1), QTime(14, 34, 56, 789), QTimeZone("Europe/Berlin"));
    QVERIFY(berlin.isValid());
    const QString line = log::formatLine(LogFormat::Text, QtInfoMsg, "c", u"m"_s, berlin);
    QVERIFY2(line.startsWith(QLatin1String("2024-05-01T12:34:56.789Z ")), qPrintable(line));
}

QTEST_GUILESS_MAIN(TestLogFormat)
#include "tst_logformat.moc"
