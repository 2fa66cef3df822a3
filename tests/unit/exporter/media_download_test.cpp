// SPDX-License-Identifier: Apache-2.0
// Issue 11 item 8: resumed downloads are byte-exact. Media requests send Accept-Encoding:
// identity and If-Range; encoded bodies, short or misplaced 206s and changed objects are never
// stored as the recording. The opener sends real requests through FakeHttpTransport (as a FACE or
// Huawei opener does: ctx.extra_headers + Range), answered by a scripted S3-like server.

#include "exporter_test_util.hpp"

#include "exporter/media_download.hpp"

#include <ccrec/exporter/exporter.hpp>

#include <gtest/gtest.h>

namespace exporter_test {
namespace {

using ccrec::HttpHeaders;
using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;
using ccrec::exporter::ExportSummary;
using ccrec::exporter::detail::ContentRange;
using ccrec::exporter::detail::ParseContentRange;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::ManualSleeper;
using ccrec::testing::MemorySink;
using ccrec::testing::RecordedRequest;

constexpr char kUrl[] = "https://media.example.com/rec/r1.wav";
constexpr char kKey[] = "call-detail/t1/r1.wav";

/// One stored object, served like S3 serves it.
struct Object {
  std::string data;
  std::string etag = "\"v1\"";
  std::string last_modified = "Sun, 01 Nov 2026 00:00:00 GMT";
};

/// Answers `r` for `obj`: Range honoured, If-Range compared with the ETag (or Last-Modified)
/// (mismatch: 200 with the whole object), the body cut after `drop_after` bytes if set.
Result<HttpResponse> Serve(Object const& obj, RecordedRequest const& r, std::optional<std::size_t> drop_after = {},
                           bool honour_if_range = true) {
  std::size_t start = 0;
  int status = 200;
  HttpHeaders headers;
  if (!obj.etag.empty()) headers.emplace_back("ETag", obj.etag);
  if (!obj.last_modified.empty()) headers.emplace_back("Last-Modified", obj.last_modified);
  auto range = r.Header("Range");
  auto if_range = r.Header("If-Range");
  bool const if_range_ok = !if_range || !honour_if_range || *if_range == obj.etag || *if_range == obj.last_modified;
  if (range && if_range_ok) {
    start = static_cast<std::size_t>(std::stoull(range->substr(6)));
    status = 206;
    headers.emplace_back("Content-Range", "bytes " + std::to_string(start) + "-" + std::to_string(obj.data.size() - 1) +
                                              "/" + std::to_string(obj.data.size()));
  }
  std::string body = obj.data.substr(start);
  headers.emplace_back("Content-Length", std::to_string(body.size()));
  HttpResponse out;
  out.status = status;
  out.headers = std::move(headers);
  std::optional<Error> fail;
  if (drop_after) {
    body.resize(std::min(body.size(), *drop_after));
    fail = Dropped();
  }
  out.body = ccrec::testing::MakeStringBodyReader(std::move(body), 1000, std::move(fail));
  return out;
}

/// A response with exactly these headers and body (Content-Length added unless given).
Result<HttpResponse> Raw(int status, std::string body, HttpHeaders headers) {
  if (!ccrec::FindHeader(headers, "Content-Length")) headers.emplace_back("Content-Length", std::to_string(body.size()));
  HttpResponse out;
  out.status = status;
  out.headers = std::move(headers);
  out.body = ccrec::testing::MakeStringBodyReader(std::move(body), 1000);
  return out;
}

class MediaDownloadTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeHttpTransport> transport = std::make_shared<FakeHttpTransport>();
  std::shared_ptr<MemorySink> memory = std::make_shared<MemorySink>();
  std::shared_ptr<ManualSleeper> sleeper = std::make_shared<ManualSleeper>();
  std::shared_ptr<FakeSource> source = std::make_shared<FakeSource>();

  MediaDownloadTest() {
    ExportItem item;
    item.source = "fake";
    item.task_id = "t1";
    item.recording_id = "r1";
    item.key_fields.task_id = "t1";
    item.key_fields.recording_id = "r1";
    item.key_fields.file_name = "r1.wav";
    item.metadata_json = "{}";
    auto t = transport;
    item.open = [t](CallContext const& ctx, std::uint64_t offset) -> Result<HttpResponse> {
      ccrec::HttpRequest request;
      request.url = kUrl;
      request.headers = ctx.extra_headers;
      if (offset > 0) request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-");
      return t->Send(request, ctx);
    };
    source->items.push_back(std::move(item));
  }

  ExportSummary Run(int attempts = 5) {
    ExporterOptions o;
    o.concurrency = 1;
    o.sleeper = sleeper;
    o.copy_buffer_bytes = 4096;
    o.download_attempts = attempts;
    o.write_sidecars = false;
    Exporter exporter(source, memory, ccrec::exporter::Manifest::Null(), std::move(o));
    return exporter.Run();
  }

  std::vector<RecordedRequest> Requests() const { return transport->Requests(); }
  std::optional<std::string> Stored() const { return memory->Get(kKey); }
};

TEST_F(MediaDownloadTest, EveryMediaRequestAsksForIdentityEncoding) {
  Object obj{Bytes(20000)};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 5000); });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  EXPECT_EQ(Run().exported, 1u);
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 2u);
  for (auto const& r : requests) EXPECT_EQ(r.Header("Accept-Encoding"), "identity");
  EXPECT_FALSE(requests[0].Header("If-Range")) << "a first request is not conditional";
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, EncodedBodyFailsTheItemAndIsNeverStored) {
  transport->Enqueue([](RecordedRequest const&) {
    return Raw(200, "\x1f\x8b compressed", {{"Content-Encoding", "gzip"}, {"ETag", "\"v1\""}});
  });
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(Stored());
  EXPECT_EQ(Requests().size(), 1u) << "the server ignored identity once; it will again: not retried";
  EXPECT_TRUE(sleeper->Sleeps().empty());

  // "identity" (any case) and an empty value are the plain bytes.
  memory = std::make_shared<MemorySink>();
  transport->Enqueue([](RecordedRequest const&) { return Raw(200, "plain", {{"Content-Encoding", " Identity "}}); });
  EXPECT_EQ(Run().exported, 1u);
  EXPECT_EQ(Stored(), "plain");
}

// Repeated Content-Encoding headers are one list (RFC 9110 §5.3): "identity" first does not
// hide a "gzip" after it, and the encoded bytes are never stored.
TEST_F(MediaDownloadTest, EveryContentEncodingHeaderIsChecked) {
  transport->Enqueue([](RecordedRequest const&) {
    return Raw(200, "\x1f\x8b compressed",
               {{"Content-Encoding", "identity"}, {"Content-Encoding", "gzip"}, {"ETag", "\"v1\""}});
  });
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(Stored());
}

// A 206 without Content-Range does not say where its bytes start (RFC 9110 §15.3.7 requires the
// header): never appended to what was written; the download starts over from byte 0.
TEST_F(MediaDownloadTest, PartialResponseWithoutContentRangeRestartsFromByteZero) {
  Object obj{Bytes(20000)};
  transport->Enqueue([&](RecordedRequest const&) -> Result<HttpResponse> {
    HttpResponse out;  // chunked (no Content-Length, so no total to check against), cut after 5000 bytes
    out.status = 200;
    out.headers = {{"ETag", obj.etag}};
    out.body = ccrec::testing::MakeStringBodyReader(obj.data.substr(0, 5000), 1000, Dropped());
    return out;
  });
  transport->Enqueue([&](RecordedRequest const&) {  // the object from byte 0, labelled partial
    return Raw(206, obj.data, {{"ETag", obj.etag}});
  });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  EXPECT_EQ(Run().exported, 1u);
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].Header("Range"), "bytes=5000-");
  EXPECT_FALSE(requests[2].Header("Range")) << "started over";
  EXPECT_TRUE(Stored() == obj.data) << "the head appended twice";
}

TEST_F(MediaDownloadTest, ResumeSendsIfRangeWithTheStrongETag) {
  Object obj{Bytes(20000)};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 5000); });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 3000); });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  EXPECT_EQ(Run().exported, 1u);
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].Header("Range"), "bytes=5000-");
  EXPECT_EQ(requests[1].Header("If-Range"), "\"v1\"");
  EXPECT_EQ(requests[2].Header("Range"), "bytes=8000-");
  EXPECT_EQ(requests[2].Header("If-Range"), "\"v1\"");
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, ResumeUsesLastModifiedWhenThereIsNoStrongETag) {
  Object obj{Bytes(9000)};
  obj.etag = "W/\"weak\"";  // If-Range must not carry a weak ETag (RFC 9110 13.1.5)
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 4000); });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  EXPECT_EQ(Run().exported, 1u);
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].Header("If-Range"), obj.last_modified);
  EXPECT_EQ(requests[1].Header("Range"), "bytes=4000-");
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, WithoutAnyValidatorABrokenDownloadRestartsFromByteZero) {
  Object obj{Bytes(9000), "", ""};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 4000); });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  EXPECT_EQ(Run().exported, 1u);
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[1].Header("Range")) << "nothing proves the rest belongs to the same object";
  EXPECT_FALSE(requests[1].Header("If-Range"));
  EXPECT_EQ(memory->AbortCount(), 1u) << "the partial object is dropped";
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, ObjectChangedDuringTheDownloadIsRestartedNotSpliced) {
  Object v1{Bytes(20000, 1)};
  Object v2{Bytes(20000, 2), "\"v2\""};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(v1, r, 6000); });
  // If-Range "v1" does not match "v2": the server answers 200 with the whole new object.
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(v2, r); });
  EXPECT_EQ(Run().exported, 1u);
  ASSERT_EQ(Requests().size(), 2u);
  auto stored = Stored();
  ASSERT_TRUE(stored);
  EXPECT_TRUE(*stored == v2.data) << "v1's first 6000 bytes spliced onto v2's rest";
  EXPECT_EQ(memory->AbortCount(), 1u);
}

TEST_F(MediaDownloadTest, PartialResponseOfAChangedObjectIsRestartedNotSpliced) {
  Object v1{Bytes(20000, 1)};
  Object v2{Bytes(20000, 2), "\"v2\""};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(v1, r, 6000); });
  // A server that ignores If-Range sends the new object's bytes as a 206.
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(v2, r, std::nullopt, false); });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(v2, r); });
  EXPECT_EQ(Run().exported, 1u);
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_FALSE(requests[2].Header("Range")) << "restarted from byte 0";
  EXPECT_TRUE(Stored() == v2.data);
}

TEST_F(MediaDownloadTest, ServerIgnoringRangeForTheSameObjectIsSkippedLocally) {
  Object obj{Bytes(20000)};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 6000); });
  transport->Enqueue([&](RecordedRequest const&) {  // same ETag, whole body, no Range support
    return Raw(200, obj.data, {{"ETag", obj.etag}});
  });
  EXPECT_EQ(Run().exported, 1u);
  EXPECT_EQ(memory->AbortCount(), 0u);
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, ShortPartialResponseIsResumedNotStoredAsComplete) {
  Object obj{Bytes(5000)};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 1000); });
  // A 206 that stops at byte 1999 of 5000 (exactly as many bytes as its Content-Range says).
  transport->Enqueue([&](RecordedRequest const&) {
    return Raw(206, obj.data.substr(1000, 1000), {{"Content-Range", "bytes 1000-1999/5000"}, {"ETag", obj.etag}});
  });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=5000");
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].Header("Range"), "bytes=2000-");
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, ShortPartialResponsesUntilTheAttemptsRunOutFailTheItem) {
  Object obj{Bytes(5000)};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 1000); });
  transport->Route("GET", kUrl, [&](RecordedRequest const& r) {
    auto from = static_cast<std::size_t>(std::stoull(r.Header("Range").value_or("bytes=0-").substr(6)));
    return Raw(206, obj.data.substr(from, 10),
               {{"Content-Range", "bytes " + std::to_string(from) + "-" + std::to_string(from + 9) + "/5000"}});
  });
  auto summary = Run(3);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(Stored());
}

TEST_F(MediaDownloadTest, PartialResponseWhoseBodyDisagreesWithContentRangeIsResumed) {
  Object obj{Bytes(5000)};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 1000); });
  // Content-Range promises 4000 bytes, Content-Length and the body give 500.
  transport->Enqueue([&](RecordedRequest const&) {
    return Raw(206, obj.data.substr(1000, 500), {{"Content-Range", "bytes 1000-4999/5000"}, {"ETag", obj.etag}});
  });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  EXPECT_EQ(Run().exported, 1u);
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].Header("Range"), "bytes=1000-") << "nothing of the inconsistent answer is kept";
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, PartialResponseWithAnotherTotalRestartsFromByteZero) {
  Object obj{Bytes(5000)};
  Object bigger{Bytes(6000)};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 1000); });
  transport->Enqueue([&](RecordedRequest const&) {  // same ETag (a broken server), other size
    return Raw(206, bigger.data.substr(1000), {{"Content-Range", "bytes 1000-5999/6000"}, {"ETag", obj.etag}});
  });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  EXPECT_EQ(Run().exported, 1u);
  auto requests = Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_FALSE(requests[2].Header("Range"));
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, WholeBodyShorterThanContentLengthIsResumed) {
  Object obj{Bytes(5000)};
  transport->Enqueue([&](RecordedRequest const&) {
    return Raw(200, obj.data.substr(0, 3000), {{"Content-Length", "5000"}, {"ETag", obj.etag}});
  });
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r); });
  EXPECT_EQ(Run().exported, 1u);
  EXPECT_EQ(Requests().at(1).Header("Range"), "bytes=3000-");
  EXPECT_TRUE(Stored() == obj.data);
}

TEST_F(MediaDownloadTest, ConnectionLostAfterTheLastByteNeedsNoFurtherRequest) {
  Object obj{Bytes(5000)};
  transport->Enqueue([&](RecordedRequest const& r) { return Serve(obj, r, 5000); });  // all bytes, then reset
  EXPECT_EQ(Run().exported, 1u);
  EXPECT_EQ(Requests().size(), 1u) << "a Range from the end would be answered 416";
  EXPECT_TRUE(Stored() == obj.data);
}

TEST(ParseContentRange, AcceptsOnlyASatisfiedByteRange) {
  auto r = ParseContentRange("bytes 1000-1999/5000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->start, 1000u);
  EXPECT_EQ(r->end, 1999u);
  EXPECT_EQ(r->total, 5000u);
  EXPECT_TRUE(ParseContentRange("  Bytes 0-0/1 "));
  for (char const* bad : {"", "bytes", "bytes ", "bytes 1-2", "bytes 1-2/", "bytes 1-/5", "bytes -2/5", "bytes */5",
                          "bytes 1-2/*", "items 1-2/5", "bytes 2-1/5", "bytes 0-5/5", "bytes 1-2/5x", "bytes a-b/c",
                          "bytes 1-2/99999999999999999999", "bytes 1--2/5"}) {
    EXPECT_FALSE(ParseContentRange(bad)) << bad;
  }
}

}  // namespace
}  // namespace exporter_test
