// SPDX-License-Identifier: Apache-2.0
// Integration-test harness (harness.hpp): loopback servers as child processes, RunProgram,
// TempDir, file helpers and a tiny HTTP client over the ccrec curl transport.
//
// Failures to set up (a server that does not start, a program that cannot be spawned, an
// unreadable file) throw std::runtime_error with the details; GoogleTest reports the exception
// as a failure of the running test.

#include "integration/harness.hpp"

#include "internal/crypto.hpp"

#include <ccrec/core/http.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace ccrec_it {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(std::string const& what) { return what + ": " + std::strerror(errno); }

std::string TempRoot() {
  char const* tmp = std::getenv("TMPDIR");
  std::string root = (tmp != nullptr && *tmp != '\0') ? tmp : "/tmp";
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

std::string MakeTempDir(std::string const& prefix) {
  std::string templ = TempRoot() + "/" + prefix + "-XXXXXX";
  std::vector<char> buffer(templ.begin(), templ.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error(ErrnoText("mkdtemp " + templ));
  return std::string(buffer.data());
}

void RemoveTree(std::string const& path) {
  if (path.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string ReadFileIfExists(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// argv as the char* array exec wants (pointers into `storage`).
std::vector<char*> CArgv(std::vector<std::string>& storage) {
  std::vector<char*> out;
  out.reserve(storage.size() + 1);
  for (auto& s : storage) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// The current environment with `overrides` applied ("\x01unset" removes a variable).
std::vector<std::string> BuildEnvironment(std::map<std::string, std::string> const& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto const eq = entry.find('=');
    std::string const name = entry.substr(0, eq);
    if (overrides.count(name) != 0) continue;
    env.push_back(std::move(entry));
  }
  for (auto const& [name, value] : overrides) {
    if (value == "\x01unset") continue;
    env.push_back(name + "=" + value);
  }
  return env;
}

/// waitpid() with a deadline; returns true when the child was reaped (status in `status`).
bool WaitFor(pid_t pid, int& status, std::chrono::milliseconds timeout) {
  auto const deadline = Clock::now() + timeout;
  for (;;) {
    pid_t const r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return true;  // not our child any more
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void SetCloexec(int fd) { (void)fcntl(fd, F_SETFD, FD_CLOEXEC); }

std::string JsonValueText(rapidjson::Value const& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsNumber()) {
    std::ostringstream out;
    out << v.GetDouble();
    return out.str();
  }
  if (v.IsNull()) return {};
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

// ---- ServerProcess -----------------------------------------------------------------------------

std::unique_ptr<ServerProcess> ServerProcess::UseSharedS3(std::string const& ready_file, std::string const& bucket) {
  std::string const text = ReadFileIfExists(ready_file);
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("control_endpoint")) {
    throw std::runtime_error("CCREC_IT_SHARED_S3=" + ready_file + " is not the ready file of a shared S3 server:\n" + text);
  }
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    server->ready_[std::string(it->name.GetString(), it->name.GetStringLength())] = JsonValueText(it->value);
  }
  static int count = 0;
  std::string const name = bucket + "-" + std::to_string(getpid()) + "-" + std::to_string(++count);
  auto [status, body] = HttpPost(server->ready_["control_endpoint"] + "/buckets/" + name + "/create", "", "text/plain");
  if (status != 200) throw std::runtime_error("shared S3 server: creating bucket " + name + ": " + body);
  server->ready_["bucket"] = name;
  server->shared_control_ = server->ready_["control_endpoint"];
  return server;
}

std::unique_ptr<ServerProcess> ServerProcess::Start(std::string const& script, std::vector<std::string> const& args,
                                                    std::chrono::seconds timeout) {
  char const* shared = std::getenv("CCREC_IT_SHARED_S3");
  if (script == "s3_server.py" && shared != nullptr && *shared != '\0' && args.size() == 2 && args[0] == "--bucket") {
    return UseSharedS3(shared, args[1]);
  }
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  std::string stem = std::filesystem::path(script).stem().string();
  // <root>/state is the server's --state-dir; the ready file and the server's output live next to it.
  std::string const root = MakeTempDir("ccrec-it-" + (stem.empty() ? std::string("server") : stem));
  server->state_dir_ = root + "/state";
  std::string const ready_file = root + "/ready.json";
  std::string const log_file = root + "/server.log";
  std::string const script_path = (!script.empty() && script[0] == '/') ? script : std::string(CCREC_EMULATOR_DIR) + "/" + script;

  std::vector<std::string> argv_storage = {CCREC_PYTHON,  script_path,           "--port", "0", "--ready-file",
                                           ready_file,    "--state-dir",         server->state_dir_};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  auto argv = CArgv(argv_storage);

  int const log_fd = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error(ErrnoText("open " + log_file));
  pid_t const pid = fork();
  if (pid < 0) {
    close(log_fd);
    throw std::runtime_error(ErrnoText("fork"));
  }
  if (pid == 0) {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test process
#endif
    int const devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    char const msg[] = "harness: exec of the python interpreter failed\n";
    (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
    _exit(127);
  }
  close(log_fd);
  server->pid_ = pid;

  auto const deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      server->pid_ = -1;
      throw std::runtime_error("server " + script + " exited with code " + std::to_string(ExitCodeOf(status)) +
                               " before becoming ready; its output:\n" + ReadFileIfExists(log_file));
    }
    std::string const text = ReadFileIfExists(ready_file);
    if (!text.empty()) {
      rapidjson::Document doc;
      doc.Parse(text.c_str(), text.size());
      if (!doc.HasParseError() && doc.IsObject()) {
        for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
          server->ready_[std::string(it->name.GetString(), it->name.GetStringLength())] = JsonValueText(it->value);
        }
        return server;
      }
    }
    if (Clock::now() >= deadline) {
      throw std::runtime_error("server " + script + " did not write its ready file within " +
                               std::to_string(timeout.count()) + " s; its output:\n" + ReadFileIfExists(log_file));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ServerProcess::~ServerProcess() {
  if (!shared_control_.empty()) {
    auto [status, body] = HttpPost(shared_control_ + "/buckets/" + Get("bucket") + "/delete", "", "text/plain");
    if (status != 200) ADD_FAILURE() << "shared S3 server: removing bucket " << Get("bucket") << ": " << body;
  }
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    if (!WaitFor(pid_, status, std::chrono::seconds(5))) {
      kill(pid_, SIGKILL);
      (void)WaitFor(pid_, status, std::chrono::seconds(5));
    }
  }
  if (!state_dir_.empty()) RemoveTree(std::filesystem::path(state_dir_).parent_path().string());
}

std::string ServerProcess::Get(std::string const& key) const {
  auto it = ready_.find(key);
  return it == ready_.end() ? std::string() : it->second;
}

int ServerProcess::Port() const {
  std::string const text = Get("port");
  return text.empty() ? 0 : std::atoi(text.c_str());
}

// ---- RunProgram --------------------------------------------------------------------------------

std::string ProgramResult::LastLine() const {
  std::size_t end = out.size();
  while (end > 0) {
    while (end > 0 && (out[end - 1] == '\n' || out[end - 1] == '\r')) --end;
    if (end == 0) break;
    std::size_t begin = out.rfind('\n', end - 1);
    begin = begin == std::string::npos ? 0 : begin + 1;
    std::string line = out.substr(begin, end - begin);
    if (line.find_first_not_of(" \t\r") != std::string::npos) return line;
    end = begin;
  }
  return {};
}

ProgramResult RunProgram(std::vector<std::string> const& argv, std::map<std::string, std::string> const& env,
                         std::string const& stdin_text, std::chrono::seconds timeout) {
  if (argv.empty()) throw std::runtime_error("RunProgram: empty argv");
  // A child that exits without reading its stdin must not kill the test with SIGPIPE.
  static bool const sigpipe_ignored = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;

  std::vector<std::string> argv_storage = argv;
  auto cargv = CArgv(argv_storage);
  std::vector<std::string> env_storage = BuildEnvironment(env);
  auto cenv = CArgv(env_storage);

  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) != 0) throw std::runtime_error(ErrnoText("pipe"));
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error(ErrnoText("pipe"));
  for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) SetCloexec(fd);

  pid_t const pid = fork();
  if (pid < 0) throw std::runtime_error(ErrnoText("fork"));
  if (pid == 0) {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    signal(SIGPIPE, SIG_DFL);
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    execvpe(cargv[0], cargv.data(), cenv.data());
    char const msg[] = "harness: exec failed: ";
    (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
    char const* reason = std::strerror(errno);
    (void)!write(STDERR_FILENO, reason, std::strlen(reason));
    (void)!write(STDERR_FILENO, "\n", 1);
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);

  int in_fd = in_pipe[1];
  (void)fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  std::size_t written = 0;
  if (stdin_text.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  int out_fd = out_pipe[0];
  int err_fd = err_pipe[0];
  ProgramResult result;
  auto const deadline = Clock::now() + timeout;
  bool timed_out = false;
  char buffer[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t n = 0;
    int out_index = -1, err_index = -1, in_index = -1;
    if (out_fd >= 0) {
      fds[n] = {out_fd, POLLIN, 0};
      out_index = static_cast<int>(n++);
    }
    if (err_fd >= 0) {
      fds[n] = {err_fd, POLLIN, 0};
      err_index = static_cast<int>(n++);
    }
    if (in_fd >= 0) {
      fds[n] = {in_fd, POLLOUT, 0};
      in_index = static_cast<int>(n++);
    }
    int const ready = poll(fds, n, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(ErrnoText("poll"));
    }
    auto drain = [&](int index, int& fd, std::string& sink) {
      if (index < 0 || fds[index].revents == 0) return;
      ssize_t const got = read(fd, buffer, sizeof(buffer));
      if (got > 0) {
        sink.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(fd);
        fd = -1;
      }
    };
    drain(out_index, out_fd, result.out);
    drain(err_index, err_fd, result.err);
    if (in_index >= 0 && fds[in_index].revents != 0) {
      ssize_t const put = write(in_fd, stdin_text.data() + written, stdin_text.size() - written);
      if (put > 0) written += static_cast<std::size_t>(put);
      if ((put < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_text.size()) {
        close(in_fd);
        in_fd = -1;
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd}) {
    if (fd >= 0) close(fd);
  }
  int status = 0;
  if (timed_out) {
    kill(pid, SIGKILL);
    (void)WaitFor(pid, status, std::chrono::seconds(10));
    result.exit_code = 128 + SIGKILL;
    result.err += "\nharness: killed after the timeout of " + std::to_string(timeout.count()) + " s\n";
    return result;
  }
  auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (!WaitFor(pid, status, std::max(left, std::chrono::milliseconds(1000)))) {
    kill(pid, SIGKILL);
    (void)WaitFor(pid, status, std::chrono::seconds(10));
    result.exit_code = 128 + SIGKILL;
    result.err += "\nharness: killed after the timeout of " + std::to_string(timeout.count()) + " s\n";
    return result;
  }
  result.exit_code = ExitCodeOf(status);
  return result;
}

// ---- TempDir and files -------------------------------------------------------------------------

TempDir::TempDir(std::string const& prefix) : path_(MakeTempDir(prefix)) {}

TempDir::~TempDir() { RemoveTree(path_); }

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("ReadFile: cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFile(std::string const& path, std::string const& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("WriteFile: cannot open " + path + ": " + std::strerror(errno));
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("WriteFile: cannot write " + path);
}

void WriteWebexTokenFile(std::string const& path, std::string const& refresh_token) {
  WriteFile(path, R"({"access_token":"","token_type":"Bearer","expires_at":0,"refresh_token":")" + refresh_token +
                      "\"}");
  if (::chmod(path.c_str(), 0600) != 0) {
    throw std::runtime_error("WriteWebexTokenFile: cannot chmod " + path + ": " + std::strerror(errno));
  }
}

std::map<std::string, std::string> WebexToS3Env(ServerProcess const& webex, ServerProcess const& s3,
                                                std::string const& secret_key) {
  return {{"AWS_ACCESS_KEY_ID", s3.Get("access_key")},
          {"AWS_SECRET_ACCESS_KEY", secret_key.empty() ? s3.Get("secret_key") : secret_key},
          {"AWS_SESSION_TOKEN", "\x01unset"},
          {"AWS_REGION", "us-east-1"},
          {"CCREC_WEBEX_CLIENT_ID", webex.Get("client_id")},
          {"CCREC_WEBEX_CLIENT_SECRET", webex.Get("client_secret")}};
}

std::string Sha256Hex(std::string const& data) { return ccrec::detail::Sha256Hex(data); }

// ---- HTTP helpers ------------------------------------------------------------------------------

namespace {

// One transport per CA file for the whole test process: its connections are reused, where a new
// transport per call paid a TLS handshake and the CA file's parsing each time (~80 ms under ASan,
// which made the emulators' ground-truth queries a third of some tests' time).
std::shared_ptr<ccrec::HttpTransport> TransportFor(std::string const& ca_file) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<ccrec::HttpTransport>> transports;
  std::lock_guard<std::mutex> lock(mu);
  auto& transport = transports[ca_file];
  if (!transport) {
    ccrec::CurlOptions options;
    options.ca_file = ca_file;
    transport = ccrec::MakeCurlTransport(options);
  }
  return transport;
}

std::pair<int, std::string> Exchange(ccrec::HttpRequest const& request, std::string const& ca_file) {
  auto response = TransportFor(ca_file)->Send(request, ccrec::CallContext{});
  if (!response) return {0, "transport error: " + response.error().ToString()};
  auto body = response->ReadAll(std::size_t{256} << 20);
  if (!body) return {0, "transport error while reading the body: " + body.error().ToString()};
  return {response->status, *std::move(body)};
}

}  // namespace

std::pair<int, std::string> HttpGet(std::string const& url, std::string const& ca_file) {
  ccrec::HttpRequest request;
  request.method = "GET";
  request.url = url;
  return Exchange(request, ca_file);
}

std::pair<int, std::string> HttpPost(std::string const& url, std::string const& body, std::string const& content_type,
                                     std::string const& ca_file) {
  ccrec::HttpRequest request;
  request.method = "POST";
  request.url = url;
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  request.body = ccrec::MakeStringBody(body);
  return Exchange(request, ca_file);
}

rapidjson::Document Json(std::string const& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
  return d;
}

std::vector<std::string> ManifestRecordLines(std::string const& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.find("\"ccrec_manifest\"") == std::string::npos) out.push_back(line);
  }
  return out;
}

}  // namespace ccrec_it
