// `openaps-server admin ...`: the researcher accounts from the command line
// (README, "Researcher API (accounts)"), e.g. to create the first administrator.
#include "app/commands.h"

#include "api/accountmail.h"
#include "api/jsonbody.h"
#include "api/researcherstore.h"
#include "crypto/secrets.h"
#include "mail/smtpsend.h"
#include "site/duplicatesites.h"

#include <QDateTime>
#include <QTextStream>

#include <cstdio>

namespace openaps::app {

namespace {

using api::Account;
using api::ResearcherStore;

constexpr int minimumPasswordLength = 10;

int usageError(const QString &message)
{
    printError(message
               + QStringLiteral(" Usage: openaps-server admin list [--status S] | approve EMAIL --scope "
                                "openaps|nsf|all [--admin] | reject EMAIL --reason TEXT | deactivate EMAIL | "
                                "show EMAIL | create EMAIL "
                                "--name N [--institution I] --scope S [--admin] (password on stdin) | "
                                "duplicate-sites."));
    return 2;
}

// "--name N" style options after the positional arguments; flags take no value.
struct Options
{
    QStringList positional;
    QMap<QString, QString> values;
    QStringList flags;
};

std::optional<Options> parseOptions(const QStringList &arguments, const QStringList &withValue,
                                    const QStringList &flags, QString *error)
{
    Options options;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString &a = arguments.at(i);
        if (withValue.contains(a)) {
            if (i + 1 >= arguments.size()) {
                *error = QStringLiteral("%1 needs a value.").arg(a);
                return std::nullopt;
            }
            options.values.insert(a, arguments.at(++i));
        } else if (flags.contains(a)) {
            options.flags.append(a);
        } else if (a.startsWith(QLatin1String("--"))) {
            *error = QStringLiteral("Unknown option %1.").arg(a);
            return std::nullopt;
        } else {
            options.positional.append(a);
        }
    }
    return options;
}

std::optional<Account> accountFor(const ResearcherStore &store, const QString &email)
{
    auto found = store.findByEmail(email);
    if (!found) {
        printError(found.error().message);
        return std::nullopt;
    }
    if (!*found) {
        printError(QStringLiteral("There is no researcher with the email address %1.").arg(email));
        return std::nullopt;
    }
    return **found;
}

int list(ResearcherStore &store, const Options &options)
{
    const QString status = options.values.value(QStringLiteral("--status"));
    if (!status.isEmpty() && !api::status::isKnown(status))
        return usageError(QStringLiteral("--status must be unverified, pending, approved, rejected or deactivated."));
    auto accounts = store.list(status);
    if (!accounts) {
        printError(accounts.error().message);
        return 1;
    }
    QTextStream out(stdout);
    out << QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                    .arg(QStringLiteral("ID").leftJustified(5), QStringLiteral("STATUS").leftJustified(11),
                         QStringLiteral("SCOPE").leftJustified(7), QStringLiteral("ADMIN"),
                         QStringLiteral("EMAIL").leftJustified(30), QStringLiteral("NAME (INSTITUTION)"));
    for (const Account &a : std::as_const(*accounts))
        out << QStringLiteral("%1  %2  %3  %4  %5  %6 (%7)\n")
                        .arg(QString::number(a.id).leftJustified(5), a.status.leftJustified(11),
                             (a.scope.isEmpty() ? QStringLiteral("-") : a.scope).leftJustified(7),
                             (a.isAdmin ? QStringLiteral("yes") : QStringLiteral("no")).leftJustified(5),
                             a.email.leftJustified(30), a.name, a.institution);
    out << accounts->size() << (accounts->size() == 1 ? " researcher\n" : " researchers\n");
    return 0;
}

// The old portal's counters of a migrated account: "17 sign-ins (last
// 2019-11-01T09:00:00Z), 4 downloads, 12.5 MiB"; "-" for accounts made here.
QString legacyUsageText(const api::LegacyUsage &usage)
{
    if (usage.isEmpty())
        return QStringLiteral("-");
    const auto count = [](const std::optional<int> &n) { return n ? QString::number(*n) : QStringLiteral("?"); };
    QString text = QStringLiteral("%1 sign-ins").arg(count(usage.logins));
    if (usage.lastLoginMs)
        text += QStringLiteral(" (last %1)")
                        .arg(QDateTime::fromMSecsSinceEpoch(*usage.lastLoginMs, Qt::UTC).toString(Qt::ISODate));
    text += QStringLiteral(", %1 downloads").arg(count(usage.downloads));
    if (usage.downloadMb)
        text += QStringLiteral(", %1 MiB").arg(*usage.downloadMb);
    return text;
}

// Everything an application said, for deciding on it.
int show(const ResearcherStore &store, const Options &options)
{
    auto account = accountFor(store, options.positional.value(0));
    if (!account)
        return 1;
    const api::ApplicationDetails &d = account->application;
    const auto orDash = [](const QString &text) { return text.isEmpty() ? QStringLiteral("-") : text; };
    const auto when = [](qint64 ms) {
        return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate) : QStringLiteral("-");
    };
    const QString commons = d.requestedScope == QLatin1String("nsf") ? QStringLiteral("Nightscout")
            : d.requestedScope == QLatin1String("all")               ? QStringLiteral("both (OpenAPS and Nightscout)")
            : d.requestedScope == QLatin1String("openaps")           ? QStringLiteral("OpenAPS")
                                                                     : QStringLiteral("-");
    QTextStream out(stdout);
    const QList<QPair<QString, QString>> rows {
        { QStringLiteral("id"), QString::number(account->id) },
        { QStringLiteral("email"), account->email },
        { QStringLiteral("name"), account->name },
        { QStringLiteral("institution"), account->institution },
        { QStringLiteral("phone"), orDash(d.phone) },
        { QStringLiteral("sponsor"), orDash(d.sponsorOrganisation) },
        { QStringLiteral("irb approval"), orDash(d.irbApproval) },
        { QStringLiteral("irb details"), orDash(d.irbDetails) },
        { QStringLiteral("data commons"), commons },
        { QStringLiteral("terms of use"),
          d.termsVersion.isEmpty() ? QStringLiteral("-")
                                   : QStringLiteral("%1, accepted %2").arg(d.termsVersion, when(d.termsAcceptedMs)) },
        { QStringLiteral("status"), account->status },
        { QStringLiteral("scope"), orDash(account->scope) },
        { QStringLiteral("applied"), when(account->createdMs) },
        { QStringLiteral("rejection reason"), orDash(d.rejectionReason) },
        { QStringLiteral("research"), orDash(account->purpose) },
        { QStringLiteral("old portal"), legacyUsageText(account->legacyUsage) },
    };
    for (const auto &[label, value] : rows)
        out << QString(label + QLatin1Char(':')).leftJustified(18) << value << '\n';
    return 0;
}

// A command-line tool may wait for the mail server; the server never does.
void sendMail(const Config &config, const mail::Message &message, const char *what)
{
    auto smtp = mail::SmtpSettings::fromConfig(config);
    if (smtp && smtp->isConfigured()) {
        if (auto sent = mail::sendBlocking(*smtp, message); !sent)
            printError(QStringLiteral("The %1 email was not sent: %2").arg(QLatin1String(what), sent.error().message));
    }
}

int approve(const Config &config, ResearcherStore &store, const Options &options)
{
    auto scope = api::parseScope(options.values.value(QStringLiteral("--scope")));
    if (!scope)
        return usageError(QStringLiteral("approve needs --scope openaps, nsf or all."));
    auto account = accountFor(store, options.positional.value(0));
    if (!account)
        return 1;
    if (account->status == api::status::unverified) {
        printError(QStringLiteral("%1 has not confirmed their email address yet.").arg(account->email));
        return 1;
    }
    const bool isAdmin = options.flags.contains(QStringLiteral("--admin")) || account->isAdmin;
    if (auto done = store.approve(account->id, *scope, isAdmin, std::nullopt, QDateTime::currentMSecsSinceEpoch());
        !done) {
        printError(done.error().message);
        return 1;
    }
    QTextStream(stdout) << "Approved " << account->email << " (scope " << api::scopeName(*scope)
                        << (isAdmin ? ", administrator" : "") << ").\n";
    sendMail(config, api::approvedMail(*account), "approval");
    return 0;
}

int changeStatus(const Config &config, ResearcherStore &store, const Options &options, const QString &newStatus)
{
    const bool rejecting = newStatus == api::status::rejected;
    const QString reason = options.values.value(QStringLiteral("--reason")).trimmed();
    if (rejecting && reason.isEmpty())
        return usageError(QStringLiteral("reject needs --reason: the applicant is told why."));
    auto account = accountFor(store, options.positional.value(0));
    if (!account)
        return 1;
    const bool allowed = newStatus == api::status::rejected
            ? account->status == api::status::unverified || account->status == api::status::pending
            : account->status == api::status::approved;
    if (!allowed) {
        printError(QStringLiteral("%1 is %2 and cannot be %3.").arg(account->email, account->status, newStatus));
        return 1;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (auto done = rejecting ? store.reject(account->id, reason, now) : store.setStatus(account->id, newStatus, now);
        !done) {
        printError(done.error().message);
        return 1;
    }
    QTextStream(stdout) << account->email << " is now " << newStatus << ".\n";
    if (rejecting)
        sendMail(config, api::rejectedMail(*account, reason), "rejection");
    return 0;
}

int create(ResearcherStore &store, const Options &options)
{
    Account account;
    account.email = ResearcherStore::normalizeEmail(options.positional.value(0));
    account.name = options.values.value(QStringLiteral("--name")).trimmed();
    account.institution = options.values.value(QStringLiteral("--institution")).trimmed();
    account.purpose = QStringLiteral("created with openaps-server admin create");
    auto scope = api::parseScope(options.values.value(QStringLiteral("--scope")));
    if (!api::isPlausibleEmail(account.email))
        return usageError(QStringLiteral("create needs the researcher's email address."));
    if (account.name.isEmpty() || !scope)
        return usageError(QStringLiteral("create needs --name and --scope openaps, nsf or all."));
    account.scope = api::scopeName(*scope);
    account.isAdmin = options.flags.contains(QStringLiteral("--admin"));
    account.status = api::status::approved;
    // The password comes on stdin so it stays out of the shell history and `ps`.
    QTextStream in(stdin);
    const QString password = in.readLine();
    if (password.size() < minimumPasswordLength) {
        printError(QStringLiteral("The password (read from standard input) must have at least %1 characters.")
                           .arg(minimumPasswordLength));
        return 1;
    }
    auto hash = crypto::hashPassword(password);
    if (!hash) {
        printError(hash.error().message);
        return 1;
    }
    account.passwordHash = *hash;
    auto id = store.create(account, QDateTime::currentMSecsSinceEpoch());
    if (!id) {
        printError(id.error().message);
        return 1;
    }
    QTextStream(stdout) << "Created " << account.email << " (id " << *id << ", scope " << account.scope
                        << (account.isAdmin ? ", administrator" : "") << ").\n";
    return 0;
}

// Nightscout sites that several active participants registered (README,
// "Participant site"): their data would reach researchers twice.
int duplicateSites(const db::Database &database)
{
    auto sites = site::duplicateSites(database);
    if (!sites) {
        printError(sites.error().message);
        return 1;
    }
    QTextStream out(stdout);
    out << QStringLiteral("%1  %2\n").arg(QStringLiteral("SITE").leftJustified(12), QStringLiteral("MEMBERS"));
    for (const site::DuplicateSite &s : std::as_const(*sites))
        out << s.siteId.leftJustified(12) << "  " << s.memberIds.join(QLatin1String(", ")) << '\n';
    out << sites->size() << (sites->size() == 1 ? " site" : " sites") << " registered by more than one member\n";
    return 0;
}

} // namespace

int adminCommand(const Config &config, const QStringList &arguments)
{
    const QString action = arguments.value(0);
    QString error;
    const auto options = parseOptions(arguments.mid(1),
                                      { QStringLiteral("--status"), QStringLiteral("--scope"), QStringLiteral("--name"),
                                        QStringLiteral("--institution"), QStringLiteral("--reason") },
                                      { QStringLiteral("--admin") }, &error);
    if (!options)
        return usageError(error);
    const bool noEmail = action == QLatin1String("list") || action == QLatin1String("duplicate-sites");
    const int wantPositional = noEmail ? 0 : 1;
    const QStringList known { QStringLiteral("list"),   QStringLiteral("approve"),
                              QStringLiteral("reject"), QStringLiteral("deactivate"),
                              QStringLiteral("create"), QStringLiteral("duplicate-sites"),
                              QStringLiteral("show") };
    if (!known.contains(action))
        return usageError(action.isEmpty() ? QStringLiteral("admin needs an action.")
                                           : QStringLiteral("Unknown admin action '%1'.").arg(action));
    if (options->positional.size() != wantPositional)
        return usageError(wantPositional ? QStringLiteral("admin %1 needs exactly one email address.").arg(action)
                                         : QStringLiteral("admin %1 takes no email address.").arg(action));
    auto database = openDatabase(config, false, true);
    if (!database)
        return 1;
    if (action == QLatin1String("duplicate-sites"))
        return duplicateSites(*database);
    ResearcherStore store(*database);
    if (action == QLatin1String("list"))
        return list(store, *options);
    if (action == QLatin1String("approve"))
        return approve(config, store, *options);
    if (action == QLatin1String("show"))
        return show(store, *options);
    if (action == QLatin1String("reject"))
        return changeStatus(config, store, *options, api::status::rejected);
    if (action == QLatin1String("deactivate"))
        return changeStatus(config, store, *options, api::status::deactivated);
    return create(store, *options);
}

} // namespace openaps::app
