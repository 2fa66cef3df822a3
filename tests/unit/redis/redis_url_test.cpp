// SPDX-License-Identifier: Apache-2.0
// ParseRedisUrl / RedactRedisUrl / RedisRateLimitKey: shapes, defaults, bad input, no password
// in any message.

#include <ccrec/redis/redis_options.hpp>
#include <ccrec/redis/redis_rate_limiter.hpp>

#include <gtest/gtest.h>

namespace {

using ccrec::ErrorCode;
using ccrec::redis::ParseRedisUrl;
using ccrec::redis::RedactRedisUrl;

TEST(RedisUrl, HostOnlyTakesDefaults) {
  auto loc = ParseRedisUrl("redis://cache.internal");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->server.host, "cache.internal");
  EXPECT_EQ(loc->server.port, 6379);
  EXPECT_EQ(loc->server.db, 0);
  EXPECT_EQ(loc->server.password, "");
  EXPECT_EQ(loc->key_prefix, "ccrec");
}

TEST(RedisUrl, PortDbAndPrefix) {
  auto loc = ParseRedisUrl("redis://127.0.0.1:6380/3/prod:wxcc/");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->server.host, "127.0.0.1");
  EXPECT_EQ(loc->server.port, 6380);
  EXPECT_EQ(loc->server.db, 3);
  EXPECT_EQ(loc->key_prefix, "prod:wxcc");
}

TEST(RedisUrl, PrefixWithoutDb) {
  auto loc = ParseRedisUrl("redis://h:1/exporter-a");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->server.db, 0);
  EXPECT_EQ(loc->key_prefix, "exporter-a");
}

TEST(RedisUrl, PasswordAndUserArePercentDecoded) {
  auto loc = ParseRedisUrl("redis://alice:p%40ss%3Aword@h:7000");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->server.username, "alice");
  EXPECT_EQ(loc->server.password, "p@ss:word");
  auto only = ParseRedisUrl("redis://:s3cret@h");
  ASSERT_TRUE(only);
  EXPECT_EQ(only->server.username, "");
  EXPECT_EQ(only->server.password, "s3cret");
}

TEST(RedisUrl, Ipv6InBrackets) {
  auto loc = ParseRedisUrl("redis://[::1]:6390/1");
  ASSERT_TRUE(loc) << loc.error().message;
  EXPECT_EQ(loc->server.host, "::1");
  EXPECT_EQ(loc->server.port, 6390);
  EXPECT_EQ(loc->server.db, 1);
  EXPECT_EQ(ccrec::redis::DescribeRedisServer(loc->server), "[::1]:6390/1");
}

TEST(RedisUrl, BadInputIsInvalidArgumentWithoutThePassword) {
  for (char const* url : {"http://h:1", "rediss://:topsecret@h:1", "redis://:topsecret@", "redis://:topsecret@h:0",
                          "redis://:topsecret@h:65536", "redis://:topsecret@h:12x", "redis://:topsecret@h:",
                          "redis://:topsecret@h/99999999", "redis://:topsecret@h?db=1", "redis://:topsecret@[::1",
                          "", "redis://"}) {
    auto loc = ParseRedisUrl(url);
    ASSERT_FALSE(loc) << url;
    EXPECT_EQ(loc.error().code, ErrorCode::kInvalidArgument) << url;
    EXPECT_EQ(loc.error().message.find("topsecret"), std::string::npos) << loc.error().message;
    EXPECT_NE(loc.error().message.find("redis://[[USER]:PASSWORD@]HOST"), std::string::npos) << loc.error().message;
  }
}

TEST(RedisUrl, RedactHidesUserInfo) {
  EXPECT_EQ(RedactRedisUrl("redis://u:pw@h:1/2"), "redis://***@h:1/2");
  EXPECT_EQ(RedactRedisUrl("redis://:p@w@h:1"), "redis://***@h:1");
  EXPECT_EQ(RedactRedisUrl("redis://h:1/a@b"), "redis://h:1/a@b");
  EXPECT_EQ(RedactRedisUrl("not a url"), "not a url");
}

TEST(RedisUrl, RateLimitKeyPerClientId) {
  EXPECT_EQ(ccrec::redis::RedisRateLimitKey("ccrec", "C1"), "ccrec:ratelimit:C1");
}

}  // namespace
