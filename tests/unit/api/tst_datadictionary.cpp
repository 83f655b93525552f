// The data dictionary (issue 11, item 3): every exported column of every
// dataset is documented once in code (records/columndocs.h), and the
// README's table in "What researchers receive" is exactly what that code
// renders, so the README cannot drift from what the API exports.

#include "api/export/datasets.h"

#include <QFile>
#include <QTest>

using namespace openaps;

class TestDataDictionary : public QObject
{
    Q_OBJECT

private slots:
    void everyExportedColumnIsDocumented() { QCOMPARE(api::undocumentedColumns(), QStringList()); }

    void readmeTableMatchesTheCode()
    {
        QFile readme(qEnvironmentVariable("OPENAPS_TEST_SOURCE_DIR") + QStringLiteral("/README.md"));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(readme.readAll());
        const QString begin = QStringLiteral("<!-- data-dictionary:begin -->\n");
        const QString end = QStringLiteral("<!-- data-dictionary:end -->");
        const qsizetype from = text.indexOf(begin);
        const qsizetype to = text.indexOf(end);
        QVERIFY2(from >= 0 && to > from, "README.md has no data dictionary markers");
        const QString inReadme = text.mid(from + begin.size(), to - from - begin.size());
        const QString expected = api::dataDictionaryMarkdown();
        if (inReadme != expected) {
            // The table to paste between the markers.
            QFile out(QStringLiteral("data-dictionary.md"));
            if (out.open(QIODevice::WriteOnly))
                out.write(expected.toUtf8());
        }
        QVERIFY2(inReadme == expected,
                 "README.md's data dictionary differs from the code: build/tests/unit/data-dictionary.md holds "
                 "the table to paste between the markers");
    }
};

QTEST_GUILESS_MAIN(TestDataDictionary)
#include "tst_datadictionary.moc"
