// SPDX-License-Identifier: Apache-2.0
#pragma once
// A scripted v1 server for unit tests: answers FakeHttpTransport requests from an in-memory list
// of records, with the row cap and half-open windows on cstts the ccrec issue assumes.

#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/windows.hpp>

#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace legacy_test {

inline constexpr std::int64_t kDay = 1793491200000;  // 2026-11-01T00:00:00Z

/// [b, e) in epoch milliseconds.
inline ccrec::webex_legacy::TimeWindow MsWindow(std::int64_t b, std::int64_t e) {
  return ccrec::webex_legacy::TimeWindow{ccrec::detail::FromEpochMs(b), ccrec::detail::FromEpochMs(e)};
}

/// A query of the first second of kDay, [kDay, kDay + 1000), for `number_of_records` rows.
inline ccrec::webex_legacy::Query FirstSecondQuery(int number_of_records = 1000) {
  ccrec::webex_legacy::Query q;
  q.date_begin = ccrec::detail::FromEpochMs(kDay);
  q.date_end = ccrec::detail::FromEpochMs(kDay + 1000);
  q.number_of_records = number_of_records;
  return q;
}

/// A client on a FakeHttpTransport with a manual clock and sleeper.
struct ClientFixture {
  std::shared_ptr<ccrec::testing::FakeHttpTransport> transport = std::make_shared<ccrec::testing::FakeHttpTransport>();
  std::shared_ptr<ccrec::testing::ManualClock> clock = std::make_shared<ccrec::testing::ManualClock>();
  std::shared_ptr<ccrec::testing::ManualSleeper> sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
  ccrec::webex_legacy::ClientOptions Options(int cap = 1000) {
    ccrec::webex_legacy::ClientOptions o;
    o.base_url = "https://rest.example.test";
    o.credentials = {"userID@portal-controlhub.com", "myRandomApiKeY", "11894", true};
    o.transport = transport;
    o.clock = clock;
    o.sleeper = sleeper;
    o.service_row_cap = cap;
    return o;
  }
  /// Serves `body` without a Content-Length.
  void EnqueueUndeclared(std::string body, std::string content_type) {
    transport->Enqueue([body = std::move(body), content_type](ccrec::testing::RecordedRequest const&) {
      ccrec::HttpResponse r;
      r.status = 200;
      r.headers = {{"Content-Type", content_type}};
      r.body = ccrec::testing::MakeStringBodyReader(body);
      return ccrec::Result<ccrec::HttpResponse>(std::move(r));
    });
  }
};

struct FakeRecord {
  std::string id;
  std::int64_t cstts = 0;
};

struct ParsedQuery {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  int number_of_records = 0;
  std::string json;
};

/// Decodes `q` (percent-decoded exactly once) from a list URL.
inline ParsedQuery ParseListUrl(std::string const& url) {
  ParsedQuery out;
  auto pos = url.find("?q=");
  if (pos == std::string::npos) return out;
  out.json = ccrec::detail::PercentDecode(url.substr(pos + 3));
  rapidjson::Document d;
  d.Parse(out.json.c_str());
  if (d.HasParseError() || !d.IsObject()) return out;
  out.begin = d["dateBegin"][0].GetInt64();
  out.end = d["dateEnd"][0].GetInt64();
  out.number_of_records = d["numberOfRecords"].GetInt();
  return out;
}

inline std::string RecordJson(FakeRecord const& r) {
  return "{\"sid\":\"" + r.id + "\",\"cstts\":" + std::to_string(r.cstts) + ",\"cetts\":" + std::to_string(r.cstts + 5) +
         ",\"isRecorded\":true,\"notes\":\"a, \\\"b\\\"\"}";
}

inline std::string RecordCsvRow(FakeRecord const& r) {
  return r.id + "," + std::to_string(r.cstts) + ",\"a, \"\"b\"\"\nline 2\"\r\n";
}

class FakeV1Server {
 public:
  explicit FakeV1Server(std::vector<FakeRecord> records, int cap = 1000) : records_(std::move(records)), cap_(cap) {
    std::stable_sort(records_.begin(), records_.end(),
                     [](FakeRecord const& a, FakeRecord const& b) { return a.cstts < b.cstts; });
  }

  /// Installs the server as a route of `transport` (GET /aws/api/).
  void Install(ccrec::testing::FakeHttpTransport& transport) {
    transport.Route("GET", "/aws/api/", [this](ccrec::testing::RecordedRequest const& r) { return Answer(r); });
  }

  std::vector<ParsedQuery> Queries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queries_;
  }
  int MaxNumberOfRecords() const { return max_n_.load(); }
  /// How the server applies dateBegin/dateEnd to cstts (the v1 semantics are undocumented).
  /// Default [dateBegin, dateEnd).
  void SetWindowSemantics(bool begin_inclusive, bool end_inclusive) {
    begin_inclusive_ = begin_inclusive;
    end_inclusive_ = end_inclusive;
  }
  bool SawRawJsonCharacters() const { return raw_chars_.load(); }
  /// Starts every JSON body with a UTF-8 byte-order mark (as some Java services do).
  void SetJsonByteOrderMark(bool on) { json_bom_ = on; }
  /// Sends CSV bodies without their header row (the v1 documentation does not say there is one).
  void SetCsvHeaderRow(bool on) { csv_header_ = on; }
  /// Answers every CSV query with status 200 and an empty body, whatever the window holds (a
  /// gateway or proxy that lost the body). JSON queries are answered as usual.
  void SetEmptyCsvBodies(bool on) { empty_csv_ = on; }
  /// Serves only the records whose cstts is before `clock`'s now, as a real service does (a
  /// record exists once its contact has started). Default: every record, whatever the time.
  void SetClock(std::shared_ptr<ccrec::Clock> clock) {
    std::lock_guard<std::mutex> lock(mu_);
    clock_ = std::move(clock);
  }
  /// With SetClock(): every contact lasts `duration`, and its record is served only once it has
  /// ended (the historical data holds completed contacts). Default 0.
  void SetContactDuration(std::chrono::milliseconds duration) {
    std::lock_guard<std::mutex> lock(mu_);
    contact_ms_ = duration.count();
  }

  std::vector<FakeRecord> InWindow(std::int64_t b, std::int64_t e) const {
    std::shared_ptr<ccrec::Clock> clock;
    std::int64_t contact_ms = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      clock = clock_;
      contact_ms = contact_ms_;
    }
    if (clock) e = std::min(e, ccrec::detail::ToEpochMs(clock->Now()) - contact_ms);
    std::vector<FakeRecord> out;
    for (auto const& r : records_) {
      if (r.cstts >= b && r.cstts < e) out.push_back(r);
    }
    return out;
  }

 private:
  ccrec::Result<ccrec::HttpResponse> Answer(ccrec::testing::RecordedRequest const& r) {
    if (r.url.find_first_of("{}\"[] ") != std::string::npos) {
      raw_chars_ = true;
      return ccrec::testing::MakeResponse(400, "{\"message\":\"Invalid character in request target\"}");
    }
    auto q = ParseListUrl(r.url);
    {
      std::lock_guard<std::mutex> lock(mu_);
      queries_.push_back(q);
    }
    max_n_ = std::max(max_n_.load(), q.number_of_records);
    // Inclusive/exclusive bounds on integer milliseconds: (b, ...) = [b + 1, ...), (..., e] = [..., e + 1).
    auto rows = InWindow(begin_inclusive_ ? q.begin : q.begin + 1, end_inclusive_ ? q.end + 1 : q.end);
    std::size_t limit = static_cast<std::size_t>(std::min(q.number_of_records, cap_));
    if (rows.size() > limit) rows.resize(limit);
    bool csv = r.Header("Accept").value_or("") == "text/csv";
    std::string body;
    if (csv && empty_csv_) return ccrec::testing::MakeResponse(200, "", {{"Content-Type", "text/csv;charset=UTF-8"}});
    if (csv) {
      if (csv_header_) body = "sid,cstts,notes\r\n";
      for (auto const& row : rows) body += RecordCsvRow(row);
      return ccrec::testing::MakeResponse(200, body, {{"Content-Type", "text/csv;charset=UTF-8"}});
    }
    body = json_bom_ ? "\xEF\xBB\xBF[" : "[";
    for (std::size_t i = 0; i < rows.size(); ++i) body += (i ? ", " : "") + RecordJson(rows[i]);
    body += "]";
    return ccrec::testing::MakeResponse(200, body, {{"Content-Type", "application/json;charset=UTF-8"}});
  }

  std::vector<FakeRecord> records_;
  int cap_;
  mutable std::mutex mu_;
  std::vector<ParsedQuery> queries_;
  std::int64_t contact_ms_ = 0;
  std::shared_ptr<ccrec::Clock> clock_;
  std::atomic<int> max_n_{0};
  std::atomic<bool> raw_chars_{false};
  std::atomic<bool> json_bom_{false};
  std::atomic<bool> csv_header_{true};
  std::atomic<bool> empty_csv_{false};
  bool begin_inclusive_ = true;
  bool end_inclusive_ = false;
};

/// Everything a CSV page reader yields, read in pieces of `piece` bytes (default 7, to cross
/// record bounds); `yielded` gets what came before an error.
inline ccrec::Result<std::string> ReadAll(ccrec::webex_legacy::CsvPageReader& reader, std::size_t piece = 7,
                                          std::string* yielded = nullptr) {
  std::string out;
  std::vector<char> buffer(piece);
  for (;;) {
    auto n = reader.Read(buffer.data(), buffer.size());
    if (!n) {
      if (yielded) *yielded = out;
      return n.error();
    }
    if (*n == 0) return out;
    out.append(buffer.data(), *n);
  }
}

/// Records: `count` spread evenly over [begin, begin + span_ms), ids "r<prefix><n>".
inline std::vector<FakeRecord> Spread(std::string const& prefix, std::int64_t begin, std::int64_t span_ms, int count) {
  std::vector<FakeRecord> out;
  for (int i = 0; i < count; ++i) {
    out.push_back({"r" + prefix + std::to_string(i), begin + (span_ms * i) / std::max(1, count)});
  }
  return out;
}

}  // namespace legacy_test
