// SPDX-License-Identifier: Apache-2.0
// ccrec-export run --config jobs.toml: many orgs and vendors in one process. Each [[jobs]] table
// is one export (its keys are the flags of its source's subcommand); every job is validated
// before any runs, then all run concurrently, each with its own --concurrency, and jobs sharing a
// client id share its rate limiter. Parsed with toml++ (https://marzer.github.io/tomlplusplus).
#include "commands.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ccrec_cli {

namespace {

struct RunFlags {
  std::string config;
};

/// One [[jobs]] table, as the arguments of its subcommand.
struct Job {
  std::string name;
  std::string source;
  std::vector<std::string> args;  // --key=value ...
  int line = 0;                   // of the table
};

std::vector<std::string> const kSources = {"webex", "webex-legacy", "huawei", "face"};
// Secrets may not be written in jobs.toml; each has a NAME-file flag and a NAME-env key.
std::vector<std::string> const kSecrets = {"client-id", "client-secret", "password", "api-key", "applications-token"};
std::vector<std::string> const kNever = {"auth-code", "config", "run-job", "run-validate-only"};

bool Contains(std::vector<std::string> const& v, std::string const& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "FILE:LINE: " + message, as a usage error.
[[noreturn]] void Fail(std::string const& file, int line, std::string const& message) {
  throw UsageError{file + ":" + std::to_string(line) + ": " + message};
}

int Line(toml::node const& n) { return static_cast<int>(n.source().begin.line); }

// A scalar as flag text; arrays are expanded by the caller.
std::optional<std::string> Scalar(toml::node const& v) {
  if (auto s = v.value<std::string>()) return *s;
  if (v.is_boolean()) return *v.value<bool>() ? "true" : "false";
  if (auto i = v.value<std::int64_t>(); v.is_integer() && i) return std::to_string(*i);
  if (v.is_floating_point()) {
    std::ostringstream out;
    out << *v.value<double>();
    return out.str();
  }
  return std::nullopt;
}

// A fresh program with every export subcommand; `actions` by subcommand name.
std::unique_ptr<CLI::App> MakeJobApp(std::map<std::string, std::function<int()>>& actions) {
  auto app = std::make_unique<CLI::App>("ccrec-export job", "ccrec-export");
  RegisterWebex(*app, actions["webex"]);
  RegisterHuawei(*app, actions["huawei"]);
  RegisterFace(*app, actions["face"]);
  RegisterWebexLegacy(*app, actions["webex-legacy"]);
  return app;
}

// Adds `key = value` of `table` to `job` (checking it against `sub`, the source's subcommand).
void AddKey(Job& job, CLI::App& sub, std::string const& file, std::string const& key, toml::node const& value) {
  int const line = Line(value);
  std::string const where = "job \"" + job.name + "\": key \"" + key + "\"";
  if (Contains(kSecrets, key) && key != "client-id") {
    Fail(file, line, where + ": secrets never live in jobs.toml; use " + key + "-file, " + key +
                         "-env (the NAME of an environment variable) or $CREDENTIALS_DIRECTORY/" + key);
  }
  if (Contains(kNever, key)) Fail(file, line, where + " cannot be used in jobs.toml");
  std::string flag = key;
  std::vector<std::string> values;
  if (key.size() > 4 && key.compare(key.size() - 4, 4, "-env") == 0 && Contains(kSecrets, key.substr(0, key.size() - 4))) {
    flag = key.substr(0, key.size() - 4);
    if (sub.get_option_no_throw("--" + flag) == nullptr) {
      Fail(file, line, where + ": " + job.source + " has no flag --" + flag + " (ccrec-export " + job.source + " --help)");
    }
    auto var = value.value<std::string>();
    if (!var || var->empty()) Fail(file, line, where + ": expected the name of an environment variable");
    char const* secret = std::getenv(var->c_str());
    if (secret == nullptr || *secret == '\0') {
      Fail(file, line, where + ": environment variable " + *var + " is not set");
    }
    values.push_back(secret);
  } else if (auto const* array = value.as_array()) {
    for (auto const& item : *array) {
      auto text = Scalar(item);
      if (!text) Fail(file, Line(item), where + ": array items must be strings, numbers or booleans");
      values.push_back(*text);
    }
  } else if (auto text = Scalar(value)) {
    values.push_back(*text);
  } else {
    Fail(file, line, where + ": expected a string, number, boolean or array");
  }
  if (sub.get_option_no_throw("--" + flag) == nullptr) {
    Fail(file, line, where + ": " + job.source + " has no flag --" + flag + " (ccrec-export " + job.source + " --help)");
  }
  for (auto const& v : values) job.args.push_back("--" + flag + "=" + v);
}

std::vector<Job> ParseJobs(std::string const& file) {
  toml::table doc;
  try {
    doc = toml::parse_file(file);
  } catch (toml::parse_error const& e) {
    Fail(file, static_cast<int>(e.source().begin.line), std::string(e.description()));
  }
  std::map<std::string, std::function<int()>> actions;
  auto scratch = MakeJobApp(actions);
  toml::table const* defaults = nullptr;
  toml::array const* jobs = nullptr;
  for (auto const& [key, value] : doc) {
    std::string const k(key.str());
    if (k == "defaults" && value.is_table()) {
      defaults = value.as_table();
    } else if (k == "jobs" && value.is_array_of_tables()) {
      jobs = value.as_array();
    } else {
      Fail(file, Line(value), "unknown top-level key \"" + k + "\" (expected [defaults] and [[jobs]] tables)");
    }
  }
  if (jobs == nullptr || jobs->empty()) Fail(file, 1, "no [[jobs]] table");
  std::vector<Job> out;
  std::set<std::string> names;
  for (auto const& node : *jobs) {
    auto const& table = *node.as_table();
    Job job;
    job.line = Line(node);
    auto name = table["name"].value<std::string>();
    auto source = table["source"].value<std::string>();
    if (!name || name->empty() || name->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                                      std::string::npos) {
      Fail(file, job.line, "every job needs a name of letters, digits, '.', '_' and '-'");
    }
    job.name = *name;
    if (!names.insert(job.name).second) Fail(file, job.line, "job \"" + job.name + "\" is defined twice");
    if (!source || !Contains(kSources, *source)) {
      Fail(file, job.line, "job \"" + job.name + "\": source must be one of webex, webex-legacy, huawei, face");
    }
    job.source = *source;
    CLI::App* sub = scratch->get_subcommand(job.source);
    auto add_table = [&](toml::table const& t, bool is_default) {
      for (auto const& [key, value] : t) {
        std::string const k(key.str());
        if (k == "name" || k == "source") continue;
        if (is_default && table.contains(k)) continue;  // the job's own value wins
        AddKey(job, *sub, file, k, value);
      }
    };
    if (defaults != nullptr) add_table(*defaults, true);
    add_table(table, false);
    bool has_progress = std::any_of(job.args.begin(), job.args.end(),
                                    [](std::string const& a) { return a.rfind("--progress=", 0) == 0; });
    if (!has_progress) job.args.push_back("--progress=off");  // jobs' progress lines would interleave
    job.args.push_back("--run-job=" + job.name);
    out.push_back(std::move(job));
  }
  return out;
}

// Parses `job` into a fresh program and runs it; UsageError as "FILE:LINE: job NAME: ...".
int RunJob(Job const& job, std::string const& file, bool validate_only) {
  std::map<std::string, std::function<int()>> actions;
  auto app = MakeJobApp(actions);
  std::vector<std::string> words{job.source};
  words.insert(words.end(), job.args.begin(), job.args.end());
  if (validate_only) words.push_back("--run-validate-only");
  std::reverse(words.begin(), words.end());  // CLI11 takes the arguments as a stack
  try {
    app->parse(words);
  } catch (CLI::ParseError const& e) {
    Fail(file, job.line, "job \"" + job.name + "\": " + e.what());
  }
  try {
    return actions.at(job.source)();
  } catch (UsageError const& e) {
    Fail(file, job.line, "job \"" + job.name + "\": " + e.message);
  }
}

// Worse exit statuses rank higher: a signal, a fatal error, a usage error, failures, success.
int Severity(int status) {
  if (status >= 128) return 4;
  if (status == kExitFatal) return 3;
  if (status == kExitUsage) return 2;
  if (status == kExitSomeFailed) return 1;
  return status == kExitOk ? 0 : 3;
}

int RunAll(RunFlags const& f) {
  auto jobs = ParseJobs(f.config);
  // Every job is checked (flags, destination, manifest, window, credentials present) before
  // any job starts: a mistake in the last job must not leave the first one half done.
  for (auto const& job : jobs) RunJob(job, f.config, true);

  ccrec::CancellationToken cancel;
  SignalGuard signals(cancel);  // first: the job threads inherit the blocked signals
  std::vector<int> status(jobs.size(), kExitOk);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        status[i] = RunJob(jobs[i], f.config, false);
      } catch (UsageError const& e) {
        std::cerr << "ccrec-export: error: " << e.message << "\n";
        status[i] = kExitUsage;
      } catch (std::exception const& e) {
        std::cerr << "ccrec-export: error: job \"" << jobs[i].name << "\": " << e.what() << "\n";
        status[i] = kExitFatal;
      }
    });
  }
  for (auto& t : threads) t.join();

  ccrec::exporter::ExportSummary total;
  for (auto const& [name, s] : JobSummaries()) {
    total.exported += s.exported;
    total.skipped += s.skipped;
    total.failed += s.failed;
    total.pending += s.pending;
    total.bytes += s.bytes;
  }
  int worst = kExitOk;
  for (int s : status) {
    if (Severity(s) > Severity(worst)) worst = s;
  }
  if (signals.Signal() != 0 && worst < 128) worst = 128 + signals.Signal();
  std::cerr << "run: " << jobs.size() << " job(s), exit status " << worst << "\n";
  std::cout << "total " << total.LastLine() << std::endl;
  return worst;
}

}  // namespace

void RegisterRun(CLI::App& app, std::function<int()>& action) {
  auto f = std::make_shared<RunFlags>();
  auto* cmd = app.add_subcommand(
      "run", "run every export job of a jobs.toml file concurrently (many orgs and vendors in one process)");
  cmd->add_option("--config", f->config,
                  "jobs.toml: [defaults] and one [[jobs]] table per job (name, source, and the source's flags as "
                  "keys); see docs/jobs.md")
      ->required();
  action = [f] { return RunAll(*f); };
}

}  // namespace ccrec_cli
