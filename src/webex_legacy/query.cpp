// SPDX-License-Identifier: Apache-2.0
// The Analyzer query JSON and its `q=` encoding (reference webex-legacy-v1.md §4).

#include <ccrec/webex_legacy/query.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ccrec::webex_legacy {

namespace {

namespace util = ::ccrec::detail;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

Error Invalid(std::string message) { return MakeError(ErrorCode::kInvalidArgument, "v1 query: " + message); }

void Str(Writer& w, char const* key, std::string const& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void DateArray(Writer& w, char const* key, std::chrono::system_clock::time_point t) {
  w.Key(key);
  w.StartArray();
  w.Int64(util::ToEpochMs(t));
  w.EndArray();
}

/// Embeds JSON text (validated, of the expected kind) through rapidjson.
std::optional<Error> Raw(Writer& w, std::string const& json, bool want_array, std::string const& what) {
  auto doc = util::ParseJson(json, what);
  if (!doc) return Invalid(doc.error().message);
  if (want_array && !doc->IsArray()) return Invalid(what + " must be a JSON array");
  doc->Accept(w);
  return std::nullopt;
}

std::optional<Error> Validate(Query const& q) {
  if (q.date_end <= q.date_begin) {
    return Invalid("dateEnd (" + util::FormatIso8601(q.date_end, true) + ") must be after dateBegin (" +
                   util::FormatIso8601(q.date_begin, true) + ")");
  }
  if (util::ToEpochMs(q.date_end) <= util::ToEpochMs(q.date_begin)) {
    return Invalid("the window is shorter than one millisecond");
  }
  if (q.number_of_records < 1) {
    return Invalid("numberOfRecords must be at least 1, got " + std::to_string(q.number_of_records));
  }
  return std::nullopt;
}

Result<std::string> FromRawTemplate(Query const& q) {
  auto doc = util::ParseJson(q.raw_json, "v1 query raw_json");
  if (!doc) return Invalid(doc.error().message);
  if (!doc->IsObject()) return Invalid("raw_json must be a JSON object (the \"query\" of an Analyzer request)");
  auto& alloc = doc->GetAllocator();
  auto set = [&](char const* name, rapidjson::Value value) {
    auto it = doc->FindMember(name);
    if (it != doc->MemberEnd()) {
      it->value = std::move(value);
    } else {
      doc->AddMember(rapidjson::Value(name, alloc), std::move(value), alloc);
    }
  };
  auto date = [&](std::chrono::system_clock::time_point t) {
    rapidjson::Value a(rapidjson::kArrayType);
    a.PushBack(rapidjson::Value(static_cast<int64_t>(util::ToEpochMs(t))), alloc);
    return a;
  };
  set("dateBegin", date(q.date_begin));
  set("dateEnd", date(q.date_end));
  if (q.timezone) set("timezone", rapidjson::Value(q.timezone->c_str(), alloc));
  set("numberOfRecords", rapidjson::Value(q.number_of_records));
  return util::ToJson(*doc);
}

}  // namespace

Result<std::string> BuildQueryJson(Query const& q) {
  if (auto e = Validate(q)) return *e;
  if (!q.raw_json.empty()) return FromRawTemplate(q);
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  if (!q.anchor_id.empty()) Str(w, "anchorId", q.anchor_id);
  DateArray(w, "dateBegin", q.date_begin);
  DateArray(w, "dateEnd", q.date_end);
  Str(w, "timezone", q.timezone.value_or("UTC"));
  w.Key("numberOfRecords");
  w.Int(q.number_of_records);
  w.Key("lastNRecords");
  w.Bool(q.last_n_records);
  if (!q.activity_type.empty()) Str(w, "activityType", q.activity_type);
  if (q.aggregate_query_properties) {
    auto const& p = *q.aggregate_query_properties;
    w.Key("aggregateQueryProperties");
    w.StartObject();
    w.Key("computeInterval");
    w.Int(p.compute_interval);
    Str(w, "computeIntervalUnit", p.compute_interval_unit);
    w.Key("lookbackCount");
    w.Int(p.lookback_count);
    w.Key("frequency");
    w.Int(p.frequency);
    w.Key("movingWindow");
    w.Bool(p.moving_window);
    w.Key("cumulative");
    w.Bool(p.cumulative);
    w.Key("rowSegmentSet");
    if (auto e = Raw(w, p.row_segment_set_json, true, "rowSegmentSet")) return *e;
    w.Key("columnSegmentSet");
    if (auto e = Raw(w, p.column_segment_set_json, true, "columnSegmentSet")) return *e;
    Str(w, "queryType", p.query_type);
    Str(w, "requestType", p.request_type);
    Str(w, "intervalAxis", p.interval_axis);
    w.Key("computeSummaries");
    w.Bool(p.compute_summaries);
    w.EndObject();
  }
  if (!q.aggregations.empty()) {
    w.Key("aggregations");
    w.StartArray();
    for (auto const& a : q.aggregations) {
      w.StartObject();
      w.Key("id");
      w.Int(a.id);
      w.Key("filterGroups");
      w.StartArray();
      for (auto const& g : a.filter_groups) {
        w.StartObject();
        Str(w, "operator", g.op);
        w.Key("valueFilters");
        w.StartArray();
        for (auto const& f : g.value_filters_json) {
          if (auto e = Raw(w, f, false, "valueFilters element")) return *e;
        }
        w.EndArray();
        w.EndObject();
      }
      w.EndArray();
      Str(w, "aggregationType", a.aggregation_type);
      Str(w, "computeColumnName", a.compute_column_name);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Result<std::string> EncodeQueryParameter(Query const& query) {
  auto json = BuildQueryJson(query);
  if (!json) return std::move(json).error();
  return util::PercentEncode(*json);
}

}  // namespace ccrec::webex_legacy
