// SPDX-License-Identifier: Apache-2.0
// SIGINT/SIGTERM: a clean stop of every running export (SignalGuard, cli_common.hpp).
#include "cli_common.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace ccrec_cli {

// --- signals -------------------------------------------------------------------------------
// Guards nest (`ccrec-export run` holds one for the whole run and each job one for itself): the
// first guard blocks the signals and starts the watcher, a signal cancels every live guard's
// token, and the last guard stops the watcher and restores the mask.
namespace {
std::atomic<int> g_signal{0};
std::atomic<bool> g_stop_watcher{false};
std::thread g_watcher;
sigset_t g_old_mask;
std::mutex g_guards_mu;
std::vector<std::pair<SignalGuard const*, ccrec::CancellationToken>> g_guards;

void CancelEveryGuard() {
  std::lock_guard<std::mutex> lock(g_guards_mu);
  for (auto& guard : g_guards) guard.second.Cancel();
}
}  // namespace

SignalGuard::SignalGuard(ccrec::CancellationToken token) {
  std::lock_guard<std::mutex> lock(g_guards_mu);
  g_guards.emplace_back(this, token);
  if (g_signal.load() != 0) token.Cancel();  // a job starting after the signal stops at once
  if (g_guards.size() > 1) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  // Block in this thread (and so in every thread started after this); the watcher takes them.
  pthread_sigmask(SIG_BLOCK, &set, &g_old_mask);
  g_stop_watcher = false;
  g_watcher = std::thread([set] {
    std::chrono::steady_clock::time_point first_signal{};
    while (!g_stop_watcher.load()) {
      timespec timeout{0, 100'000'000};
      int sig = sigtimedwait(&set, nullptr, &timeout);
      if (sig > 0) {
        // A repeat within a second is the same request delivered twice (e.g. to the process and
        // to its process group, as `timeout` does), not the user insisting.
        auto now = std::chrono::steady_clock::now();
        if (g_signal.load() != 0 && now - first_signal < std::chrono::seconds(1)) continue;
        if (g_signal.load() != 0) {
          // Second signal: the user insists. Exit now (uploads in flight are left to the
          // server's multipart lifecycle rule; the manifest has every completed line).
          std::fprintf(stderr, "ccrec-export: second signal, exiting immediately\n");
          std::_Exit(kExitFatal);
        }
        g_signal = sig;
        first_signal = now;
        std::fprintf(stderr, "ccrec-export: %s received; finishing in-flight work and stopping (press again to force)\n",
                     sig == SIGINT ? "SIGINT" : "SIGTERM");
        CancelEveryGuard();
      }
    }
  });
}

SignalGuard::~SignalGuard() {
  {
    std::lock_guard<std::mutex> lock(g_guards_mu);
    g_guards.erase(std::remove_if(g_guards.begin(), g_guards.end(), [this](auto const& g) { return g.first == this; }),
                   g_guards.end());
    if (!g_guards.empty()) return;
  }
  g_stop_watcher = true;
  if (g_watcher.joinable()) g_watcher.join();
  pthread_sigmask(SIG_SETMASK, &g_old_mask, nullptr);
}

int SignalGuard::Signal() const { return g_signal.load(); }

}  // namespace ccrec_cli
