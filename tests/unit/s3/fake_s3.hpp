// SPDX-License-Identifier: Apache-2.0
#pragma once
// A strict in-memory S3 behind ccrec::testing::FakeHttpTransport, for the sink's unit tests.
// It checks every request like S3 does — SigV4 signature (re-computed with the test's
// credentials), x-amz-content-sha256 against the body, Content-MD5, x-amz-checksum-* — and
// implements PutObject, HeadObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload
// and AbortMultipartUpload. Faults are injected per request through `fault`.

#include <ccrec/s3/sigv4.hpp>
#include <ccrec/testing/fake_http_transport.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "internal/xml.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ccrec_test {

struct StoredObject {
  std::string data;
  ccrec::HttpHeaders headers;  // request headers of the PUT / Create
  std::string etag;            // with quotes
};

struct Upload {
  std::string key;
  ccrec::HttpHeaders headers;
  std::map<int, std::string> parts;       // part number -> data
  std::map<int, std::string> part_etags;  // with quotes
};

struct InjectedResponse {
  InjectedResponse(int s, std::string b, ccrec::HttpHeaders h = {})
      : status(s), body(std::move(b)), headers(std::move(h)) {}
  int status;
  std::string body;
  ccrec::HttpHeaders headers;
};

inline std::string ErrorXml(std::string const& code, std::string const& message = "msg",
                            std::string const& request_id = "REQ123", std::string const& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message +
         "</Message>" + extra + "<RequestId>" + request_id + "</RequestId><HostId>h</HostId></Error>";
}

class FakeS3 {
 public:
  /// `prefix_url` is the scheme://host[:port] + "/bucket" (path style) or scheme://bucket.host.
  FakeS3(std::shared_ptr<ccrec::testing::FakeHttpTransport> transport, ccrec::s3::AwsCredentials credentials,
         std::string region = "us-east-1")
      : transport_(std::move(transport)), credentials_(std::move(credentials)), region_(std::move(region)) {
    transport_->Route("", "", [this](ccrec::testing::RecordedRequest const& r) { return Handle(r); });
  }

  /// Called first for every request; return a response to inject it instead of normal handling.
  std::function<std::optional<InjectedResponse>(ccrec::testing::RecordedRequest const&)> fault;
  /// Called after a successful UploadPart is stored (e.g. to observe concurrency).
  std::function<void(int part_number)> on_part;
  /// When set, returned as the ETag of PutObject/UploadPart instead of the MD5.
  std::optional<std::string> forced_etag;
  /// False: behave like a store without flexible-checksum support, which ignores
  /// x-amz-checksum-* headers (neither verified nor echoed) and returns no composite checksum.
  bool flexible_checksums = true;
  /// Complete the next multipart upload but answer 500 (a response lost after success).
  bool lose_next_complete_response = false;

  std::optional<StoredObject> Object(std::string const& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t ObjectCount() const {
    std::lock_guard<std::mutex> lock(mu_);
    return objects_.size();
  }
  std::size_t OpenUploads() const {
    std::lock_guard<std::mutex> lock(mu_);
    return uploads_.size();
  }
  int Aborts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return aborts_;
  }
  int SignatureFailures() const {
    std::lock_guard<std::mutex> lock(mu_);
    return signature_failures_;
  }
  void PutRaw(std::string const& key, std::string data, ccrec::HttpHeaders headers = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    auto etag = "\"" + ccrec::detail::HexEncode(ccrec::detail::Md5Raw(data)) + "\"";
    objects_[key] = StoredObject{std::move(data), std::move(headers), etag};
  }

 private:
  static ccrec::Result<ccrec::HttpResponse> Reply(int status, std::string body, ccrec::HttpHeaders headers = {}) {
    headers.emplace_back("x-amz-request-id", "FAKE-REQ");
    return ccrec::testing::MakeResponse(status, std::move(body), std::move(headers));
  }

  // Re-computes the signature from what was sent; nullopt when it matches.
  std::optional<std::string> CheckSignature(ccrec::testing::RecordedRequest const& r,
                                            ccrec::detail::ParsedUrl const& url) {
    auto auth = r.Header("authorization");
    auto date = r.Header("x-amz-date");
    auto sha = r.Header("x-amz-content-sha256");
    if (!auth || !date || !sha) return std::string("missing Authorization, x-amz-date or x-amz-content-sha256");
    ccrec::s3::SigV4Request s;
    s.method = r.method;
    s.host = url.port ? url.host + ":" + std::to_string(url.port) : url.host;
    s.path = url.path;
    s.path_is_encoded = true;
    s.query = ccrec::detail::ParseQuery(url.query);
    // Only the headers named in SignedHeaders are part of the signature.
    auto sh_pos = auth->find("SignedHeaders=");
    auto sh_end = auth->find(',', sh_pos);
    auto signed_list = ";" + auth->substr(sh_pos + 14, sh_end - sh_pos - 14) + ";";
    for (auto const& h : r.headers) {
      std::string lower;
      for (char c : h.first) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (signed_list.find(";" + lower + ";") != std::string::npos) s.headers.push_back(h);
    }
    s.payload_hash = *sha;
    ccrec::s3::SigV4Options o;
    o.region = region_;
    o.time = *ccrec::detail::ParseAmzDate(*date);
    auto creds = credentials_;
    auto sig = ccrec::s3::SignRequest(s, creds, o);
    if (!sig) return sig.error().message;
    if (sig->authorization != *auth) return "expected " + sig->authorization + " got " + *auth;
    if (signed_list.find(";content-md5;") == std::string::npos && r.Header("content-md5")) {
      return std::string("Content-MD5 sent but not signed");
    }
    return std::nullopt;
  }

  ccrec::Result<ccrec::HttpResponse> Handle(ccrec::testing::RecordedRequest const& r) {
    if (fault) {
      if (auto injected = fault(r)) return Reply(injected->status, injected->body, injected->headers);
    }
    auto url = ccrec::detail::ParseUrl(r.url);
    if (!url) return Reply(400, ErrorXml("InvalidURI"));
    if (auto bad = CheckSignature(r, *url)) {
      std::lock_guard<std::mutex> lock(mu_);
      ++signature_failures_;
      return Reply(403, ErrorXml("SignatureDoesNotMatch", *bad));
    }
    auto const sha = *r.Header("x-amz-content-sha256");
    if (sha != ccrec::s3::kUnsignedPayload && sha != ccrec::detail::Sha256Hex(r.body)) {
      return Reply(400, ErrorXml("XAmzContentSHA256Mismatch"));
    }
    if (auto md5 = r.Header("content-md5")) {
      if (*md5 != ccrec::detail::Base64Encode(ccrec::detail::Md5Raw(r.body))) return Reply(400, ErrorXml("BadDigest"));
    }
    if (auto c = flexible_checksums ? r.Header("x-amz-checksum-crc32c") : std::nullopt) {
      auto crc = ccrec::detail::Crc32c(0, r.body.data(), r.body.size());
      char raw[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
                     static_cast<char>(crc)};
      if (*c != ccrec::detail::Base64Encode(std::string(raw, 4))) return Reply(400, ErrorXml("BadDigest"));
    }
    if (auto c = flexible_checksums ? r.Header("x-amz-checksum-sha256") : std::nullopt) {
      if (*c != ccrec::detail::Base64Encode(ccrec::detail::Sha256Raw(r.body))) {
        return Reply(400, ErrorXml("BadDigest"));
      }
    }
    auto const key = KeyOf(url->path);
    auto query = ccrec::detail::ParseQuery(url->query);
    auto q = [&](char const* name) -> std::optional<std::string> {
      for (auto const& p : query) {
        if (p.first == name) return p.second;
      }
      return std::nullopt;
    };
    std::lock_guard<std::mutex> lock(mu_);
    if (r.method == "HEAD") {
      auto it = objects_.find(key);
      if (it == objects_.end()) return Reply(404, "");
      ccrec::HttpHeaders h = {{"ETag", it->second.etag}, {"Content-Length", std::to_string(it->second.data.size())}};
      for (auto const& m : it->second.headers) {
        if (m.first.rfind("x-amz-meta-", 0) == 0) h.push_back(m);
      }
      return Reply(200, "", h);
    }
    if (r.method == "PUT" && q("partNumber")) {
      auto up = uploads_.find(*q("uploadId"));
      if (up == uploads_.end()) return Reply(404, ErrorXml("NoSuchUpload"));
      int n = std::stoi(*q("partNumber"));
      up->second.parts[n] = r.body;
      auto etag = forced_etag ? *forced_etag
                              : "\"" + ccrec::detail::HexEncode(ccrec::detail::Md5Raw(r.body)) + "\"";
      up->second.part_etags[n] = etag;
      ccrec::HttpHeaders h = {{"ETag", etag}};
      if (flexible_checksums) {
        if (auto c = r.Header("x-amz-checksum-crc32c")) h.emplace_back("x-amz-checksum-crc32c", *c);
        if (auto c = r.Header("x-amz-checksum-sha256")) h.emplace_back("x-amz-checksum-sha256", *c);
      }
      if (on_part) {
        mu_.unlock();
        on_part(n);
        mu_.lock();
      }
      return Reply(200, "", h);
    }
    if (r.method == "PUT") {
      if (r.Header("if-none-match") && objects_.count(key)) return Reply(412, ErrorXml("PreconditionFailed"));
      auto etag = forced_etag ? *forced_etag
                              : "\"" + ccrec::detail::HexEncode(ccrec::detail::Md5Raw(r.body)) + "\"";
      objects_[key] = StoredObject{r.body, r.headers, etag};
      ccrec::HttpHeaders h = {{"ETag", etag}};
      if (flexible_checksums) {
        if (auto c = r.Header("x-amz-checksum-crc32c")) h.emplace_back("x-amz-checksum-crc32c", *c);
        if (auto c = r.Header("x-amz-checksum-sha256")) h.emplace_back("x-amz-checksum-sha256", *c);
      }
      return Reply(200, "", h);
    }
    if (r.method == "POST" && q("uploads")) {
      auto id = "upload-" + std::to_string(++next_upload_);
      uploads_[id] = Upload{key, r.headers, {}, {}};
      ccrec::detail::xml::Writer answer("InitiateMultipartUploadResult");
      answer.Root().Child("Bucket", "b");
      answer.Root().Child("Key", key);
      answer.Root().Child("UploadId", id);
      return Reply(200, "<?xml version=\"1.0\"?>" + answer.ToString());
    }
    if (r.method == "POST" && q("uploadId")) {
      auto up = uploads_.find(*q("uploadId"));
      if (up == uploads_.end()) return Reply(404, ErrorXml("NoSuchUpload"));
      auto body = ccrec::detail::xml::Document::Parse(r.body, "CompleteMultipartUpload body");
      if (!body || body->RootName() != "CompleteMultipartUpload") return Reply(400, ErrorXml("MalformedXML"));
      auto const parts = body->ChildTexts("Part");
      if (parts.empty()) return Reply(400, ErrorXml("MalformedXML"));
      std::string data;
      std::string md5s;
      int prev = 0;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        auto number = parts[i].find("PartNumber");
        auto etag = parts[i].find("ETag");
        if (number == parts[i].end() || etag == parts[i].end()) return Reply(400, ErrorXml("MalformedXML"));
        int n = std::stoi(number->second);
        if (n <= prev) return Reply(400, ErrorXml("InvalidPartOrder"));
        prev = n;
        auto p = up->second.parts.find(n);
        if (p == up->second.parts.end() || up->second.part_etags[n] != etag->second) {
          return Reply(400, ErrorXml("InvalidPart"));
        }
        if (i + 1 < parts.size() && p->second.size() < (5u << 20)) return Reply(400, ErrorXml("EntityTooSmall"));
        data += p->second;
        md5s += ccrec::detail::Md5Raw(p->second);
      }
      if (r.Header("if-none-match") && objects_.count(up->second.key)) {
        return Reply(412, ErrorXml("PreconditionFailed"));
      }
      auto etag = "\"" + ccrec::detail::HexEncode(ccrec::detail::Md5Raw(md5s)) + "-" +
                  std::to_string(parts.size()) + "\"";
      objects_[up->second.key] = StoredObject{data, up->second.headers, etag};
      auto const crcs = body->Texts("ChecksumCRC32C");
      uploads_.erase(up);
      if (lose_next_complete_response) {
        lose_next_complete_response = false;
        return Reply(500, ErrorXml("InternalError"));
      }
      ccrec::detail::xml::Writer answer("CompleteMultipartUploadResult");
      for (auto const& [name, text] : {std::pair<char const*, std::string>{"Location", "l"}, {"Bucket", "b"}, {"Key", "k"},
                                       {"ETag", etag}}) {
        answer.Root().Child(name, text);
      }
      if (!crcs.empty() && flexible_checksums) {
        answer.Root().Child("ChecksumCRC32C", "composite-" + std::to_string(crcs.size()));
      }
      return Reply(200, "<?xml version=\"1.0\"?>\n\n" + answer.ToString());
    }
    if (r.method == "DELETE" && q("uploadId")) {
      ++aborts_;
      auto up = uploads_.find(*q("uploadId"));
      if (up == uploads_.end()) return Reply(404, ErrorXml("NoSuchUpload"));
      uploads_.erase(up);
      return Reply(204, "");
    }
    return Reply(405, ErrorXml("MethodNotAllowed"));
  }

  // Path-style URLs in these tests: "/<bucket>/<key>" → key (decoded).
  static std::string KeyOf(std::string const& path) {
    auto slash = path.find('/', 1);
    if (slash == std::string::npos) return "";
    return ccrec::detail::PercentDecode(path.substr(slash + 1));
  }

  std::shared_ptr<ccrec::testing::FakeHttpTransport> transport_;
  ccrec::s3::AwsCredentials credentials_;
  std::string region_;
  mutable std::mutex mu_;
  std::map<std::string, StoredObject> objects_;
  std::map<std::string, Upload> uploads_;
  int next_upload_ = 0;
  int aborts_ = 0;
  int signature_failures_ = 0;
};

}  // namespace ccrec_test
