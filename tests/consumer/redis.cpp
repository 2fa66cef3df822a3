// SPDX-License-Identifier: Apache-2.0
// Consumer check for the optional ccrec::redis (installed when ccrec was built with hiredis): its
// headers compile without hiredis, and the library links and runs (no server needed).
#include <ccrec/redis/redis_options.hpp>
#include <ccrec/redis/redis_rate_limiter.hpp>
#include <ccrec/redis/redis_token_store.hpp>

#include <cstdio>

int main() {
  auto loc = ccrec::redis::ParseRedisUrl("redis://:pw@127.0.0.1:6390/2/ccrec");
  if (!loc || loc->server.port != 6390 || loc->server.db != 2) return std::printf("consumer_redis: parse\n"), 1;
  if (ccrec::redis::RedactRedisUrl("redis://:pw@h:1") != "redis://***@h:1") return std::printf("consumer_redis: redact\n"), 2;
  ccrec::redis::RedisTokenStoreOptions store;
  store.server = loc->server;
  auto s = ccrec::redis::MakeRedisTokenStore(store);  // connects on first use only
  ccrec::redis::RedisRateLimiterOptions limit;
  limit.key = ccrec::redis::RedisRateLimitKey(loc->key_prefix, "client");
  auto l = ccrec::redis::MakeRedisRateLimiter(limit);
  if (!s || !l) return std::printf("consumer_redis: factories\n"), 3;
  std::printf("consumer_redis: ok\n");
  return 0;
}
