// SPDX-License-Identifier: Apache-2.0
// Every case of the AWS SigV4 test suite (tests/data/aws4_testsuite, from botocore), compared
// byte-for-byte: canonical request (.creq), string to sign (.sts), Authorization (.authz).
#include <ccrec/s3/sigv4.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace {

using ccrec::HttpHeaders;
using namespace ccrec::s3;

std::string const kSuiteDir = CCREC_TEST_DATA_DIR "/aws4_testsuite";
std::string const kSuiteToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
std::string const kStsToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
    "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE"
    "8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2"
    "ICCR/oLxBA==";

// All 34 cases, listed explicitly so that a missing file fails instead of silently shrinking the suite.
std::vector<std::string> const kCases = {
    "get-header-key-duplicate",
    "get-header-value-multiline",
    "get-header-value-order",
    "get-header-value-trim",
    "get-unreserved",
    "get-utf8",
    "get-vanilla",
    "get-vanilla-empty-query-key",
    "get-vanilla-query",
    "get-vanilla-query-order-encoded",
    "get-vanilla-query-order-key",
    "get-vanilla-query-order-key-case",
    "get-vanilla-query-order-value",
    "get-vanilla-query-unreserved",
    "get-vanilla-utf8-query",
    "get-vanilla-with-session-token",
    "post-header-key-case",
    "post-header-key-sort",
    "post-header-value-case",
    "post-vanilla",
    "post-vanilla-empty-query-value",
    "post-vanilla-query",
    "post-x-www-form-urlencoded",
    "post-x-www-form-urlencoded-parameters",
    "normalize-path/get-relative",
    "normalize-path/get-relative-relative",
    "normalize-path/get-slash",
    "normalize-path/get-slash-dot-slash",
    "normalize-path/get-slash-pointless-dot",
    "normalize-path/get-slashes",
    "normalize-path/get-space",
    "normalize-path/get-special-character",
    "post-sts-token/post-sts-header-after",
    "post-sts-token/post-sts-header-before",
};

std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string CaseFile(std::string const& c, char const* ext) {
  auto base = c.substr(c.find_last_of('/') == std::string::npos ? 0 : c.find_last_of('/') + 1);
  return kSuiteDir + "/" + c + "/" + base + ext;
}

// A .req parsed into the signer's structured input.
struct ParsedReq {
  std::string method;
  std::string path;  // as written in the request line (may contain raw spaces / UTF-8)
  std::vector<std::pair<std::string, std::string>> query;
  HttpHeaders headers;
  std::string body;
};

ParsedReq ParseReq(std::string const& text) {
  ParsedReq r;
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  // Request line: METHOD <target, may contain spaces> HTTP/1.1
  auto const& rl = lines.at(0);
  auto sp = rl.find(' ');
  auto http = rl.rfind(" HTTP/");
  r.method = rl.substr(0, sp);
  auto target = rl.substr(sp + 1, http - sp - 1);
  auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    auto qs = target.substr(q + 1);
    std::size_t s = 0;
    while (s <= qs.size()) {
      auto amp = qs.find('&', s);
      auto part = qs.substr(s, amp == std::string::npos ? std::string::npos : amp - s);
      if (!part.empty()) {
        auto eq = part.find('=');
        auto name = part.substr(0, eq);
        auto value = eq == std::string::npos ? std::string() : part.substr(eq + 1);
        r.query.emplace_back(ccrec::detail::PercentDecode(name), ccrec::detail::PercentDecode(value));
      }
      if (amp == std::string::npos) break;
      s = amp + 1;
    }
  }
  std::size_t i = 1;
  for (; i < lines.size(); ++i) {
    auto const& line = lines[i];
    if (line.empty()) {
      ++i;
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      r.headers.back().second += "\n" + line;  // folded continuation line
      continue;
    }
    auto colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  for (std::size_t j = i; j < lines.size(); ++j) {
    if (j > i) r.body += "\n";
    r.body += lines[j];
  }
  return r;
}

AwsCredentials SuiteCredentials() {
  AwsCredentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return c;
}

SigV4Options SuiteOptions() {
  SigV4Options o;
  o.region = "us-east-1";
  o.service = "service";
  o.time = *ccrec::detail::ParseAmzDate("20150830T123600Z");
  o.path_mode = PathMode::kGeneric;
  o.add_content_sha256_header = false;
  return o;
}

SigV4Request ToRequest(ParsedReq const& p) {
  SigV4Request r;
  r.method = p.method;
  r.path = p.path;
  r.path_is_encoded = true;  // the request line is a URL path (decoded, then re-encoded canonically)
  r.query = p.query;
  r.headers = p.headers;
  r.payload_hash = ccrec::detail::Sha256Hex(p.body);
  return r;
}

}  // namespace

class SigV4Suite : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4Suite, MatchesCanonicalRequestStringToSignAndAuthorization) {
  auto const& c = GetParam();
  auto parsed = ParseReq(ReadFile(CaseFile(c, ".req")));
  auto request = ToRequest(parsed);
  auto creds = SuiteCredentials();
  auto options = SuiteOptions();
  if (c == "get-vanilla-with-session-token") creds.session_token = kSuiteToken;
  if (c == "post-sts-token/post-sts-header-after") {
    creds.session_token = kStsToken;
    options.sign_session_token = false;
  }
  auto sig = SignRequest(request, creds, options);
  ASSERT_TRUE(sig) << sig.error().ToString();
  EXPECT_EQ(sig->canonical_request, ReadFile(CaseFile(c, ".creq")));
  EXPECT_EQ(sig->string_to_sign, ReadFile(CaseFile(c, ".sts")));
  EXPECT_EQ(sig->authorization, ReadFile(CaseFile(c, ".authz")));

  // Headers to add: x-amz-date always, never x-amz-content-sha256 in this mode, the token
  // when the credentials carry one (signed or not), Authorization last.
  ASSERT_FALSE(sig->headers_to_add.empty());
  EXPECT_EQ(sig->headers_to_add.front(), (std::pair<std::string, std::string>("x-amz-date", "20150830T123600Z")));
  EXPECT_EQ(sig->headers_to_add.back().first, "Authorization");
  EXPECT_EQ(sig->headers_to_add.back().second, sig->authorization);
  EXPECT_FALSE(ccrec::FindHeader(sig->headers_to_add, "x-amz-content-sha256"));
  EXPECT_EQ(ccrec::FindHeader(sig->headers_to_add, "x-amz-security-token").has_value(),
            !creds.session_token.empty());
}

INSTANTIATE_TEST_SUITE_P(Aws4TestSuite, SigV4Suite, ::testing::ValuesIn(kCases),
                         [](::testing::TestParamInfo<std::string> const& param_info) {
                           std::string name;
                           for (char ch : param_info.param) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

TEST(SigV4SuiteMeta, ListsEveryCaseOnDisk) {
  std::set<std::string> on_disk;
  for (auto const& e : std::filesystem::recursive_directory_iterator(kSuiteDir)) {
    if (e.path().extension() == ".req") {
      auto rel = std::filesystem::relative(e.path().parent_path(), kSuiteDir).generic_string();
      on_disk.insert(rel);
    }
  }
  EXPECT_EQ(on_disk.size(), 34u);
  EXPECT_EQ(on_disk, std::set<std::string>(kCases.begin(), kCases.end()));
}

TEST(SigV4SuiteMeta, SessionTokenCaseSignsTheToken) {
  auto parsed = ParseReq(ReadFile(CaseFile("get-vanilla-with-session-token", ".req")));
  auto creds = SuiteCredentials();
  creds.session_token = kSuiteToken;
  auto sig = SignRequest(ToRequest(parsed), creds, SuiteOptions());
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(sig->signature, "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
  EXPECT_EQ(*ccrec::FindHeader(sig->headers_to_add, "x-amz-security-token"), kSuiteToken);
}

TEST(SigV4SuiteMeta, StsHeaderAfterLeavesTokenUnsigned) {
  auto parsed = ParseReq(ReadFile(CaseFile("post-sts-token/post-sts-header-after", ".req")));
  auto creds = SuiteCredentials();
  creds.session_token = kStsToken;
  auto options = SuiteOptions();
  options.sign_session_token = false;
  auto sig = SignRequest(ToRequest(parsed), creds, options);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->signed_headers, "host;x-amz-date");
  EXPECT_EQ(*ccrec::FindHeader(sig->headers_to_add, "x-amz-security-token"), kStsToken);
  // The .sreq (signed request) carries exactly this Authorization and the token.
  auto sreq = ReadFile(CaseFile("post-sts-token/post-sts-header-after", ".sreq"));
  EXPECT_NE(sreq.find("Authorization: " + sig->authorization), std::string::npos);
  EXPECT_NE(sreq.find("X-Amz-Security-Token:" + kStsToken), std::string::npos);
}

// S3 does not normalise paths: the same requests give a different canonical URI in S3 mode.
TEST(SigV4SuiteMeta, NormalizePathCasesDifferInS3Mode) {
  struct Case {
    char const* name;
    char const* s3_uri;
  };
  Case const cases[] = {
      {"normalize-path/get-relative", "/example/.."},
      {"normalize-path/get-relative-relative", "/example1/example2/../.."},
      {"normalize-path/get-slash", "//"},
      {"normalize-path/get-slash-dot-slash", "/./"},
      {"normalize-path/get-slash-pointless-dot", "/./example"},
      {"normalize-path/get-slashes", "//example//"},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = ParseReq(ReadFile(CaseFile(c.name, ".req")));
    auto options = SuiteOptions();
    options.path_mode = PathMode::kS3;
    auto s3 = SignRequest(ToRequest(parsed), SuiteCredentials(), options);
    ASSERT_TRUE(s3);
    EXPECT_EQ(s3->canonical_uri, c.s3_uri);
    auto generic = SignRequest(ToRequest(parsed), SuiteCredentials(), SuiteOptions());
    ASSERT_TRUE(generic);
    EXPECT_NE(s3->canonical_uri, generic->canonical_uri);
    EXPECT_NE(s3->canonical_request, ReadFile(CaseFile(c.name, ".creq")));
  }
  // Encoding-only cases are identical in both modes (single encoding, as S3 does).
  for (char const* name : {"normalize-path/get-space", "normalize-path/get-special-character", "get-utf8",
                           "get-unreserved"}) {
    SCOPED_TRACE(name);
    auto parsed = ParseReq(ReadFile(CaseFile(name, ".req")));
    auto options = SuiteOptions();
    options.path_mode = PathMode::kS3;
    auto s3 = SignRequest(ToRequest(parsed), SuiteCredentials(), options);
    ASSERT_TRUE(s3);
    EXPECT_EQ(s3->canonical_request, ReadFile(CaseFile(name, ".creq")));
  }
}
