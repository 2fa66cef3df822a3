// SPDX-License-Identifier: Apache-2.0
// ccrec::testing fakes: FakeHttpTransport, MakeStringBodyReader, MemorySink, ManualClock/Sleeper.

#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace ccrec {
namespace {

using std::chrono::milliseconds;
using testing::FakeHttpTransport;
using testing::ManualClock;
using testing::ManualSleeper;
using testing::MemorySink;
using testing::RecordedRequest;

HttpRequest Get(std::string url) {
  HttpRequest r;
  r.url = std::move(url);
  return r;
}

std::string Body(Result<HttpResponse>& r) {
  if (!r) return "<error " + r.error().ToString() + ">";
  auto all = r->ReadAll();
  return all ? *all : "<read error " + all.error().ToString() + ">";
}

TEST(FakeHttpTransport, UnscriptedIs599) {
  FakeHttpTransport fake;
  auto r = fake.Send(Get("https://h/x"), {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 599);
  EXPECT_NE(Body(r).find("GET https://h/x"), std::string::npos);
  EXPECT_EQ(fake.RequestCount(), 1u) << "unscripted requests are recorded too";
}

TEST(FakeHttpTransport, QueueBeforeRoutesAndInOrder) {
  FakeHttpTransport fake;
  fake.Route("GET", "/tasks", [](RecordedRequest const&) -> Result<HttpResponse> {
    return testing::MakeResponse(200, "route");
  });
  fake.EnqueueResponse(503, "first", {{"Retry-After", "1"}});
  fake.EnqueueResponse(200, "second");
  auto a = fake.Send(Get("https://h/v1/tasks"), {});
  auto b = fake.Send(Get("https://h/v1/tasks"), {});
  auto c = fake.Send(Get("https://h/v1/tasks"), {});
  auto d = fake.Send(Get("https://h/v1/tasks"), {});
  EXPECT_EQ(a->status, 503);
  EXPECT_EQ(a->Header("retry-after"), "1");
  EXPECT_EQ(Body(a), "first");
  EXPECT_EQ(Body(b), "second");
  EXPECT_EQ(Body(c), "route");
  EXPECT_EQ(Body(d), "route") << "routes answer repeatedly";
}

TEST(FakeHttpTransport, RoutesMatchMethodAndSubstringInOrder) {
  FakeHttpTransport fake;
  auto reply = [](std::string text) {
    return [text](RecordedRequest const&) -> Result<HttpResponse> { return testing::MakeResponse(200, text); };
  };
  fake.Route("POST", "/token", reply("token"));
  fake.Route("GET", "/v1/", reply("v1"));
  fake.Route("GET", "/v1/tasks", reply("never: shadowed by the earlier route"));
  fake.Route("", "/any", reply("any"));
  HttpRequest post = Get("https://h/token");
  post.method = "POST";
  auto r1 = fake.Send(post, {});
  auto r2 = fake.Send(Get("https://h/token"), {});
  auto r3 = fake.Send(Get("https://h/v1/tasks"), {});
  HttpRequest del = Get("https://h/any/thing");
  del.method = "DELETE";
  auto r4 = fake.Send(del, {});
  EXPECT_EQ(Body(r1), "token");
  EXPECT_EQ(r2->status, 599);
  EXPECT_EQ(Body(r3), "v1");
  EXPECT_EQ(Body(r4), "any");
}

TEST(FakeHttpTransport, RecordsRequestsIncludingBody) {
  FakeHttpTransport fake;
  fake.Enqueue([](RecordedRequest const& req) -> Result<HttpResponse> {
    EXPECT_EQ(req.body, "grant_type=x");  // the handler sees the recorded request
    return testing::MakeResponse(200, "{}");
  });
  HttpRequest req = Get("https://h/token");
  req.method = "POST";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Trace", "1"}};
  req.body = MakeStringBody("grant_type=x");
  ASSERT_TRUE(fake.Send(req, {}));
  // The body can be sent again (a retry): the fake rewinds it first.
  ASSERT_TRUE(fake.Send(req, {}));
  auto reqs = fake.Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].url, "https://h/token");
  EXPECT_EQ(reqs[0].Header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(reqs[0].Header("x-trace"), "1");
  EXPECT_EQ(reqs[0].Header("missing"), std::nullopt);
  EXPECT_EQ(reqs[0].body, "grant_type=x");
  EXPECT_EQ(reqs[1].body, "grant_type=x");
  fake.ClearRequests();
  EXPECT_EQ(fake.RequestCount(), 0u);
}

TEST(FakeHttpTransport, LargeBodyRecordedCompletely) {
  FakeHttpTransport fake;
  std::string big(200000, 'b');
  big[123456] = 'X';
  HttpRequest req = Get("https://h/put");
  req.method = "PUT";
  req.body = MakeSpanBody(big.data(), big.size());
  ASSERT_TRUE(fake.Send(req, {}));
  EXPECT_EQ(fake.Requests()[0].body, big);
}

TEST(FakeHttpTransport, EnqueueErrorAndCancelled) {
  FakeHttpTransport fake;
  fake.EnqueueError(MakeError(ErrorCode::kTransport, "connection reset"));
  auto r = fake.Send(Get("https://h/"), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTransport);
  CallContext ctx;
  ctx.cancel.Cancel();
  fake.EnqueueResponse(200, "not consumed");
  auto c = fake.Send(Get("https://h/"), ctx);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kCancelled);
  auto after = fake.Send(Get("https://h/"), {});
  EXPECT_EQ(Body(after), "not consumed") << "a cancelled send does not consume the script";
}

TEST(FakeHttpTransport, MakeResponseAddsContentLengthOnce) {
  auto r = testing::MakeResponse(200, "hello");
  EXPECT_EQ(r.ContentLength(), 5u);
  auto r2 = testing::MakeResponse(200, "hello", {{"content-length", "99"}});
  EXPECT_EQ(r2.ContentLength(), 99u);
  EXPECT_EQ(r2.headers.size(), 1u);
}

TEST(FakeHttpTransport, ThreadSafe) {
  FakeHttpTransport fake;
  std::atomic<int> handled{0};
  fake.Route("", "", [&](RecordedRequest const&) -> Result<HttpResponse> {
    ++handled;
    return testing::MakeResponse(200, "ok");
  });
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  for (int i = 0; i < kPerThread; ++i) fake.EnqueueResponse(201, "queued");
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = fake.Send(Get("https://h/" + std::to_string(t) + "/" + std::to_string(i)), {});
        ASSERT_TRUE(r);
        if (r->status == 201) ++created;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(fake.RequestCount(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(created.load(), kPerThread) << "each queued response is used exactly once";
  EXPECT_EQ(handled.load(), (kThreads - 1) * kPerThread);
}

TEST(MakeStringBodyReader, ChunksThenEnd) {
  auto r = testing::MakeStringBodyReader("abcdefg", 3);
  char buf[16];
  auto n = r->Read(buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buf, *n), "abc");
  n = r->Read(buf, 2);
  EXPECT_EQ(std::string(buf, *n), "de");
  n = r->Read(buf, sizeof buf);
  EXPECT_EQ(std::string(buf, *n), "fg");
  n = r->Read(buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
  n = r->Read(buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u) << "end stays end";
}

TEST(MakeStringBodyReader, FailureInjectedAfterData) {
  auto r = testing::MakeStringBodyReader("abcdef", 4, MakeError(ErrorCode::kTransport, "connection reset"));
  char buf[16];
  auto n = r->Read(buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 4u);
  n = r->Read(buf, 0);  // a zero-size read is not the end of the data
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(*n, 0u);
  n = r->Read(buf, sizeof buf);
  ASSERT_TRUE(n) << n.error().ToString();
  EXPECT_EQ(std::string(buf, *n), "ef");
  n = r->Read(buf, sizeof buf);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().code, ErrorCode::kTransport);
  // ReadAll surfaces the error instead of a truncated body.
  HttpResponse resp;
  resp.body = testing::MakeStringBodyReader("abc", 1, MakeError(ErrorCode::kIntegrity, "short body"));
  auto all = resp.ReadAll();
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().code, ErrorCode::kIntegrity);
}

TEST(MakeStringBodyReader, ZeroChunkIsTreatedAsOne) {
  auto r = testing::MakeStringBodyReader("ab", 0);
  HttpResponse resp;
  resp.body = std::move(r);
  EXPECT_EQ(resp.ReadAll().value(), "ab");
}

TEST(MemorySink, StoresFinishedObjects) {
  MemorySink sink;
  PutOptions o;
  o.content_type = "audio/wav";
  o.metadata["task-id"] = "t1";
  auto w = sink.Open("a/b.wav", o);
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->Write("abc", 3));
  ASSERT_TRUE((*w)->Write("def", 3));
  EXPECT_FALSE(sink.Get("a/b.wav")) << "not visible before Finish";
  auto info = (*w)->Finish();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->bytes, 6u);
  EXPECT_EQ(info->sha256_hex, ::ccrec::detail::Sha256Hex("abcdef"));
  EXPECT_EQ(sink.Get("a/b.wav"), "abcdef");
  auto objects = sink.Objects();
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects["a/b.wav"].options.content_type, "audio/wav");
  EXPECT_EQ(objects["a/b.wav"].options.metadata["task-id"], "t1");
  auto st = sink.Stat("a/b.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_EQ((*st)->bytes, 6u);
  EXPECT_EQ((*st)->sha256_hex, ::ccrec::detail::Sha256Hex("abcdef"));
  auto missing = sink.Stat("nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(sink.Describe("a/b.wav"), "memory://a/b.wav");
  EXPECT_EQ(sink.AbortCount(), 0u);
  EXPECT_FALSE((*w)->Write("x", 1)) << "write after Finish";
}

TEST(MemorySink, AbortCounting) {
  MemorySink sink;
  {
    auto w = sink.Open("a", {});
    ASSERT_TRUE((*w)->Write("x", 1));
    (*w)->Abort();
    (*w)->Abort();
  }
  EXPECT_EQ(sink.AbortCount(), 1u) << "explicit Abort then destruction counts once";
  {
    auto w = sink.Open("b", {});
    ASSERT_TRUE((*w)->Write("x", 1));
  }
  EXPECT_EQ(sink.AbortCount(), 2u) << "destroying an unfinished writer aborts";
  {
    auto w = sink.Open("c", {});
    ASSERT_TRUE((*w)->Finish());
  }
  EXPECT_EQ(sink.AbortCount(), 2u) << "a finished writer is not aborted";
  EXPECT_TRUE(sink.Objects().count("c"));
  EXPECT_FALSE(sink.Objects().count("a"));
  EXPECT_FALSE(sink.Objects().count("b"));
}

TEST(MemorySink, FailWriteAfter) {
  MemorySink sink;
  sink.FailWriteAfter(3, MakeError(ErrorCode::kUnavailable, "disk full"));
  auto w = sink.Open("k", {});
  ASSERT_TRUE((*w)->Write("1", 1));
  ASSERT_TRUE((*w)->Write("2", 1));
  auto third = (*w)->Write("3", 1);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(sink.AbortCount(), 1u) << "a failed write aborts the writer";
  EXPECT_FALSE((*w)->Finish());
  EXPECT_FALSE(sink.Get("k"));
  // The failure fires once; later writers work.
  auto w2 = sink.Open("k", {});
  ASSERT_TRUE((*w2)->Write("ok", 2));
  ASSERT_TRUE((*w2)->Finish());
  EXPECT_EQ(sink.Get("k"), "ok");
}

TEST(MemorySink, FailWriteAfterOneAndZeroMeanTheNextWrite) {
  for (std::size_t n : {std::size_t{1}, std::size_t{0}}) {
    MemorySink sink;
    sink.FailWriteAfter(n, MakeError(ErrorCode::kInternal, "boom"));
    auto w = sink.Open("k", {});
    EXPECT_FALSE((*w)->Write("1", 1)) << n;
  }
}

TEST(MemorySink, FailureCountsAcrossWriters) {
  MemorySink sink;
  sink.FailWriteAfter(2, MakeError(ErrorCode::kInternal, "boom"));
  auto a = sink.Open("a", {});
  auto b = sink.Open("b", {});
  EXPECT_TRUE((*a)->Write("x", 1));
  EXPECT_FALSE((*b)->Write("x", 1));
}

TEST(MemorySink, ExpectedSizeAndIfNoneMatch) {
  MemorySink sink;
  PutOptions sized;
  sized.expected_size = 10;
  auto w = sink.Open("k", sized);
  ASSERT_TRUE((*w)->Write("abc", 3));
  auto r = (*w)->Finish();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIntegrity);
  EXPECT_FALSE(sink.Get("k"));

  PutOptions once;
  once.if_none_match = true;
  auto a = sink.Open("k", once);
  auto b = sink.Open("k", once);
  ASSERT_TRUE((*a)->Write("A", 1));
  ASSERT_TRUE((*b)->Write("B", 1));
  ASSERT_TRUE((*a)->Finish());
  auto lost = (*b)->Finish();
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(lost.error().vendor_code, "PreconditionFailed");
  EXPECT_EQ(sink.Get("k"), "A");
}

TEST(MemorySink, IfNoneMatchIsAtomicAcrossThreads) {
  for (int round = 0; round < 20; ++round) {
    MemorySink sink;
    PutOptions once;
    once.if_none_match = true;
    std::atomic<int> winners{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        auto w = sink.Open("k", once);
        std::string v(1, static_cast<char>('A' + t));
        if (!(*w)->Write(v.data(), 1)) return;
        if ((*w)->Finish()) ++winners;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(winners.load(), 1);
  }
}

TEST(MemorySink, RejectsBadKeys) {
  MemorySink sink;
  for (std::string bad : {"", "/abs", "../x", "a/../b"}) {
    auto w = sink.Open(bad, {});
    ASSERT_FALSE(w) << bad;
    EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(ManualClock, DefaultStartAndMovement) {
  ManualClock clock;
  EXPECT_EQ(::ccrec::detail::ToEpochMs(clock.Now()), 1793491200000) << "2026-11-01T00:00:00Z";
  clock.Advance(milliseconds(1500));
  EXPECT_EQ(::ccrec::detail::ToEpochMs(clock.Now()), 1793491201500);
  clock.Set(::ccrec::detail::FromEpochMs(42));
  EXPECT_EQ(::ccrec::detail::ToEpochMs(clock.Now()), 42);
  ManualClock at(::ccrec::detail::FromEpochMs(7));
  EXPECT_EQ(::ccrec::detail::ToEpochMs(at.Now()), 7);
}

TEST(ManualSleeper, AdvancesClockAndRecords) {
  auto clock = std::make_shared<ManualClock>();
  ManualSleeper sleeper(clock);
  auto start = clock->Now();
  CancellationToken token;
  EXPECT_TRUE(sleeper.SleepFor(milliseconds(250), token));
  EXPECT_TRUE(sleeper.SleepFor(milliseconds(1000), token));
  EXPECT_EQ(clock->Now() - start, milliseconds(1250));
  EXPECT_EQ(sleeper.Sleeps(), (std::vector<milliseconds>{milliseconds(250), milliseconds(1000)}));
  EXPECT_EQ(sleeper.Total(), milliseconds(1250));
  token.Cancel();
  EXPECT_FALSE(sleeper.SleepFor(milliseconds(5000), token));
  EXPECT_EQ(clock->Now() - start, milliseconds(1250)) << "a cancelled sleep does not advance time";
  EXPECT_EQ(sleeper.Sleeps().size(), 2u);
}

TEST(ManualSleeper, WithoutClock) {
  ManualSleeper sleeper;
  EXPECT_TRUE(sleeper.SleepFor(milliseconds(10), CancellationToken()));
  EXPECT_EQ(sleeper.Total(), milliseconds(10));
}

}  // namespace
}  // namespace ccrec
