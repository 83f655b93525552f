#pragma once

// Shared set-up for the Open Humans client tests: a stand-in on loopback,
// a client pointed at it, and a clock the test moves by hand.

#include "openhumans/client.h"
#include "standins/openhumansstandin.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <memory>

namespace openaps::test {

struct FakeClock
{
    QDateTime now = QDateTime(QDate(2024, 3, 1), QTime(12, 0), Qt::UTC);
    Clock clock()
    {
        return [this] { return now; };
    }
    void advance(qint64 seconds) { now = now.addSecs(seconds); }
};

inline const QUrl redirectUri()
{
    return QUrl(QStringLiteral("http://127.0.0.1:9/oh/callback"));
}

// Starts the job, waits for finished() and returns its result.
template <typename JobT> auto runJob(JobT *job)
{
    job->setAutoDelete(false);
    QSignalSpy spy(job, &oh::Job::finished);
    job->start();
    if (!job->isFinished())
        spy.wait(20000);
    auto result = job->result();
    delete job;
    return result;
}

struct OpenHumansFixture
{
    explicit OpenHumansFixture(standins::OpenHumansStandIn::Options options = {})
    {
        QStandardPaths::setTestModeEnabled(true);
        options.clock = clock.clock();
        if (options.redirectUri.isEmpty())
            options.redirectUri = redirectUri();
        standIn = std::make_unique<standins::OpenHumansStandIn>(options, &nam);
        const auto port = standIn->listen();
        if (!port)
            qFatal("stand-in did not start");
        settings.baseUrl = standIn->baseUrl();
        settings.clientId = options.clientId;
        settings.clientSecret = options.clientSecret;
        settings.redirectUri = options.redirectUri;
        // Generous: the machine may be busy; fault tests set their own.
        settings.requestTimeout = std::chrono::milliseconds(10000);
        settings.firstBackoff = std::chrono::milliseconds(10);
        settings.maxAttempts = 3;
    }

    oh::Client client() { return oh::Client(&nam, settings, clock.clock()); }

    // A member with a valid token pair, without going through the browser.
    QString memberWithTokens(oh::TokenPair *tokens)
    {
        const QString member = standIn->addMember();
        const auto grant = standIn->store().issueTokens(member);
        tokens->accessToken = grant.accessToken;
        tokens->refreshToken = grant.refreshToken;
        return member;
    }

    // A member with tokens and these files (name, contents), listed once
    // through the client as the ETL would before downloading.
    oh::Member listedMember(oh::TokenPair *tokens, const QList<QPair<QString, QByteArray>> &files)
    {
        const QString member = memberWithTokens(tokens);
        for (const auto &file : files)
            standIn->addFile(member, file.first, file.second);
        const auto listed = runJob(client().exchangeMember(tokens->accessToken));
        if (!listed.ok())
            qFatal("listing failed: %s", qPrintable(listed.error().toString()));
        return *listed;
    }

    FakeClock clock;
    QNetworkAccessManager nam;
    std::unique_ptr<standins::OpenHumansStandIn> standIn;
    oh::Settings settings;
};

} // namespace openaps::test
