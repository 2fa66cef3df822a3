// SPDX-License-Identifier: Apache-2.0
// STS AssumeRole / AssumeRoleWithWebIdentity over the HttpTransport (sts.hpp).
#include "s3/sts.hpp"

#include <ccrec/s3/sigv4.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "s3/aws_config.hpp"
#include "s3/credential_http.hpp"
#include "s3/s3_error.hpp"
#include "s3/s3_xml.hpp"

namespace ccrec::s3::detail {

std::string StsRegion(StsOptions const& options) {
  if (!options.region.empty()) return options.region;
  auto r = Env("AWS_REGION");
  if (r.empty()) r = Env("AWS_DEFAULT_REGION");
  return r.empty() ? "us-east-1" : r;
}

Result<std::string> StsEndpoint(StsOptions const& options) {
  std::string endpoint = options.endpoint;
  char const* source = "StsOptions::endpoint";
  if (endpoint.empty()) {
    endpoint = Env("AWS_ENDPOINT_URL_STS");
    source = "AWS_ENDPOINT_URL_STS";
  }
  if (endpoint.empty()) {
    endpoint = Env("AWS_ENDPOINT_URL");
    source = "AWS_ENDPOINT_URL";
  }
  if (endpoint.empty()) return "https://sts." + StsRegion(options) + ".amazonaws.com";
  auto url = ::ccrec::detail::ParseUrl(endpoint);
  if (!url) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("STS endpoint from ") + source + " \"" + RedactUrl(endpoint) + "\" is not an http(s) URL");
  }
  if (url->scheme != "https" && !IsLoopbackHost(url->host)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string("STS endpoint from ") + source + " \"" + RedactUrl(endpoint) +
                         "\" must be https (http only to a loopback address): it returns credentials");
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

std::string DefaultSessionName(Clock const& clock) {
  auto const secs = std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
  return "ccrec-" + std::to_string(secs);
}

Result<AwsCredentials> ParseStsCredentials(int status, std::string const& body, std::string const& what,
                                           std::vector<std::string_view> const& known_secrets) {
  auto doc = xml::Document::Parse(body, what + " answer");
  if (status < 200 || status >= 300) {
    Error e;
    e.http_status = status;
    e.code = status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kUnauthenticated;
    std::string detail;
    if (doc) {
      if (auto code = doc->Text("Code")) e.vendor_code = ServerText(*code, known_secrets);
      if (auto id = doc->Text("RequestId")) e.request_id = ServerText(*id, known_secrets);
      if (auto msg = doc->Text("Message")) detail = ": " + ServerText(*msg, known_secrets);
    }
    e.message = what + " failed with HTTP " + std::to_string(status) +
                (e.vendor_code.empty() ? "" : " " + e.vendor_code) + detail +
                " (check the role ARN, the role's trust policy and the source credentials)";
    return e;
  }
  if (!doc) return doc.error();
  if (!doc->Has("Credentials")) return MakeError(ErrorCode::kParse, what + ": the answer has no Credentials element");
  auto fields = doc->ChildTexts("Credentials");
  auto const& f = fields.at(0);
  auto get = [&](char const* k) {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second;
  };
  AwsCredentials c;
  c.access_key_id = get("AccessKeyId");
  c.secret_access_key = get("SecretAccessKey");
  c.session_token = get("SessionToken");
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty()) {
    return MakeError(ErrorCode::kParse, what + ": the answer lacks AccessKeyId, SecretAccessKey or SessionToken");
  }
  auto exp = get("Expiration");
  auto t = ::ccrec::detail::ParseTimeArg(exp);
  if (!t) return MakeError(ErrorCode::kParse, what + ": malformed or missing Expiration \"" + ServerText(exp) + "\"");
  c.expiration = *t;
  return c;
}

Result<AwsCredentials> CallSts(StsOptions const& options, std::string const& action,
                               std::vector<std::pair<std::string, std::string>> const& params,
                               std::optional<AwsCredentials> const& signer, CallContext const& ctx,
                               std::vector<std::string> const& known_secrets) {
  std::string const what = "STS " + action;
  auto endpoint = StsEndpoint(options);
  if (!endpoint) return endpoint.error();
  auto url = ::ccrec::detail::ParseUrl(*endpoint);
  if (!url) return MakeError(ErrorCode::kInvalidArgument, what + ": malformed endpoint");
  ::ccrec::detail::QueryParams form{{"Action", action}, {"Version", "2011-06-15"}};
  form.insert(form.end(), params.begin(), params.end());
  HttpRequest req;
  req.method = "POST";
  std::string const path = (url->path == "/" ? std::string() : url->path) + "/";
  req.url = url->Origin() + path;
  req.timeout = options.timeout;
  std::string const body = ::ccrec::detail::FormEncode(form);
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  req.headers.emplace_back("Accept", "application/xml");
  if (signer) {
    SigV4Request sreq;
    sreq.method = "POST";
    sreq.host = url->Authority();
    sreq.path = path;
    sreq.path_is_encoded = true;
    sreq.headers = req.headers;
    sreq.payload_hash = ::ccrec::detail::Sha256Hex(body);
    SigV4Options so;
    so.region = StsRegion(options);
    so.service = "sts";
    so.time = (options.clock ? options.clock : MakeSystemClock())->Now();
    so.path_mode = PathMode::kGeneric;
    so.add_content_sha256_header = false;
    auto sig = SignRequest(sreq, *signer, so);
    if (!sig) {
      Error e = sig.error();
      e.message = what + ": signing with the source credentials: " + e.message;
      return e;
    }
    for (auto const& h : sig->headers_to_add) req.headers.push_back(h);
  }
  std::vector<std::string_view> masked(known_secrets.begin(), known_secrets.end());
  if (signer) {
    masked.emplace_back(signer->secret_access_key);
    masked.emplace_back(signer->session_token);
  }
  auto transport = options.transport;
  if (!transport) return MakeError(ErrorCode::kInternal, what + ": no transport");
  std::string const where = what + " (" + RedactUrl(req.url) + ")";
  return SendCredentialRequest(
      *transport, ctx, options.max_attempts, 256 * 1024, where,
      [&]() -> HttpRequest const& {
        req.body = MakeStringBody(body);  // a body is consumed by sending it
        return req;
      },
      [&](CredentialAnswer answer) { return ParseStsCredentials(answer.status, answer.body, where, masked); });
}

}  // namespace ccrec::s3::detail
