#include "records/columndocs.h"

#include <QHash>

namespace openaps::records {

namespace {

const QString kept = QStringLiteral("kept");
const QString family = QStringLiteral(
        "family from a fixed list (androidaps, loop, openaps, xdrip, dexcom, ..., other)");
const QString dropped = QStringLiteral("dropped: always empty");
const QString surveyText = QStringLiteral("the form's choices named, anything else typed `Other`");
const QString surveyMeasure = QStringLiteral("numbers with units only, anything else empty");

using Docs = QHash<QString, ColumnDoc>; // "dataset.column", or "*.column" for every dataset

ColumnDoc doc(const char *description, const char *unit, const char *source, const QString &privacy = kept)
{
    return { QString::fromUtf8(description), QString::fromUtf8(unit), QString::fromUtf8(source), privacy };
}

Docs common()
{
    return {
        { QStringLiteral("*.user_id"),
          doc("the participant, the same in every dataset and download", "", "the Open Humans member id",
              QStringLiteral("pseudonym: 16-digit keyed hash of the member id, never the id")) },
        { QStringLiteral("*.id"),
          doc("the Nightscout document id (a stable hash when the document has none)", "", "`_id`") },
        { QStringLiteral("*.source_entity"),
          doc("who the participant shares with: 0 OpenAPS, 1 Nightscout Foundation, 2 both", "",
              "the participant's consent") },
        { QStringLiteral("*.raw_json"),
          doc("the whole Nightscout document", "", "the document",
              QStringLiteral("scrubbed: free text and serials dropped, devices as families, profile names as "
                             "keyed hashes")) },
        { QStringLiteral("*.created_at"), doc("when the record was made", "UTC", "`created_at` (or its fallbacks)") },
        { QStringLiteral("*.utc_offset"),
          doc("the participant's offset from UTC at that time", "minutes",
              "`utcOffset`, the time string's offset, Loop's `secondsFromGMT`, the profile's time zone") },
    };
}

Docs entries()
{
    return {
        { QStringLiteral("entries.sgv"), doc("sensor glucose", "mg/dL", "`sgv`") },
        { QStringLiteral("entries.direction"), doc("trend arrow name", "", "`direction`") },
        { QStringLiteral("entries.device"), doc("what uploaded the reading", "", "`device`", family) },
        { QStringLiteral("entries.type"), doc("sgv, mbg or cal", "", "`type` (inferred when missing)") },
        { QStringLiteral("entries.rssi"), doc("radio signal strength", "", "`rssi`") },
        { QStringLiteral("entries.rawbg"), doc("raw glucose", "mg/dL", "`rawbg`") },
        { QStringLiteral("entries.trend"), doc("trend code", "", "`trend` or `trend_arrow`") },
        { QStringLiteral("entries.glucose"), doc("glucose (OpenAPS records)", "mg/dL", "`glucose`") },
        { QStringLiteral("entries.mbg"), doc("meter glucose", "mg/dL", "`mbg`") },
        { QStringLiteral("entries.delta"), doc("change since the previous reading", "mg/dL", "`delta`") },
        { QStringLiteral("entries.filtered"), doc("filtered raw sensor signal", "", "`filtered`") },
        { QStringLiteral("entries.unfiltered"), doc("unfiltered raw sensor signal", "", "`unfiltered`") },
        { QStringLiteral("entries.noise"),
          doc("sensor noise, 1 clean to 4 heavy", "", "`noise` (xDrip words mapped)") },
        { QStringLiteral("entries.scale"), doc("calibration scale", "", "`scale`") },
        { QStringLiteral("entries.slope"), doc("calibration slope", "", "`slope`") },
        { QStringLiteral("entries.intercept"), doc("calibration intercept", "", "`intercept`") },
        { QStringLiteral("entries.system_time"),
          doc("the receiver's clock as written", "", "`system_time`, `sysTime`") },
        { QStringLiteral("entries.date"), doc("when the reading was taken", "UTC", "`date`, `dateString`, ...") },
    };
}

Docs treatments()
{
    return {
        { QStringLiteral("treatments.event_type"), doc("kind of treatment", "", "`eventType`") },
        { QStringLiteral("treatments.timestamp"), doc("when it happened", "UTC", "`timestamp` (else `created_at`)") },
        { QStringLiteral("treatments.insulin"), doc("insulin given", "U", "`insulin`") },
        { QStringLiteral("treatments.carbs"), doc("carbohydrates", "g", "`carbs`") },
        { QStringLiteral("treatments.protein"), doc("protein", "g", "`protein`") },
        { QStringLiteral("treatments.fat"), doc("fat", "g", "`fat`") },
        { QStringLiteral("treatments.glucose"), doc("glucose entered with it", "as `units`", "`glucose`") },
        { QStringLiteral("treatments.glucose_type"), doc("Finger or Sensor", "", "`glucoseType`") },
        { QStringLiteral("treatments.food_type"), doc("food description", "", "`foodType`", dropped) },
        { QStringLiteral("treatments.temp"), doc("temp basal kind (absolute, percent)", "", "`temp`") },
        { QStringLiteral("treatments.rate"), doc("temp basal rate", "U/h", "`rate`") },
        { QStringLiteral("treatments.duration"), doc("duration", "min", "`duration`") },
        { QStringLiteral("treatments.units"), doc("glucose unit of the record", "", "`units`") },
        { QStringLiteral("treatments.amount"), doc("amount", "", "`amount`") },
        { QStringLiteral("treatments.absolute"), doc("absolute temp basal rate", "U/h", "`absolute`") },
        { QStringLiteral("treatments.medtronic"), doc("OpenAPS pump history record kind", "", "`medtronic`") },
        { QStringLiteral("treatments.type"), doc("record subtype (SMB, NORMAL, ...)", "", "`type`") },
        { QStringLiteral("treatments.absorption_time"), doc("carb absorption time", "min", "`absorptionTime`") },
        { QStringLiteral("treatments.unabsorbed"), doc("unabsorbed carbs", "g", "`unabsorbed`") },
        { QStringLiteral("treatments.ratio"), doc("ratio", "", "`ratio`") },
        { QStringLiteral("treatments.target_top"), doc("temporary target, top", "as `units`", "`targetTop`") },
        { QStringLiteral("treatments.target_bottom"), doc("temporary target, bottom", "as `units`", "`targetBottom`") },
        { QStringLiteral("treatments.fixed"), doc("fixed amount", "", "`fixed`") },
        { QStringLiteral("treatments.programmed"), doc("programmed bolus", "U", "`programmed`") },
        { QStringLiteral("treatments.reason"),
          doc("why (temporary targets, overrides, suspends)", "", "`reason`",
              QStringLiteral("the apps' own wording, else `other`")) },
        { QStringLiteral("treatments.notes"), doc("the participant's note", "", "`notes`", dropped) },
        { QStringLiteral("treatments.entered_by"), doc("what entered it", "", "`enteredBy`", family) },
    };
}

Docs deviceStatus()
{
    return {
        { QStringLiteral("device_status.device"), doc("the uploading rig or phone", "", "`device`", family) },
        { QStringLiteral("device_status.pump_id"), doc("the pump's serial number", "", "Loop `pump.pumpID`", dropped) },
        { QStringLiteral("device_status.pump_bolusing"),
          doc("pump bolusing", "", "`pump.bolusing`, `pump.status.bolusing`") },
        { QStringLiteral("device_status.pump_suspended"),
          doc("pump suspended", "", "`pump.suspended`, `pump.status.suspended`") },
        { QStringLiteral("device_status.pump_model"), doc("pump model", "", "`pump.model`") },
        { QStringLiteral("device_status.loop_cob"), doc("Loop carbs on board", "g", "`loop.cob.cob`") },
        { QStringLiteral("device_status.loop_iob"), doc("Loop insulin on board", "U", "`loop.iob.iob`") },
        { QStringLiteral("device_status.loop_version"), doc("Loop version", "", "`loop.version`") },
        { QStringLiteral("device_status.loop_failure_reason"),
          doc("why Loop failed", "", "`loop.failureReason`", QStringLiteral("the error's name, else `other`")) },
        { QStringLiteral("device_status.snooze"), doc("snooze state", "", "`snooze`") },
        { QStringLiteral("device_status.override_active"), doc("a Loop override is active", "", "`override.active`") },
    };
}

Docs metrics()
{
    const char *iob = "OpenAPS `openaps.iob` (first element of an array), Loop `loop.iob`";
    const char *suggested = "`openaps.suggested`";
    const char *enacted = "`openaps.enacted`, Loop `loop.enacted`";
    return {
        { QStringLiteral("device_status_metrics.device_status_id"), doc("the device_status row's id", "", "`_id`") },
        { QStringLiteral("device_status_metrics.iob_iob"), doc("insulin on board", "U", iob) },
        { QStringLiteral("device_status_metrics.iob_activity"), doc("insulin activity", "U/min", iob) },
        { QStringLiteral("device_status_metrics.iob_basal_iob"), doc("basal insulin on board", "U", iob) },
        { QStringLiteral("device_status_metrics.iob_bolus_iob"), doc("bolus insulin on board", "U", iob) },
        { QStringLiteral("device_status_metrics.iob_net_basal_insulin"), doc("net basal insulin", "U", iob) },
        { QStringLiteral("device_status_metrics.iob_bolus_insulin"), doc("bolus insulin", "U", iob) },
        { QStringLiteral("device_status_metrics.iob_timestamp"), doc("time of the IOB figures", "UTC", iob) },
        { QStringLiteral("device_status_metrics.suggested_temp"), doc("suggested temp basal kind", "", suggested) },
        { QStringLiteral("device_status_metrics.suggested_bg"),
          doc("glucose the suggestion used", "mg/dL", suggested) },
        { QStringLiteral("device_status_metrics.suggested_tick"),
          doc("glucose change written as text", "mg/dL", suggested) },
        { QStringLiteral("device_status_metrics.suggested_eventual_bg"),
          doc("predicted eventual glucose", "mg/dL", suggested) },
        { QStringLiteral("device_status_metrics.suggested_insulin_req"), doc("insulin required", "U", suggested) },
        { QStringLiteral("device_status_metrics.suggested_reservoir"), doc("reservoir", "U", suggested) },
        { QStringLiteral("device_status_metrics.suggested_cob"),
          doc("carbs on board", "g", "`openaps.suggested.COB`, Loop `loop.cob.cob`") },
        { QStringLiteral("device_status_metrics.suggested_iob"), doc("insulin on board", "U", suggested) },
        { QStringLiteral("device_status_metrics.enacted_temp"), doc("enacted temp basal kind", "", enacted) },
        { QStringLiteral("device_status_metrics.enacted_bg"), doc("glucose at the decision", "mg/dL", enacted) },
        { QStringLiteral("device_status_metrics.enacted_tick"),
          doc("glucose change written as text", "mg/dL", enacted) },
        { QStringLiteral("device_status_metrics.enacted_eventual_bg"),
          doc("predicted eventual glucose", "mg/dL", enacted) },
        { QStringLiteral("device_status_metrics.enacted_insulin_req"), doc("insulin required", "U", enacted) },
        { QStringLiteral("device_status_metrics.enacted_reservoir"), doc("reservoir as written", "U", enacted) },
        { QStringLiteral("device_status_metrics.enacted_cob"), doc("carbs on board", "g", enacted) },
        { QStringLiteral("device_status_metrics.enacted_iob"), doc("insulin on board", "U", enacted) },
        { QStringLiteral("device_status_metrics.enacted_duration"), doc("temp basal duration", "min", enacted) },
        { QStringLiteral("device_status_metrics.enacted_rate"), doc("temp basal rate", "U/h", enacted) },
        { QStringLiteral("device_status_metrics.enacted_timestamp"), doc("when it was enacted", "UTC", enacted) },
    };
}

Docs profile()
{
    return {
        { QStringLiteral("profile.default_profile"),
          doc("the profile in force", "", "`defaultProfile`",
              QStringLiteral("`profile-` + 8 hex digits of a keyed hash")) },
        { QStringLiteral("profile.mills"), doc("start as epoch milliseconds", "ms", "`mills`") },
        { QStringLiteral("profile.units"),
          doc("glucose unit of the profile", "", "`units`, else the active profile's") },
        { QStringLiteral("profile.timezone"), doc("the profile's time zone", "", "the active profile's `timezone`") },
        { QStringLiteral("profile.start_date"), doc("from when it applies", "UTC", "`startDate`, `mills`") },
    };
}

Docs demographics()
{
    auto survey = [](const char *description, const char *unit, const char *asked, const QString &privacy = kept) {
        ColumnDoc d = doc(description, unit, asked, privacy);
        d.source.prepend(QLatin1String("survey: "));
        return d;
    };
    return {
        { QStringLiteral("member_demographics.ts"), survey("when the answer was given", "UTC", "Timestamp") },
        { QStringLiteral("member_demographics.survey"), doc("which survey: openaps or nightscout", "", "the CSV URL") },
        { QStringLiteral("member_demographics.birth_year"),
          survey("year of birth", "year", "When were you born?", QStringLiteral("year only")) },
        { QStringLiteral("member_demographics.gender"), survey("gender", "", "Gender", surveyText) },
        { QStringLiteral("member_demographics.ethnicity"), survey("ethnicity", "", "Ethnicity origin", surveyText) },
        { QStringLiteral("member_demographics.country"),
          survey("country of residence", "", "What country do you live in?", surveyText) },
        { QStringLiteral("member_demographics.diagnosis_year"),
          survey("year of diagnosis", "year", "When were you diagnosed?", QStringLiteral("year only")) },
        { QStringLiteral("member_demographics.first_insulin_pump_date"),
          survey("first insulin pump", "date", "When did you first go on an insulin pump?") },
        { QStringLiteral("member_demographics.first_glucose_monitor_date"),
          survey("first CGM", "date", "When did you first go on a CGM?") },
        { QStringLiteral("member_demographics.first_diy_closed_loop_date"),
          survey("first DIY closed loop", "date", "When did you first start using a DIY closed loop?") },
        { QStringLiteral("member_demographics.diy_closed_loop_type"),
          survey("DIY loop systems used", "", "What type of DIY closed loop technology do you use?", surveyText) },
        { QStringLiteral("member_demographics.who_uses_the_closed_loop_system"),
          survey("the person with diabetes or a carer", "", "Do you yourself have diabetes?", surveyText) },
        { QStringLiteral("member_demographics.weight"),
          survey("weight as typed", "", "How much do you weigh?", surveyMeasure) },
        { QStringLiteral("member_demographics.height"),
          survey("height as typed", "", "How tall are you?", surveyMeasure) },
        { QStringLiteral("member_demographics.insulin_units_per_day"),
          survey("total daily insulin", "U/day", "How many units of insulin do you take per day?") },
        { QStringLiteral("member_demographics.basal_insulin_units_per_day"),
          survey("basal insulin", "U/day", "How many units of basal insulin do you take per day?") },
        { QStringLiteral("member_demographics.carb_grams_per_day"),
          survey("carbohydrates", "g/day", "How many grams of carbohydrates do you eat in a day?") },
        { QStringLiteral("member_demographics.last_lab_reported_a1c"),
          survey("last lab HbA1c", "%", "What was your last lab-reported A1C?") },
        { QStringLiteral("member_demographics.last_lab_reported_a1c_date"),
          survey("when that HbA1c was taken", "date", "When was your last lab-reported A1C?") },
        { QStringLiteral("member_demographics.inserted_ts"),
          doc("when the answer was first stored", "UTC", "the import") },
        { QStringLiteral("member_demographics.updated_ts"), doc("when the answer last changed", "UTC", "the import") },
    };
}

// Derived by the ETL with the desktop app's metrics (shared/metrics) and
// the analytics (server/etl); every participant appears by pseudonym only.
Docs participantSummary()
{
    const QString computed = QStringLiteral("computed; the participant by pseudonym only");
    auto metric = [&computed](const char *description, const char *unit, const char *from) {
        return doc(description, unit, from, computed);
    };
    const char *sgv = "entries of type sgv (`sgv`), clamped to 39-400 mg/dL, one per instant";
    const char *range = "share of the readings used";
    return {
        { QStringLiteral("participant_summary.period"),
          metric("all (whole history), month (a calendar month), last_14_days or last_90_days (ending with the day "
                 "of the newest reading)",
                 "", "the readings' local days") },
        { QStringLiteral("participant_summary.period_start"),
          metric("first day of the period (local calendar)", "date", "the readings' local days") },
        { QStringLiteral("participant_summary.period_end"),
          metric("last day of the period, inclusive (local calendar)", "date", "the readings' local days") },
        { QStringLiteral("participant_summary.readings"), metric("readings used", "count", sgv) },
        { QStringLiteral("participant_summary.days_with_data"),
          metric("local days with at least one reading", "days", sgv) },
        { QStringLiteral("participant_summary.first_reading"), metric("first reading of the period", "UTC", sgv) },
        { QStringLiteral("participant_summary.last_reading"), metric("last reading of the period", "UTC", sgv) },
        { QStringLiteral("participant_summary.active_cgm_percent"),
          metric("5-minute slots with a reading between the first and the last reading", "%", sgv) },
        { QStringLiteral("participant_summary.very_low_percent"), metric("time below 54 mg/dL", "%", range) },
        { QStringLiteral("participant_summary.low_percent"), metric("time 54-69 mg/dL", "%", range) },
        { QStringLiteral("participant_summary.in_range_percent"), metric("time 70-180 mg/dL", "%", range) },
        { QStringLiteral("participant_summary.high_percent"), metric("time 181-250 mg/dL", "%", range) },
        { QStringLiteral("participant_summary.very_high_percent"), metric("time above 250 mg/dL", "%", range) },
        { QStringLiteral("participant_summary.mean_mgdl"), metric("mean glucose", "mg/dL", sgv) },
        { QStringLiteral("participant_summary.sd_mgdl"), metric("standard deviation (n-1)", "mg/dL", sgv) },
        { QStringLiteral("participant_summary.cv_percent"), metric("coefficient of variation, SD / mean", "%", sgv) },
        { QStringLiteral("participant_summary.gmi_percent"),
          metric("glucose management indicator, 3.31 + 0.02392 x mean", "%", sgv) },
        { QStringLiteral("participant_summary.lbgi"), metric("Kovatchev low blood glucose index", "", sgv) },
        { QStringLiteral("participant_summary.hbgi"), metric("Kovatchev high blood glucose index", "", sgv) },
        { QStringLiteral("participant_summary.gri"), metric("glycemia risk index (Klonoff 2022), 0-100", "", range) },
        { QStringLiteral("participant_summary.sufficient"),
          metric("consensus rule met: at least 14 days of data and at least 70 % CGM wear", "", sgv) },
        { QStringLiteral("participant_summary.closed_loop_days_percent"),
          metric("days with an enacted loop decision, of the days with device status (empty without)", "%",
                 "analytics_loop_type_by_day") },
        { QStringLiteral("participant_summary.basal_units_per_day"),
          metric("insulin delivered by the recorded temp basals per day with temp basals (scheduled basal between "
                 "them is not in the treatments; empty without temp basals)",
                 "U/day", "treatments `Temp Basal`: `absolute` (else `rate`), `duration`") },
        { QStringLiteral("participant_summary.bolus_units_per_day"),
          metric("bolus insulin per day with treatments (empty without)", "U/day", "treatments `insulin`") },
        { QStringLiteral("participant_summary.carbs_grams_per_day"),
          metric("carbohydrates per day with treatments (empty without)", "g/day", "treatments `carbs`") },
        { QStringLiteral("participant_summary.main_device_group"),
          metric("the device group of most readings", "", "analytics_device_groups") },
        { QStringLiteral("participant_summary.main_uploader"),
          metric("the uploader of most device status records", "", "device_status `device`, as a family") },
    };
}

Docs dataQuality()
{
    const QString computed = QStringLiteral("computed; the participant by pseudonym only");
    auto quality = [&computed](const char *description, const char *unit, const char *from) {
        return doc(description, unit, from, computed);
    };
    const char *sgv = "entries of type sgv of that local day";
    const char *files = "the files the ETL loaded";
    return {
        { QStringLiteral("data_quality.day"), quality("local calendar day", "date", "`date` + offset") },
        { QStringLiteral("data_quality.readings_expected"),
          quality("one reading per 5 minutes: 288", "count", "the CGM interval") },
        { QStringLiteral("data_quality.readings_received"),
          quality("readings used (valid, one per instant)", "count", sgv) },
        { QStringLiteral("data_quality.gaps_over_30_min"),
          quality("gaps of more than 30 minutes between two readings of the day", "count", sgv) },
        { QStringLiteral("data_quality.longest_gap_minutes"),
          quality("longest gap between two readings of the day (empty below two readings)", "min", sgv) },
        { QStringLiteral("data_quality.duplicates_dropped"),
          quality("readings the files delivered for the day beyond those stored (a second copy of a reading, "
                  "also from another uploader or file)",
                  "count", files) },
        { QStringLiteral("data_quality.values_clamped"),
          quality("readings outside 39-400 mg/dL, clamped", "count", sgv) },
        { QStringLiteral("data_quality.values_not_numbers"),
          quality("sgv that is not a positive number, left out", "count", sgv) },
        { QStringLiteral("data_quality.bad_lines"),
          quality("unreadable or unusable records, on the day of the good record before them in their file", "count",
                  files) },
        { QStringLiteral("data_quality.first_record"), quality("first reading of the day", "UTC", sgv) },
        { QStringLiteral("data_quality.last_record"), quality("last reading of the day", "UTC", sgv) },
        { QStringLiteral("data_quality.uploader"),
          quality("the device status family of most records that day, else the device group of most readings", "",
                  "device_status `device`, analytics_device_groups") },
    };
}

Docs analytics()
{
    const QString computed = QStringLiteral("computed; the participant by pseudonym only");
    auto derived = [&computed](const char *description, const char *unit, const char *from) {
        return doc(description, unit, from, computed);
    };
    const char *sgv = "entries of type sgv, 39-600 mg/dL, by local time";
    const char *survey = "member_demographics, cleaned";
    return {
        { QStringLiteral("analytics_glucose_time_of_day.bin"),
          derived("15-minute bin of the local day, 0 = 00:00-00:15", "", sgv) },
        { QStringLiteral("analytics_glucose_time_of_day.bin_start"), derived("start of the bin", "HH:MM", sgv) },
        { QStringLiteral("analytics_glucose_time_of_day.readings"), derived("readings in the bin", "count", sgv) },
        { QStringLiteral("analytics_glucose_time_of_day.mean_mgdl"), derived("mean glucose", "mg/dL", sgv) },
        { QStringLiteral("analytics_glucose_time_of_day.mean_mmol"),
          derived("mean glucose (mg/dL / 18.01559)", "mmol/L", sgv) },
        { QStringLiteral("analytics_glucose_time_of_day.min_mgdl"), derived("lowest glucose", "mg/dL", sgv) },
        { QStringLiteral("analytics_glucose_time_of_day.max_mgdl"), derived("highest glucose", "mg/dL", sgv) },
        { QStringLiteral("analytics_loop_type_by_day.day"),
          derived("local calendar day", "date", "device_status `created_at` + offset") },
        { QStringLiteral("analytics_loop_type_by_day.loop_type"),
          derived("closed loop (an enacted decision or Loop IOB that day) or open loop", "",
                  "device_status, device_status_metrics") },
        { QStringLiteral("analytics_loop_type_by_day.device_status_rows"),
          derived("device status records that day", "count", "device_status") },
        { QStringLiteral("analytics_device_groups.device"),
          derived("uploading device, as a family", "", "entries `device`") },
        { QStringLiteral("analytics_device_groups.device_group"),
          derived("xDrip, Libre, MiaoMiao, Dexcom, Medtronic, OpenAPS, AndroidAPS, Loop, else the device", "",
                  "entries `device`") },
        { QStringLiteral("analytics_device_groups.entries"), derived("entries from it", "count", "entries") },
        { QStringLiteral("analytics_device_groups.first_seen"), derived("its first entry", "UTC", "entries `date`") },
        { QStringLiteral("analytics_device_groups.last_seen"), derived("its last entry", "UTC", "entries `date`") },
        { QStringLiteral("analytics_demographics.ts"), derived("when the answer was given", "UTC", survey) },
        { QStringLiteral("analytics_demographics.survey"), derived("which survey: openaps or nightscout", "", survey) },
        { QStringLiteral("analytics_demographics.gender"), doc("gender", "", survey, surveyText) },
        { QStringLiteral("analytics_demographics.ethnicity"), doc("ethnicity", "", survey, surveyText) },
        { QStringLiteral("analytics_demographics.country"), doc("country as typed", "", survey, surveyText) },
        { QStringLiteral("analytics_demographics.country_corrected"),
          derived("country, names normalised", "", survey) },
        { QStringLiteral("analytics_demographics.height_cm"), derived("height", "cm", survey) },
        { QStringLiteral("analytics_demographics.weight_kg"), derived("weight", "kg", survey) },
        { QStringLiteral("analytics_demographics.age_years"),
          doc("age from the birth year", "years", survey, QStringLiteral("from the year of birth only")) },
        { QStringLiteral("analytics_demographics.age_bracket"), derived("age bracket", "", survey) },
        { QStringLiteral("analytics_demographics.years_since_diagnosed"),
          doc("years since diagnosis", "years", survey, QStringLiteral("from the year of diagnosis only")) },
        { QStringLiteral("analytics_demographics.years_since_diagnosed_bracket"),
          derived("bracket of the years since diagnosis", "", survey) },
        { QStringLiteral("analytics_demographics.diy_closed_loop_type"),
          doc("DIY loop systems used", "", survey, surveyText) },
        { QStringLiteral("analytics_demographics.who_uses_the_closed_loop_system"),
          doc("the person with diabetes or a carer", "", survey, surveyText) },
        { QStringLiteral("analytics_demographics.insulin_units_per_day"),
          derived("total daily insulin", "U/day", survey) },
        { QStringLiteral("analytics_demographics.basal_insulin_units_per_day"),
          derived("basal insulin", "U/day", survey) },
        { QStringLiteral("analytics_demographics.carb_grams_per_day"), derived("carbohydrates", "g/day", survey) },
        { QStringLiteral("analytics_demographics.last_lab_reported_a1c"), derived("last lab HbA1c", "%", survey) },
    };
}

const Docs &allDocs()
{
    static const Docs all = [] {
        Docs d;
        for (const Docs &part : { common(), entries(), treatments(), deviceStatus(), metrics(), profile(),
                                  demographics(), participantSummary(), dataQuality(), analytics() })
            d.insert(part);
        return d;
    }();
    return all;
}

} // namespace

std::optional<ColumnDoc> columnDoc(const QString &dataset, const QString &column)
{
    const Docs &docs = allDocs();
    const QString keys[] = { dataset + QLatin1Char('.') + column, QStringLiteral("*.") + column };
    for (const QString &key : keys) {
        if (const auto it = docs.constFind(key); it != docs.constEnd())
            return *it;
    }
    return std::nullopt;
}

} // namespace openaps::records
