// The participant site's templates: they parse, every page renders, values
// are escaped, and nothing needs inline script or style (the CSP forbids it).

#include "site/pagerenderer.h"
#include "site/pages.h"
#include "site/staticfiles.h"

#include <QDir>
#include <QRegularExpression>
#include <QTest>

using namespace openaps;
using namespace openaps::site;

class TestSiteTemplates : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void noInlineScriptOrStyle_data();
    void noInlineScriptOrStyle();
    void valuesAreEscaped();
    void landingSaysWhatAndWho();
    void mePageStates_data();
    void mePageStates();
    void errorPages_data();
    void errorPages();
    void staticFilesPresent();
    void diskCopyOverridesEmbedded();

private:
    QByteArray renderMe(const ParticipantView &participant, const TransferStatus &status, const FormState &form);

    std::shared_ptr<PageRenderer> m_renderer;
    SiteSettings m_settings;
    Session m_session;
};

void TestSiteTemplates::initTestCase()
{
    auto renderer = PageRenderer::load({});
    QVERIFY2(renderer.ok(), renderer.ok() ? "" : qPrintable(renderer.error().message));
    m_renderer = *renderer;
    m_settings = SiteSettings::fromConfig(Config::fromValues({}));
    m_session.participantId = 7;
    m_session.csrfToken = QStringLiteral("csrf-token-value");
}

QByteArray TestSiteTemplates::renderMe(const ParticipantView &participant, const TransferStatus &status,
                                       const FormState &form)
{
    return m_renderer->render(QStringLiteral("me"),
                              Pages(m_settings).me(m_session, participant, status, form, ConsentView {}));
}

void TestSiteTemplates::noInlineScriptOrStyle_data()
{
    QTest::addColumn<QString>("file");
    const QStringList files = QDir(QStringLiteral(":/site/templates")).entryList(QDir::Files);
    QVERIFY(files.size() >= 4);
    for (const QString &f : files)
        QTest::addRow("%s", qPrintable(f)) << f;
}

void TestSiteTemplates::noInlineScriptOrStyle()
{
    QFETCH(QString, file);
    QFile f(QStringLiteral(":/site/templates/") + file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    // <script> only with src=; no style attributes or <style>; no on* handlers; no external URLs.
    static const QRegularExpression inlineScript(QStringLiteral("<script(?![^>]*\\bsrc=)"));
    static const QRegularExpression handler(QStringLiteral("\\son[a-z]+\\s*="));
    QVERIFY2(!inlineScript.match(text).hasMatch(), "inline script");
    QVERIFY2(!text.contains(QLatin1String("style=")), "style attribute");
    QVERIFY2(!text.contains(QLatin1String("<style")), "style element");
    QVERIFY2(!handler.match(text).hasMatch(), "event handler attribute");
    QVERIFY2(!text.contains(QLatin1String("src=\"http")), "external resource");
    // Links out only from the footer and the privacy notice (which names the project's site).
    QVERIFY2(!text.contains(QLatin1String("href=\"http")) || file == QLatin1String("layout.mustache")
                     || file == QLatin1String("privacy.mustache"),
             "external link outside the footer and the privacy notice");
}

void TestSiteTemplates::valuesAreEscaped()
{
    ParticipantView p;
    p.memberId = QStringLiteral("<script>alert(1)</script>");
    p.nightscoutUrl = QStringLiteral("https://a.example/\"><img src=x>");
    p.consent = QStringLiteral("both");
    FormState form;
    form.fromInput = true;
    form.url = QStringLiteral("\" autofocus onfocus=\"alert(1)");
    form.problemTitle = QStringLiteral("<b>t</b>");
    form.problemText = QStringLiteral("a & b");
    const QByteArray html = renderMe(p, {}, form);
    QVERIFY(!html.contains("<script>alert"));
    QVERIFY(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    QVERIFY(!html.contains("<img src=x>"));
    QVERIFY(!html.contains("\" autofocus onfocus=\""));
    QVERIFY(html.contains("a &amp; b"));
}

void TestSiteTemplates::landingSaysWhatAndWho()
{
    const QByteArray html = m_renderer->render(QStringLiteral("landing"), Pages(m_settings).landing(nullptr));
    QVERIFY(html.contains("Log in with Open Humans"));
    QVERIFY(html.contains("href=\"/login\""));
    QVERIFY(html.contains("What is shared, and with whom"));
    QVERIFY(html.contains("Nightscout Foundation"));
    QVERIFY(html.contains("name=\"viewport\""));
    QVERIFY(!html.contains("Log out")); // not logged in
}

void TestSiteTemplates::mePageStates_data()
{
    QTest::addColumn<QString>("state");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<QByteArray>("absent");
    QTest::addRow("new participant") << "new" << QByteArray("id=\"nothing-saved\"") << QByteArray("checked");
    QTest::addRow("saved, both") << "saved" << QByteArray("example.herokuapp.com") << QByteArray("id=\"problem\"");
    QTest::addRow("just saved") << "just-saved" << QByteArray("id=\"saved-notice\"") << QByteArray("id=\"problem\"");
    QTest::addRow("probe failed") << "problem" << QByteArray("Your Nightscout site needs a token")
                                  << QByteArray("id=\"saved-notice\"");
    QTest::addRow("token help opens") << "problem" << QByteArray("id=\"token-help\" open") << QByteArray();
    QTest::addRow("several URL files") << "several" << QByteArray("We found 3 Nightscout addresses") << QByteArray();
    QTest::addRow("transfers") << "transfers" << QByteArray("Glucose readings") << QByteArray("Not yet.");
    QTest::addRow("transfer problem") << "transfers" << QByteArray("could not reach your Nightscout site")
                                      << QByteArray();
}

void TestSiteTemplates::mePageStates()
{
    QFETCH(QString, state);
    QFETCH(QByteArray, expected);
    QFETCH(QByteArray, absent);
    ParticipantView p;
    p.memberId = QStringLiteral("12345678");
    TransferStatus status;
    FormState form;
    if (state != QLatin1String("new")) {
        p.nightscoutUrl = QStringLiteral("https://example.herokuapp.com");
        p.consent = QStringLiteral("both");
        p.savedAt = QDateTime(QDate(2024, 1, 31), QTime(14, 5), Qt::UTC);
    }
    if (state == QLatin1String("just-saved"))
        form.saved = true;
    if (state == QLatin1String("problem")) {
        form.fromInput = true;
        form.problemTitle = QStringLiteral("Your Nightscout site needs a token");
        form.problemText = QStringLiteral("Please add an access token.");
        form.openTokenHelp = true;
    }
    if (state == QLatin1String("several"))
        p.urlFileCount = 3;
    if (state == QLatin1String("transfers")) {
        status.lastSuccessAt = QDateTime(QDate(2024, 2, 1), QTime(10, 0), Qt::UTC);
        status.types = { { QStringLiteral("entries"), 12345, status.lastSuccessAt },
                         { QStringLiteral("treatments"), 67, status.lastSuccessAt } };
        status.lastErrorCode = QStringLiteral("unreachable");
    }
    const QByteArray html = renderMe(p, status, form);
    QVERIFY2(html.contains(expected), html.constData());
    if (!absent.isEmpty())
        QVERIFY(!html.contains(absent));
    QVERIFY(html.contains("name=\"csrf\" value=\"csrf-token-value\""));
    QVERIFY(html.contains("action=\"/logout\""));
}

void TestSiteTemplates::errorPages_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("heading");
    QTest::addRow("404") << 404 << QByteArray("We could not find this page");
    QTest::addRow("403") << 403 << QByteArray("This form has expired");
    QTest::addRow("413") << 413 << QByteArray("That was more than we can take");
    QTest::addRow("429") << 429 << QByteArray("Too many tries in a short time");
    QTest::addRow("500") << 500 << QByteArray("Something went wrong on our side");
}

void TestSiteTemplates::errorPages()
{
    QFETCH(int, status);
    QFETCH(QByteArray, heading);
    Pages pages(m_settings);
    QVERIFY(pages.hasErrorPage(status));
    const QByteArray html = m_renderer->render(QStringLiteral("message"), pages.httpError(status, nullptr));
    QVERIFY(html.contains(heading));
    QVERIFY(html.contains("class=\"button\""));
}

void TestSiteTemplates::staticFilesPresent()
{
    StaticFiles files({});
    for (const char *name : { "site.css", "site.js", "icon.svg" }) {
        const auto *f = files.find(QString::fromLatin1(name));
        QVERIFY2(f, name);
        QVERIFY(!f->content.isEmpty());
        QVERIFY(f->etag.startsWith('"'));
    }
    QCOMPARE(files.find(QStringLiteral("site.js"))->mimeType, QByteArray("text/javascript; charset=utf-8"));
    QVERIFY(!files.find(QStringLiteral("../templates/layout.mustache")));
}

void TestSiteTemplates::diskCopyOverridesEmbedded()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("templates")));
    auto write = [&](const QString &name, const QByteArray &text) {
        QFile f(dir.filePath(QStringLiteral("templates/") + name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    };
    write(QStringLiteral("layout.mustache"), "<main>{{{content}}}</main>");
    write(QStringLiteral("landing.mustache"), "custom {{title}}");
    auto renderer = PageRenderer::load(dir.path());
    QVERIFY(renderer.ok());
    QVERIFY((*renderer)
                    ->render(QStringLiteral("landing"), Pages(m_settings).landing(nullptr))
                    .startsWith("<main>custom Share"));
    write(QStringLiteral("broken.mustache"), "{{#open}} never closed");
    auto broken = PageRenderer::load(dir.path());
    QVERIFY(!broken.ok());
    QVERIFY(broken.error().message.contains(QLatin1String("broken.mustache")));
}

QTEST_APPLESS_MAIN(TestSiteTemplates)
#include "tst_sitetemplates.moc"
