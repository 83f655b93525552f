// The query string of GET /api/v1/export/{dataset}[/count], for every
// dataset: the filters and options it parses to, the attachment file name
// (which goes into Content-Disposition: never a path, quote or line break),
// the audit's filters, and the SQL it leads to (values bound, never in the
// text).

#include "api/export/datasets.h"
#include "api/export/exportparams.h"
#include "api/export/exportsql.h"
#include "fuzzsupport.h"

using namespace openaps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(fuzz::bytes(data, size));
    const QUrlQuery query(text);
    for (const api::Dataset &dataset : api::datasets()) {
        for (const bool withFormat : { true, false }) {
            const auto params = api::ExportParams::parse(query, dataset, withFormat);
            if (!params)
                continue;
            const QString name = params->fileName(dataset);
            for (const QChar c : name) {
                if (c == u'/' || c == u'\\' || c == u'"' || c.unicode() < 0x20 || c.unicode() == 0x7f)
                    fuzz::fail("export_params", QLatin1String("unsafe file name: ") + name);
            }
            (void)params->contentType();
            (void)params->auditFilters();
            api::ExportQuery exportQuery { &dataset, *params, { 0, 1, 2 } };
            for (const auto dialect : { api::ExportSql::Dialect::Sqlite, api::ExportSql::Dialect::Postgres,
                                        api::ExportSql::Dialect::PostgresCopy }) {
                const api::ExportSql sql(exportQuery, dialect);
                const QString statement = dialect == api::ExportSql::Dialect::PostgresCopy ? sql.copySql()
                                                                                           : sql.selectSql();
                (void)sql.countSql();
                if (statement.contains(u';') || statement.contains(QLatin1String("--")))
                    fuzz::fail("export_params", QLatin1String("statement text from the query: ") + statement);
                if (dialect != api::ExportSql::Dialect::PostgresCopy && statement.count(u'?') != sql.values().size())
                    fuzz::fail("export_params", QLatin1String("placeholders and values disagree: ") + statement);
            }
        }
    }
    return 0;
}
