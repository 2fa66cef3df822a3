// SPDX-License-Identifier: Apache-2.0
// Secret redaction and the Logger.

#include <ccrec/core/log.hpp>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ccrec {
namespace {

// True when `secret` does not appear in `text`.
::testing::AssertionResult Hidden(std::string const& text, std::string const& secret) {
  if (text.find(secret) == std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << secret << "\" leaked in: " << text;
}

TEST(RedactSecrets, AuthorizationHeader) {
  auto out = RedactSecrets("Authorization: Bearer eyJhbGciOi.secret.sig");
  EXPECT_TRUE(Hidden(out, "eyJhbGciOi"));
  EXPECT_EQ(out.rfind("Authorization:", 0), 0u) << out;
  EXPECT_NE(out.find("***"), std::string::npos);
}

TEST(RedactSecrets, HeaderBlockKeepsOtherHeaders) {
  std::string in =
      "GET /v1/tasks HTTP/1.1\r\nHost: api.example.com\r\nauthorization: Basic dXNlcjpwYXNz\r\n"
      "Cookie: session=abc123; other=def\r\nGuid: 0f1e2d3c-guid-secret\r\nX-Amz-Security-Token: FQoGZXIvYXdzE\r\n"
      "Accept: application/json\r\n";
  auto out = RedactSecrets(in);
  EXPECT_TRUE(Hidden(out, "dXNlcjpwYXNz"));
  EXPECT_TRUE(Hidden(out, "abc123"));
  EXPECT_TRUE(Hidden(out, "def"));
  EXPECT_TRUE(Hidden(out, "0f1e2d3c"));
  EXPECT_TRUE(Hidden(out, "FQoGZXIvYXdzE"));
  EXPECT_NE(out.find("Host: api.example.com\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Accept: application/json\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /v1/tasks HTTP/1.1\r\n"), std::string::npos) << out;
}

TEST(RedactSecrets, HeaderNamesAreCaseInsensitive) {
  for (std::string name : {"AUTHORIZATION", "Proxy-Authorization", "set-cookie", "GUID", "Set-Guid"}) {
    auto out = RedactSecrets(name + ":   s3cr3t-value");
    EXPECT_TRUE(Hidden(out, "s3cr3t")) << name;
  }
}

TEST(RedactSecrets, BearerAndBasicInFreeText) {
  EXPECT_EQ(RedactSecrets("Bearer xyz"), "Bearer ***");
  EXPECT_EQ(RedactSecrets("sending bearer abc.def-ghi_jkl~mno+p/q= now"), "sending bearer *** now");
  EXPECT_TRUE(Hidden(RedactSecrets("auth=Basic dXNlcjpwYXNz"), "dXNlcjpwYXNz"));
}

TEST(RedactSecrets, QueryStringSecrets) {
  std::string in =
      "GET https://api/x?taskId=abc&access_token=AT1&refresh_token=RT1&client_secret=CS1&password=PW1&api_key=AK1"
      "&apiKey=AK2&token=T1&code=C1&client_id=visible";
  auto out = RedactSecrets(in);
  for (auto s : {"AT1", "RT1", "CS1", "PW1", "AK1", "AK2", "T1", "C1"}) EXPECT_TRUE(Hidden(out, s));
  EXPECT_NE(out.find("taskId=abc"), std::string::npos) << out;
  EXPECT_NE(out.find("client_id=visible"), std::string::npos) << out;
  EXPECT_NE(out.find("access_token=***&"), std::string::npos) << out;
}

TEST(RedactSecrets, FormBody) {
  auto out = RedactSecrets("grant_type=refresh_token&client_id=C&client_secret=s%2Bcret&refresh_token=r-123");
  EXPECT_EQ(out, "grant_type=refresh_token&client_id=C&client_secret=***&refresh_token=***");
}

TEST(RedactSecrets, QuotedFormValue) {
  auto out = RedactSecrets("password=\"hunter two\" user=bob");
  EXPECT_TRUE(Hidden(out, "hunter"));
  EXPECT_TRUE(Hidden(out, "two"));
  EXPECT_NE(out.find("user=bob"), std::string::npos) << out;
}

TEST(RedactSecrets, JsonBody) {
  std::string in =
      R"({"access_token":"eyJ.a.b","expires_in":3600,"refresh_token" : "rt\"x\\y","token_type":"Bearer",)"
      R"("client_secret":"cs","password":"pw","apiKey":"ak","taskId":"abc"})";
  auto out = RedactSecrets(in);
  for (auto s : {"eyJ.a.b", "rt\\\"x", "\"cs\"", "\"pw\"", "\"ak\""}) EXPECT_TRUE(Hidden(out, s));
  EXPECT_NE(out.find(R"("access_token":"***")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("refresh_token" : "***")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("expires_in":3600)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("taskId":"abc")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("token_type":"Bearer")"), std::string::npos) << out;
}

TEST(RedactSecrets, TruncatedJsonStringIsMaskedToTheEnd) {
  // A body cut off in the middle of a token must not leak the part that arrived.
  auto out = RedactSecrets(R"({"token_type":"Bearer","access_token":"eyJhbGciOiJSUzI1NiJ9.partial)");
  EXPECT_TRUE(Hidden(out, "eyJhbGciOi"));
}

TEST(RedactSecrets, AwsCredentialsJsonAndXml) {
  auto json = RedactSecrets(
      R"({"AccessKeyId":"AKIDEXAMPLE","SecretAccessKey":"wJalrXUtnFEMI","Token":"IQoJb3JpZ2lu","Expiration":"x"})");
  EXPECT_TRUE(Hidden(json, "wJalrXUtnFEMI"));
  EXPECT_TRUE(Hidden(json, "IQoJb3JpZ2lu"));
  EXPECT_NE(json.find("AKIDEXAMPLE"), std::string::npos);  // the key id is not secret
  auto xml = RedactSecrets("<Credentials><SecretAccessKey>wJalrXUtnFEMI</SecretAccessKey>"
                           "<SessionToken>IQoJb3JpZ2lu</SessionToken></Credentials>");
  EXPECT_TRUE(Hidden(xml, "wJalrXUtnFEMI"));
  EXPECT_TRUE(Hidden(xml, "IQoJb3JpZ2lu"));
  EXPECT_NE(xml.find("</SecretAccessKey>"), std::string::npos) << xml;
  std::string const s3_error = "<Error><Code>NoSuchKey</Code><Message>The key does not exist</Message></Error>";
  EXPECT_EQ(RedactSecrets(s3_error), s3_error) << "error codes stay readable";
}

TEST(RedactSecrets, PresignedUrlInText) {
  auto out = RedactSecrets(
      "GET https://b.s3.amazonaws.com/k.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261101%2Fus"
      "&X-Amz-Date=20261101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=deadbeef01 failed");
  EXPECT_TRUE(Hidden(out, "deadbeef01"));
  EXPECT_TRUE(Hidden(out, "AKIA"));
  EXPECT_NE(out.find("X-Amz-Date=20261101T000000Z"), std::string::npos) << out;
  EXPECT_NE(out.find(" failed"), std::string::npos) << out;
}

TEST(RedactSecrets, AzureSasSignatureParameter) {
  // RedactUrl() hides a presigned URL it is given; an error message quoting one reaches the log
  // and the manifest through RedactSecrets() only.
  auto out = RedactSecrets(
      "GET https://acct.blob.core.windows.net/c/r.wav?sv=2020-08-04&se=2026-12-08&sp=r&sig=SASSECRET%2Bx%3D "
      "failed: HTTP 403");
  EXPECT_TRUE(Hidden(out, "SASSECRET"));
  EXPECT_NE(out.find("sv=2020-08-04&se=2026-12-08&sp=r&sig=***"), std::string::npos) << out;
  EXPECT_NE(out.find(" failed: HTTP 403"), std::string::npos) << out;
  EXPECT_EQ(RedactSecrets("SIG=abc"), "SIG=***");
  EXPECT_EQ(RedactSecrets("{\"sig\":\"SASSECRET\"}"), "{\"sig\":\"***\"}");
  // The name must be whole: longer names containing "sig" are not secrets.
  for (std::string s : {"signal=9", "config=prod", "sigma=0.5", "xsig=1", "configsig=2", "design=a&signed=1",
                        "sig", "sig is short for signature", "{\"signal\":\"9\"}"}) {
    EXPECT_EQ(RedactSecrets(s), s);
  }
  std::vector<std::string> got;
  Logger logger(LogLevel::kInfo, [&](LogLevel, std::string_view m) { got.emplace_back(m); });
  logger.Warn("download failed: https://acct.blob.core.windows.net/c/r.wav?sv=1&sig=SASSECRET");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(Hidden(got[0], "SASSECRET"));
}

TEST(RedactSecrets, NonSecretTextUntouched) {
  for (std::string s : {"taskId=abc", "exported 12 recordings to s3://bucket/prefix", "status=200 bytes=1234",
                        "mytoken=abc", "tokens=5", "{\"taskId\":\"abc\",\"codec\":\"opus\"}", "guidance: none",
                        "Bearer", "", "The Authorization header was missing"}) {
    EXPECT_EQ(RedactSecrets(s), s);
  }
}

TEST(RedactSecrets, HugeInputDoesNotCrash) {
  // Regex-based redaction used to overflow the stack on bodies of a few tens of KB.
  std::string big_value(2 << 20, 'a');
  auto json = RedactSecrets("{\"access_token\":\"" + big_value + "\",\"x\":1}");
  EXPECT_EQ(json, "{\"access_token\":\"***\",\"x\":1}");
  auto header = RedactSecrets("Authorization: Bearer " + big_value + "\nnext");
  EXPECT_EQ(header, "Authorization: ***\nnext");
  std::string plain(4 << 20, 'x');
  EXPECT_EQ(RedactSecrets(plain).size(), plain.size());
  std::string form = "a=1&password=" + big_value + "&b=2";
  EXPECT_EQ(RedactSecrets(form), "a=1&password=***&b=2");
}

TEST(RedactUrl, PlainUrlUnchanged) {
  EXPECT_EQ(RedactUrl("https://api.example.com/v1/tasks?from=1&to=2&taskId=abc"),
            "https://api.example.com/v1/tasks?from=1&to=2&taskId=abc");
  EXPECT_EQ(RedactUrl("https://api.example.com/v1/tasks"), "https://api.example.com/v1/tasks");
}

TEST(RedactUrl, QuerySecretsMasked) {
  EXPECT_EQ(RedactUrl("https://idbroker/authorize?client_id=C&code=abc&state=s"),
            "https://idbroker/authorize?client_id=C&code=***&state=s");
  EXPECT_EQ(RedactUrl("https://h/p?access_token=t"), "https://h/p?access_token=***");
}

TEST(RedactUrl, PresignedUrlKeepsOnlyThePath) {
  std::string url =
      "https://bucket.s3.us-east-1.amazonaws.com/rec/2026/a%20b.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261101T000000Z"
      "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957";
  auto out = RedactUrl(url);
  EXPECT_TRUE(Hidden(out, "aeeed9bb"));
  EXPECT_TRUE(Hidden(out, "AKIAIOSFODNN7EXAMPLE"));
  EXPECT_TRUE(Hidden(out, "X-Amz-Date"));
  EXPECT_EQ(out.rfind("https://bucket.s3.us-east-1.amazonaws.com/rec/2026/a%20b.wav", 0), 0u) << out;
}

TEST(RedactUrl, PresignedDetectionIsCaseInsensitiveAndCoversOtherSchemes) {
  for (std::string q : {"x-amz-signature=abcdef", "X-AMZ-CREDENTIAL=abcdef", "Signature=abcdef&Key-Pair-Id=K",
                        "sv=2020&sig=abcdef", "X-Goog-Signature=abcdef"}) {
    auto out = RedactUrl("https://h/path/obj?" + q + "#frag");
    EXPECT_TRUE(Hidden(out, "abcdef")) << q;
    EXPECT_EQ(out.rfind("https://h/path/obj", 0), 0u) << out;
  }
}

TEST(RedactUrl, UserinfoMasked) {
  auto out = RedactUrl("https://user:hunter2@example.com/x");
  EXPECT_TRUE(Hidden(out, "hunter2"));
  EXPECT_NE(out.find("example.com/x"), std::string::npos) << out;
}

TEST(LogLevel, ParseAndToString) {
  LogLevel l = LogLevel::kOff;
  EXPECT_TRUE(ParseLogLevel("DEBUG", l));
  EXPECT_EQ(l, LogLevel::kDebug);
  EXPECT_TRUE(ParseLogLevel("Info", l));
  EXPECT_EQ(l, LogLevel::kInfo);
  EXPECT_TRUE(ParseLogLevel("warn", l));
  EXPECT_EQ(l, LogLevel::kWarn);
  EXPECT_TRUE(ParseLogLevel("warning", l));
  EXPECT_EQ(l, LogLevel::kWarn);
  EXPECT_TRUE(ParseLogLevel("error", l));
  EXPECT_EQ(l, LogLevel::kError);
  EXPECT_TRUE(ParseLogLevel("off", l));
  EXPECT_EQ(l, LogLevel::kOff);
  l = LogLevel::kInfo;
  EXPECT_FALSE(ParseLogLevel("verbose", l));
  EXPECT_FALSE(ParseLogLevel("", l));
  EXPECT_EQ(l, LogLevel::kInfo) << "unchanged on failure";
  EXPECT_EQ(ToString(LogLevel::kDebug), "debug");
  EXPECT_EQ(ToString(LogLevel::kWarn), "warn");
  EXPECT_EQ(ToString(LogLevel::kOff), "off");
}

TEST(Logger, DefaultLogsNothing) {
  Logger logger;
  EXPECT_FALSE(logger.Enabled(LogLevel::kError));
  logger.Error("nobody hears this");  // must not crash
}

TEST(Logger, NullCallbackLogsNothing) {
  Logger logger(LogLevel::kDebug, nullptr);
  EXPECT_FALSE(logger.Enabled(LogLevel::kError));
  logger.Error("x");
}

TEST(Logger, LevelFiltering) {
  std::vector<std::pair<LogLevel, std::string>> got;
  Logger logger(LogLevel::kWarn, [&](LogLevel l, std::string_view m) { got.emplace_back(l, std::string(m)); });
  EXPECT_FALSE(logger.Enabled(LogLevel::kDebug));
  EXPECT_FALSE(logger.Enabled(LogLevel::kInfo));
  EXPECT_TRUE(logger.Enabled(LogLevel::kWarn));
  EXPECT_TRUE(logger.Enabled(LogLevel::kError));
  EXPECT_FALSE(logger.Enabled(LogLevel::kOff));
  logger.Debug("d");
  logger.Info("i");
  logger.Warn("w");
  logger.Error("e");
  logger.Log(LogLevel::kOff, "off");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], std::make_pair(LogLevel::kWarn, std::string("w")));
  EXPECT_EQ(got[1], std::make_pair(LogLevel::kError, std::string("e")));
}

TEST(Logger, OffLevelDisablesEverything) {
  int calls = 0;
  Logger logger(LogLevel::kOff, [&](LogLevel, std::string_view) { ++calls; });
  logger.Error("e");
  EXPECT_EQ(calls, 0);
}

TEST(Logger, CallbackReceivesRedactedText) {
  std::vector<std::string> got;
  Logger logger(LogLevel::kDebug, [&](LogLevel, std::string_view m) { got.emplace_back(m); });
  logger.Debug("POST /token body grant_type=refresh_token&refresh_token=RT-SECRET&client_secret=CS-SECRET");
  logger.Info("Authorization: Bearer AT-SECRET");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(Hidden(got[0], "RT-SECRET"));
  EXPECT_TRUE(Hidden(got[0], "CS-SECRET"));
  EXPECT_TRUE(Hidden(got[1], "AT-SECRET"));
}

TEST(Logger, CopiesShareTheCallback) {
  int calls = 0;
  Logger a(LogLevel::kInfo, [&](LogLevel, std::string_view) { ++calls; });
  Logger b = a;
  a.Info("1");
  b.Info("2");
  EXPECT_EQ(calls, 2);
}

TEST(RedactSecrets, CamelCaseJsonKeys) {
  std::string const body =
      R"({"accessToken":"AT-1","refreshToken":"RT-2","clientSecret":"CS-3","idToken":"ID-4","AuthToken":"AU-5",)"
      R"("userName":"alice"})";
  std::string const r = RedactSecrets(body);
  for (auto const* secret : {"AT-1", "RT-2", "CS-3", "ID-4", "AU-5"}) EXPECT_TRUE(Hidden(r, secret));
  EXPECT_NE(r.find("alice"), std::string::npos);
  EXPECT_TRUE(Hidden(RedactSecrets("accessToken=AT-6&x=1"), "AT-6"));
}

TEST(RedactSecrets, FaceXmlTokenAndTokenHeaders) {
  // FACE's XML login answer (UTF-8 rendering of the guide's example).
  std::string const xml = R"(<?xml version="1.0"?><response><code>0</code><token>FACE-TOKEN-1</token></response>)";
  std::string const r = RedactSecrets(xml);
  EXPECT_TRUE(Hidden(r, "FACE-TOKEN-1"));
  EXPECT_NE(r.find("<code>0</code>"), std::string::npos);
  EXPECT_TRUE(Hidden(RedactSecrets("Token: TK-2\r\nAccept: */*"), "TK-2"));
  EXPECT_TRUE(Hidden(RedactSecrets("Accept: */*\r\ntoken: TK-3\r\n"), "TK-3"));
  // In prose "token:" is not a header: the rest of the message must survive.
  EXPECT_EQ(RedactSecrets("Webex GET /v1/tasks: no access token: TLS certificate verify failed"),
            "Webex GET /v1/tasks: no access token: TLS certificate verify failed");
  EXPECT_TRUE(Hidden(RedactSecrets("X-aws-ec2-metadata-token: IMDS-3\r\n"), "IMDS-3"));
  EXPECT_TRUE(Hidden(RedactSecrets("x-aws-ec2-metadata-token=IMDS-4"), "IMDS-4"));
}

// Found by fuzz/redact_fuzz.cpp: a masked value that ran to the next quote (a truncated JSON
// value, an unbalanced quoted form value) swallowed the opening quote of the next secret's name,
// so that secret was printed in clear.
TEST(RedactSecrets, UnterminatedValueDoesNotUnmaskTheNextSecret) {
  auto json = RedactSecrets(R"({"access_token":"cut off by truncation {"access_token":"S3CRETone"})");
  EXPECT_TRUE(Hidden(json, "S3CRETone")) << json;
  auto form = RedactSecrets(R"(password="x {"refreshToken":"S3CRETtwo"})");
  EXPECT_TRUE(Hidden(form, "S3CRETtwo")) << form;
  EXPECT_EQ(RedactSecrets(R"({"token":"a","b":1})"), R"({"token":"***","b":1})");
  EXPECT_EQ(RedactSecrets(R"(password="two words" user=bob)"), R"(password="***" user=bob)");
}

// Found by fuzz/redact_fuzz.cpp: with the scheme repeated (a token stored with its "Bearer "
// prefix), only the second "Bearer" was masked and the token itself was printed.
TEST(RedactSecrets, RepeatedAuthSchemeStillMasksTheToken) {
  auto out = RedactSecrets("Authorization: x\nsent Bearer\tBearer S3CRETthree and basic Basic dXNlcjpw done");
  EXPECT_TRUE(Hidden(out, "S3CRETthree")) << out;
  EXPECT_TRUE(Hidden(out, "dXNlcjpw")) << out;
  EXPECT_NE(out.find(" and "), std::string::npos) << out;
  EXPECT_NE(out.find(" done"), std::string::npos) << out;
  // "Bearer" ending a line is a word: the next line's header is still recognised and masked.
  auto lines = RedactSecrets("token_type=Bearer\r\nAuthorization: S3CRETfour\r\n");
  EXPECT_TRUE(Hidden(lines, "S3CRETfour")) << lines;
  // A header name right after the scheme: its value is masked too.
  auto header = RedactSecrets("Bearer\tX-aws-ec2-metadata-token: S3CRETfive\nnext line");
  EXPECT_TRUE(Hidden(header, "S3CRETfive")) << header;
  EXPECT_NE(header.find("\nnext line"), std::string::npos) << header;
  // A quoted key=value right after the scheme.
  auto quoted = RedactSecrets("\"Bearer secret_access_key='S3CRETsix' rest");
  EXPECT_TRUE(Hidden(quoted, "S3CRETsix")) << quoted;
  EXPECT_NE(quoted.find(" rest"), std::string::npos) << quoted;
}

TEST(RedactUrl, FragmentSecretsMasked) {
  std::string const r = RedactUrl("https://app.example/cb#access_token=AT-FRAG&state=s1");
  EXPECT_TRUE(Hidden(r, "AT-FRAG"));
  EXPECT_NE(r.find("state=s1"), std::string::npos);
  std::string const q = RedactUrl("https://app.example/cb?x=1#refresh_token=RT-FRAG");
  EXPECT_TRUE(Hidden(q, "RT-FRAG"));
  EXPECT_EQ(RedactUrl("https://h.example/doc#section-2"), "https://h.example/doc#section-2");
}

TEST(EscapeControlCharacters, TerminalAndLogInjection) {
  EXPECT_EQ(EscapeControlCharacters("plain\ttext"), "plain\ttext");
  EXPECT_EQ(EscapeControlCharacters("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(EscapeControlCharacters("line\r\nINFO forged"), "line\\x0d\\x0aINFO forged");
  EXPECT_EQ(EscapeControlCharacters(std::string("n\0ul\x7f", 5)), "n\\x00ul\\x7f");
  EXPECT_EQ(EscapeControlCharacters("caf\xc3\xa9"), "caf\xc3\xa9") << "UTF-8 is not touched";
}

TEST(Logger, ServerTextCannotForgeLinesOrEscapeSequences) {
  std::vector<std::string> got;
  Logger logger(LogLevel::kDebug, [&](LogLevel, std::string_view m) { got.emplace_back(m); });
  logger.Warn("server said: ok\nERROR fake line \x1b]0;title\x07");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].find('\n'), std::string::npos);
  EXPECT_EQ(got[0].find('\x1b'), std::string::npos);
  EXPECT_NE(got[0].find("\\x0aERROR fake line"), std::string::npos);
}

}  // namespace
}  // namespace ccrec
