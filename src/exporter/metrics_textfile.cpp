// SPDX-License-Identifier: Apache-2.0
// The Prometheus textfile of export runs: read the previous file back, add this run, write it
// atomically.
#include <ccrec/exporter/metrics_textfile.hpp>

#include "internal/file_util.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

namespace ccrec::exporter {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Family {
  char const* name;
  char const* type;
  char const* help;
};

// In the order they are written.
constexpr Family kFamilies[] = {
    {"ccrec_recordings_total", "counter", "Recordings by outcome, summed over runs."},
    {"ccrec_bytes_total", "counter", "Bytes of recordings exported, summed over runs."},
    {"ccrec_http_requests_total", "counter",
     "HTTP requests by response status (error: no response), summed over runs."},
    {"ccrec_http_too_many_requests_total", "counter", "HTTP 429 responses, summed over runs."},
    {"ccrec_rate_limiter_wait_seconds_total", "counter",
     "Seconds callers waited for the client-side rate limiter, summed over runs."},
    {"ccrec_runs_total", "counter", "Runs of the job that wrote this file."},
    {"ccrec_last_run_recordings", "gauge", "Recordings by outcome in the last run."},
    {"ccrec_last_run_timestamp_seconds", "gauge", "When the last run ended (Unix time)."},
    {"ccrec_last_run_duration_seconds", "gauge", "Wall time of the last run."},
    {"ccrec_last_run_exit_status", "gauge", "Exit status of the last run (0 ok, 1 fatal, 3 some failed)."},
    {"ccrec_last_success_timestamp_seconds", "gauge", "When a run last ended with exit status 0 (Unix time)."},
};

std::string EscapeLabelValue(std::string const& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string SeriesKey(std::string const& name, Labels const& labels) {
  if (labels.empty()) return name;
  std::string key = name + "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) key += ",";
    key += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
  }
  return key + "}";
}

// Parses `name{k="v",...} value` (a trailing timestamp is ignored) into a normalized series key;
// false for anything else, which is then dropped.
bool ParseSample(std::string const& line, std::string& key, std::string& family, double& value) {
  std::size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ' && line[i] != '\t') ++i;
  std::string name = line.substr(0, i);
  if (name.empty()) return false;
  Labels labels;
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (;;) {
      while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      std::size_t eq = line.find('=', i);
      if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
      std::string label = line.substr(i, eq - i);
      std::string val;
      std::size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          val += line[j] == 'n' ? '\n' : line[j];
        } else {
          val += line[j];
        }
      }
      if (j >= line.size() || label.empty()) return false;
      labels.emplace_back(std::move(label), std::move(val));
      i = j + 1;
    }
  }
  std::istringstream rest(line.substr(i));
  std::string number;
  if (!(rest >> number)) return false;
  char* end = nullptr;
  value = std::strtod(number.c_str(), &end);
  if (end == number.c_str() || *end != '\0') return false;
  family = name;
  key = SeriesKey(name, labels);
  return true;
}

std::string FormatValue(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return fmt::format("{}", static_cast<long long>(v));
  }
  return fmt::format("{}", v);
}

double UnixSeconds(std::chrono::system_clock::time_point t) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
         1000.0;
}

}  // namespace

std::string RenderMetricsTextfile(std::string const& previous, JobRunMetrics const& run) {
  // family -> (normalized series -> value)
  std::map<std::string, std::map<std::string, double>> series;
  std::istringstream in(previous);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::string key;
    std::string family;
    double value = 0;
    if (ParseSample(line, key, family, value)) series[family][key] = value;
  }

  Labels job{{"job", run.job}};
  auto with = [&](char const* label, std::string const& value) {
    Labels labels = job;
    labels.emplace_back(label, value);
    return labels;
  };
  auto add = [&](char const* family, Labels const& labels, double delta) {
    series[family][SeriesKey(family, labels)] += delta;
  };
  auto set = [&](char const* family, Labels const& labels, double value) {
    series[family][SeriesKey(family, labels)] = value;
  };

  ExportSummary const& s = run.summary;
  std::pair<char const*, std::uint64_t> const outcomes[] = {
      {"exported", s.exported}, {"skipped", s.skipped}, {"failed", s.failed}, {"pending", s.pending}};
  for (auto const& [outcome, count] : outcomes) {
    add("ccrec_recordings_total", with("outcome", outcome), static_cast<double>(count));
    set("ccrec_last_run_recordings", with("outcome", outcome), static_cast<double>(count));
  }
  add("ccrec_bytes_total", job, static_cast<double>(s.bytes));
  for (auto const& [status, count] : run.requests.responses) {
    add("ccrec_http_requests_total", with("status", std::to_string(status)), static_cast<double>(count));
  }
  if (run.requests.transport_errors > 0 ||
      series["ccrec_http_requests_total"].count(SeriesKey("ccrec_http_requests_total", with("status", "error"))) > 0) {
    add("ccrec_http_requests_total", with("status", "error"), static_cast<double>(run.requests.transport_errors));
  }
  add("ccrec_http_too_many_requests_total", job, static_cast<double>(run.requests.TooManyRequests()));
  add("ccrec_rate_limiter_wait_seconds_total", job,
      std::chrono::duration<double>(run.requests.limiter_wait).count());
  add("ccrec_runs_total", job, 1);
  double finished = UnixSeconds(run.finished_at);
  set("ccrec_last_run_timestamp_seconds", job, finished);
  set("ccrec_last_run_duration_seconds", job, static_cast<double>(s.elapsed.count()) / 1000.0);
  set("ccrec_last_run_exit_status", job, run.exit_status);
  if (run.exit_status == 0) set("ccrec_last_success_timestamp_seconds", job, finished);

  std::string out;
  auto write_samples = [&](std::map<std::string, double> const& samples) {
    for (auto const& [key, value] : samples) out += key + " " + FormatValue(value) + "\n";
  };
  for (Family const& f : kFamilies) {
    auto it = series.find(f.name);
    if (it == series.end() || it->second.empty()) continue;
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, f.type);
    write_samples(it->second);
    series.erase(it);
  }
  for (auto const& entry : series) write_samples(entry.second);  // families kept from the old file
  return out;
}

Result<void> WriteMetricsTextfile(std::string const& path, JobRunMetrics const& run) {
  if (path.empty()) return MakeError(ErrorCode::kInvalidArgument, "metrics textfile: empty path");
  std::string previous;
  if (auto old = ::ccrec::detail::ReadSmallFile(path)) previous = std::move(*old);
  auto written = ::ccrec::detail::WriteFileAtomicUnderUmask(path, RenderMetricsTextfile(previous, run), 0644);
  if (!written) {
    Error e = std::move(written).error();
    e.message = "metrics textfile " + path + ": " + e.message;
    return e;
  }
  return {};
}

}  // namespace ccrec::exporter
