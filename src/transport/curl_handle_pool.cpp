// SPDX-License-Identifier: Apache-2.0
#include "transport/curl_handle_pool.hpp"

#include <utility>
#include <vector>

namespace ccrec::detail {
namespace {

// libcurl's setopt functions are variadic; these wrappers pin the argument types.
CURLSHcode ShareSetLong(CURLSH* share, CURLSHoption option, long value) {
  return curl_share_setopt(share, option, value);
}
template <typename Fn>
CURLSHcode ShareSetFunction(CURLSH* share, CURLSHoption option, Fn* fn) {
  return curl_share_setopt(share, option, fn);
}
CURLSHcode ShareSetPointer(CURLSH* share, CURLSHoption option, void* value) {
  return curl_share_setopt(share, option, value);
}

bool LibcurlAtLeast(unsigned major, unsigned minor) {
  curl_version_info_data const* info = curl_version_info(CURLVERSION_NOW);
  if (info == nullptr) return false;
  return info->version_num >= ((major << 16) | (minor << 8));
}

}  // namespace

bool CurlGlobalInit() noexcept {
  static std::once_flag once;
  static CURLcode result = CURLE_FAILED_INIT;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result == CURLE_OK;
}

CurlHandles::~CurlHandles() {
  // The easy handle is never inside `multi` here: transfers remove it before giving the pair up.
  if (multi != nullptr) curl_multi_cleanup(multi);  // closes the cached connection
  if (easy != nullptr) curl_easy_cleanup(easy);
}

CurlHandlePool::CurlHandlePool(std::size_t max_idle) : max_idle_(max_idle) {
  share_ = curl_share_init();
  if (share_ == nullptr) return;
  ShareSetFunction(share_, CURLSHOPT_LOCKFUNC, &CurlHandlePool::LockCallback);
  ShareSetFunction(share_, CURLSHOPT_UNLOCKFUNC, &CurlHandlePool::UnlockCallback);
  ShareSetPointer(share_, CURLSHOPT_USERDATA, this);
  ShareSetLong(share_, CURLSHOPT_SHARE, static_cast<long>(CURL_LOCK_DATA_DNS));
  // libcurl < 8.12 documents TLS session sharing as unsupported between concurrent threads (and
  // had a data race on the shared SSL_SESSION with OpenSSL); there each easy handle keeps its own.
  if (LibcurlAtLeast(8, 12)) {
    shares_tls_sessions_ =
        ShareSetLong(share_, CURLSHOPT_SHARE, static_cast<long>(CURL_LOCK_DATA_SSL_SESSION)) == CURLSHE_OK;
  }
}

CurlHandlePool::~CurlHandlePool() {
  std::deque<std::unique_ptr<CurlHandles>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle.swap(idle_);
  }
  idle.clear();  // every easy handle is gone before the share object goes
  if (share_ != nullptr) curl_share_cleanup(share_);
}

void CurlHandlePool::LockCallback(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  auto* pool = static_cast<CurlHandlePool*>(self);
  auto const index = static_cast<std::size_t>(data);
  if (index < pool->share_locks_.size()) pool->share_locks_[index].lock();
}

void CurlHandlePool::UnlockCallback(CURL*, curl_lock_data data, void* self) {
  auto* pool = static_cast<CurlHandlePool*>(self);
  auto const index = static_cast<std::size_t>(data);
  if (index < pool->share_locks_.size()) pool->share_locks_[index].unlock();
}

std::unique_ptr<CurlHandles> CurlHandlePool::Acquire(std::string const& origin) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
      if ((*it)->origin == origin) {
        auto handles = std::move(*it);
        idle_.erase(std::next(it).base());
        return handles;
      }
    }
  }
  auto handles = std::make_unique<CurlHandles>();
  handles->multi = curl_multi_init();
  handles->easy = curl_easy_init();
  if (handles->multi == nullptr || handles->easy == nullptr) return nullptr;
  // One cached connection per pair: the pool, not each multi handle, bounds idle connections.
  curl_multi_setopt(handles->multi, CURLMOPT_MAXCONNECTS, 1L);
  handles->origin = origin;
  std::lock_guard<std::mutex> lock(mu_);
  ++created_;
  return handles;
}

void CurlHandlePool::Release(std::unique_ptr<CurlHandles> handles) {
  if (!handles) return;
  // Drop every option (and with them the pointers to the finished transfer's callbacks, error
  // buffer and header list) before another thread can pick the pair up. The share object, the
  // connection in the multi handle and the TLS session survive a reset.
  curl_easy_reset(handles->easy);
  std::vector<std::unique_ptr<CurlHandles>> evicted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(handles));
    while (idle_.size() > max_idle_) {
      evicted.push_back(std::move(idle_.front()));
      idle_.pop_front();
    }
  }
  // `evicted` closes its connections here, outside the lock.
}

std::size_t CurlHandlePool::IdleCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_.size();
}

std::size_t CurlHandlePool::CreatedCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return created_;
}

}  // namespace ccrec::detail
