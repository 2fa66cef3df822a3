// SPDX-License-Identifier: Apache-2.0
// `credential_process`: credentials printed by an external program, run without a shell.
#include <ccrec/s3/credentials.hpp>

#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "s3/credential_process.hpp"
#include "s3/refreshing_provider.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace ccrec::s3 {
namespace detail {

Result<std::vector<std::string>> SplitCommandLine(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  std::size_t i = 0;
  auto bad = [&](char const* why) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("credential_process: ") + why);
  };
  while (i < command.size()) {
    char const c = command[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      auto close = command.find('\'', i + 1);
      if (close == std::string_view::npos) return bad("unterminated single quote in the command");
      word.append(command.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      in_word = true;
      ++i;
      for (;;) {
        if (i >= command.size()) return bad("unterminated double quote in the command");
        char const d = command[i];
        if (d == '"') {
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < command.size() &&
            (command[i + 1] == '"' || command[i + 1] == '\\' || command[i + 1] == '$' || command[i + 1] == '`' ||
             command[i + 1] == '\n')) {
          if (command[i + 1] != '\n') word += command[i + 1];
          i += 2;
          continue;
        }
        word += d;
        ++i;
      }
    } else if (c == '\\') {
      if (i + 1 >= command.size()) return bad("the command ends with a backslash");
      if (command[i + 1] != '\n') word += command[i + 1];
      in_word = true;
      i += 2;
    } else {
      word += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return bad("the command is empty");
  return words;
}

Result<AwsCredentials> ParseProcessOutput(std::string const& output) {
  std::string const what = "credential_process output";
  auto doc = ::ccrec::detail::ParseJson(output, what);
  if (!doc) return MakeError(ErrorCode::kParse, what + " is not JSON");
  if (!doc->IsObject()) return MakeError(ErrorCode::kParse, what + " is not a JSON object");
  auto version = doc->FindMember("Version");
  if (version == doc->MemberEnd() || !version->value.IsInt() || version->value.GetInt() != 1) {
    return MakeError(ErrorCode::kParse, what + ": \"Version\" must be the number 1");
  }
  AwsCredentials c;
  auto field = [&](char const* name, std::string& out, bool required) -> Result<void> {
    auto it = doc->FindMember(name);
    if (it == doc->MemberEnd() || it->value.IsNull()) {
      if (required) return MakeError(ErrorCode::kParse, what + " lacks \"" + name + "\"");
      return {};
    }
    if (!it->value.IsString()) return MakeError(ErrorCode::kParse, what + ": \"" + name + "\" is not a string");
    out.assign(it->value.GetString(), it->value.GetStringLength());
    if (required && out.empty()) return MakeError(ErrorCode::kParse, what + ": \"" + name + "\" is empty");
    return {};
  };
  if (auto r = field("AccessKeyId", c.access_key_id, true); !r) return std::move(r).error();
  if (auto r = field("SecretAccessKey", c.secret_access_key, true); !r) return std::move(r).error();
  if (auto r = field("SessionToken", c.session_token, false); !r) return std::move(r).error();
  std::string exp;
  if (auto r = field("Expiration", exp, false); !r) return std::move(r).error();
  if (!exp.empty()) {
    auto t = ::ccrec::detail::ParseTimeArg(exp);
    if (!t) return MakeError(ErrorCode::kParse, what + ": \"Expiration\" is not an ISO-8601 time");
    c.expiration = *t;
  }
  return c;
}

Result<std::string> RunCredentialProcess(std::vector<std::string> const& argv, std::chrono::milliseconds timeout,
                                         std::size_t max_output_bytes, CallContext const& ctx) {
  std::string const what = "credential_process \"" + argv.at(0) + "\"";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return MakeError(ErrorCode::kInternal, what + ": pipe: " + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  std::vector<char*> args;
  for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int const rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return MakeError(ErrorCode::kUnauthenticated, what + " cannot be started: " + std::strerror(rc));
  }
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  std::optional<Error> failure;
  char buf[4096];
  for (;;) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      failure = MakeError(ErrorCode::kDeadlineExceeded,
                          what + " did not finish within " + std::to_string(timeout.count()) + " ms; killed");
      break;
    }
    if (ctx.cancel.IsCancelled()) {
      failure = MakeError(ErrorCode::kCancelled, what + ": cancelled; killed");
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int const n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 100)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    auto const got = ::read(fds[0], buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) break;  // end of output
    out.append(buf, static_cast<std::size_t>(got));
    if (out.size() > max_output_bytes) {
      failure = MakeError(ErrorCode::kParse,
                          what + " printed more than " + std::to_string(max_output_bytes) + " bytes; killed");
      break;
    }
  }
  ::close(fds[0]);
  if (failure) ::kill(pid, SIGKILL);
  int status = 0;
  // The output is closed: the process is exiting (or was killed). Wait for it, bounded by the
  // deadline unless it was already killed.
  for (;;) {
    auto const w = ::waitpid(pid, &status, failure ? 0 : WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (w == 0) {
      if (std::chrono::steady_clock::now() >= deadline || ctx.cancel.IsCancelled()) {
        ::kill(pid, SIGKILL);
        failure = MakeError(ErrorCode::kDeadlineExceeded,
                            what + " closed its output but did not exit within the timeout; killed");
        continue;  // now waits blocking
      }
      ::usleep(10 * 1000);
    }
  }
  if (failure) return *failure;
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return MakeError(ErrorCode::kUnauthenticated, what + " exited with status " +
                                                      std::to_string(WEXITSTATUS(status)) +
                                                      " (its standard error says why)");
  }
  if (WIFSIGNALED(status)) {
    return MakeError(ErrorCode::kUnauthenticated, what + " was killed by signal " + std::to_string(WTERMSIG(status)));
  }
  return out;
}

}  // namespace detail

namespace {

class ProcessProvider final : public detail::RefreshingProvider {
 public:
  explicit ProcessProvider(ProcessCredentialsOptions o) : RefreshingProvider(o), options_(std::move(o)) {}

  // Only the program name: arguments may carry secrets.
  std::string Describe() const override {
    auto argv = detail::SplitCommandLine(options_.command);
    return "credential_process " + (argv ? argv->front() : std::string("(malformed)"));
  }

 private:
  Result<AwsCredentials> Refresh(CallContext const& ctx) override {
    auto argv = detail::SplitCommandLine(options_.command);
    if (!argv) return argv.error();
    auto out = detail::RunCredentialProcess(*argv, options_.timeout, options_.max_output_bytes, ctx);
    if (!out) return out.error();
    auto c = detail::ParseProcessOutput(*out);
    if (!c) {
      Error e = c.error();
      e.message = "credential_process \"" + argv->front() + "\": " + e.message;
      return e;
    }
    return c;
  }

  ProcessCredentialsOptions const options_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> MakeProcessCredentialsProvider(ProcessCredentialsOptions options) {
  return std::make_shared<ProcessProvider>(std::move(options));
}

}  // namespace ccrec::s3
