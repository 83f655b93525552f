#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>
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
    // The old portal's counters of a migrated account, in words ("17
    // sign-ins (last 2019-11-01), 4 downloads, 12.5 MiB"); empty otherwise.
    QString legacyUsage;

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
    // CSV only: text cells that a spreadsheet would run as a formula start
    // with ' (the API's spreadsheet_safe=1).
    bool spreadsheetSafe = false;

    QUrlQuery query() const;
    // The dataset as one URL path segment, percent-encoded (the name comes
    // from the server: a / in it must not reach another route).
    QString datasetSegment() const;
    // "<dataset>_<from>_<to>.<ext>[.gz]", the server's naming scheme with
    // days only (the download's sink sees no Content-Disposition). The
    // dataset name comes from the server: made safe (safeFileNamePart).
    QString defaultFileName() const;
};

// The researcher API's address as a researcher typed it. https://, or plain
// http:// only to this computer (localhost, 127.0.0.0/8, ::1: the demo and
// tests): anywhere else the password, the sign-in token and health data would
// cross the network unencrypted. Without a scheme, https:// is meant (http://
// for this computer). An Error in plain words otherwise.
Result<QUrl> parseServerUrl(const QString &text);

// A name the server sent, usable as part of a file name on every system: no
// path separators, no "..", no control characters, none of Windows' reserved
// characters (<>:"|?*) or names (CON, NUL, COM1, ...), no leading or
// trailing dots or spaces, at most 64 characters; "download" if nothing is left.
QString safeFileNamePart(const QString &name);

} // namespace openaps::researcher
