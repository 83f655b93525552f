#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

namespace openaps::researcher {

// What an application asked besides name, institution and purpose (the old
// system's form) and the terms of use accepted: the admin list's `application`.
struct ApplicationDetails
{
    QString phone;
    QString irbApproval; // yes | no | unsure
    QString irbDetails;
    QString sponsorOrganisation;
    QString dataCommons; // openaps | nightscout | both
    QString termsVersion;
    QDateTime termsAcceptedAt;
    QString rejectionReason;

    static ApplicationDetails fromJson(const QJsonObject &o);
};

// A researcher account as the API describes it: `GET /me` and login fill the
// account fields, the admin list adds purpose, status, created_at and the application.
struct Account
{
    qint64 id = 0;
    QString name;
    QString email;
    QString institution;
    QString scope; // openaps | nsf | all
    bool isAdmin = false;
    QString purpose;
    QString status; // unverified | pending | approved | rejected | deactivated
    QDateTime createdAt;
    ApplicationDetails application;

    static Account fromJson(const QJsonObject &o);
};

struct Application
{
    QString name;
    QString email;
    QString institution;
    QString purpose; // the description of the research
    QString password;
    QString phone;
    QString irbApproval; // yes | no | unsure
    QString irbDetails;
    QString sponsorOrganisation;
    QString dataCommons; // openaps | nightscout | both
    QString acceptedTerms; // the version of the terms of use accepted; empty: not accepted

    QJsonObject toJson() const;
};

// The terms of use an application must accept (`GET /terms`).
struct TermsOfUse
{
    QString version;
    QString text;
};

struct Session
{
    QString token; // kept in memory only, never stored or logged
    QDateTime expiresAt;
    Account researcher;
};

struct DatasetColumn
{
    QString name;
    QString type;
};

struct Dataset
{
    QString name;
    QList<DatasetColumn> columns;
    QString timeColumn;
};

Result<QList<Dataset>> parseDatasets(const QByteArray &body);
Result<QList<Account>> parseAccounts(const QByteArray &body);

// What to download: `GET /api/v1/export/{dataset}?...`.
struct ExportFilter
{
    QString dataset = QStringLiteral("entries");
    QString format = QStringLiteral("csv"); // csv | ndjson
    QDateTime from; // inclusive, optional
    QDateTime to; // exclusive, optional
    QStringList participants; // empty: all the scope allows
    bool gzip = false;

    QUrlQuery query() const;
    // "<dataset>_<from>_<to>.<ext>[.gz]", the server's naming scheme with
    // days only (the download's sink sees no Content-Disposition).
    QString defaultFileName() const;
};

} // namespace openaps::researcher
