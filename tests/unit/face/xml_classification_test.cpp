// SPDX-License-Identifier: Apache-2.0
// FACE answers in XML are classified exactly as the same answers in JSON (reference §5, §7, §8): the
// FACE code in the body decides over the HTTP status, token errors log in again once, the transient
// codes are retried, and a body without a FACE result falls back to the HTTP status. Before, only a
// JSON answer's code was judged inside the retry loop: an XML "retry later" code (10, 16, 20, 21,
// 24, 25) failed at once, an XML code 19 under a non-2xx status failed the search, and a `<code>`
// anywhere in an XML body (an HTML error page's) was taken for a FACE code.

#include "face_test_util.hpp"

#include <ccrec/face/errors.hpp>
#include <ccrec/face/templates.hpp>

#include "face/parse.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::face::SearchCriteria;

constexpr char kXmlPrologue[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n";

std::string XmlResultOf(std::string const& inner) {
  return std::string(kXmlPrologue) + "<result>" + inner + "</result>";
}

// ASCII text as UTF-16LE with a byte order mark (the encoding the guide's examples declare).
std::string AsUtf16LeWithBom(std::string const& ascii) {
  std::string out = "\xFF\xFE";
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

/// One FACE answer in its JSON and its XML form, and what a search answered with it does.
struct AnswerPair {
  std::string name;
  int status = 200;
  std::string json;
  std::string xml;
  /// The search succeeds (the code is an answer).
  bool answer = false;
  /// Otherwise the error's code, and whether the request was sent again (a transient code, or a
  /// token error after a fresh login).
  ErrorCode code = ErrorCode::kInternal;
  bool retried = false;
};

AnswerPair CodeAnswer(int status, int code, std::string const& message, bool answer, ErrorCode error, bool retried) {
  std::string const c = std::to_string(code);
  return {"HTTP " + std::to_string(status) + " code " + c + " \"" + message + "\"",
          status,
          R"({"result":{"code":)" + c + R"(,"message":")" + message + R"("}})",
          XmlResultOf("<code>" + c + "</code><message>" + message + "</message>"),
          answer,
          error,
          retried};
}

std::vector<AnswerPair> AnswerPairs() {
  std::vector<AnswerPair> out;
  // Reference §7: "retry with backoff" / "retry later".
  for (int code : {10, 16, 20, 21, 24, 25}) {
    out.push_back(CodeAnswer(200, code, std::string(ccrec::face::DescribeReturnCode(code)), false,
                             ErrorCode::kUnavailable, true));
  }
  // -1 with a 5xx: transient.
  out.push_back(CodeAnswer(503, -1, "java.lang.NullPointerException", false, ErrorCode::kUnavailable, true));
  // Codes that are answers, whatever the status (reference §7 [U]: FACE's statuses are undocumented).
  out.push_back(CodeAnswer(404, 19, "No recording found with supplied criteria", true, ErrorCode::kInternal, false));
  out.push_back(CodeAnswer(500, 19, "No recording found with supplied criteria", true, ErrorCode::kInternal, false));
  out.push_back({"HTTP 500 code -1 list",
                 500,
                 R"({"result":{"code":-1,"message":"Selection criteria insufficient to determine recording. )"
                 R"(Returning all matches.","matches":[{"match":{"recordingId":15,"start":"2021-01-18 06:37:27"}}]}})",
                 XmlResultOf("<code>-1</code><message>Selection criteria insufficient to determine recording. "
                             "Returning all matches.</message><matches><match><recordingId>15</recordingId>"
                             "<start>2021-01-18 06:37:27</start></match></matches>"),
                 true});
  // Configuration errors and item errors: mapped at once, never retried.
  out.push_back(CodeAnswer(200, 2, "Host Not Authorized", false, ErrorCode::kPermissionDenied, false));
  out.push_back(CodeAnswer(403, 2, "Host Not Authorized", false, ErrorCode::kPermissionDenied, false));
  out.push_back(CodeAnswer(200, 1, "Feature Not Licensed", false, ErrorCode::kPermissionDenied, false));
  out.push_back(CodeAnswer(200, 23, "Could not convert file to playable format", false, ErrorCode::kInternal, false));
  out.push_back(CodeAnswer(200, 5, "Invalid Command", false, ErrorCode::kInvalidArgument, false));
  // Token errors (reference §8): asked again once, after a fresh login, then the error.
  out.push_back(CodeAnswer(200, -1, "Invalid or expired token", false, ErrorCode::kUnauthenticated, true));
  out.push_back(CodeAnswer(401, 27, "Missing Parameter - token is required", false, ErrorCode::kUnauthenticated, true));
  // No FACE code: a 2xx is unreadable, anything else goes by its status (503: transient).
  out.push_back({"HTTP 200 result without a code", 200, R"({"result":{"message":"ACK"}})",
                 XmlResultOf("<message>ACK</message>"), false, ErrorCode::kParse, false});
  out.push_back({"HTTP 503 with a code outside a result", 503, R"({"error":{"code":7,"message":"busy"}})",
                 std::string(kXmlPrologue) + "<error><code>7</code><message>busy</message></error>", false,
                 ErrorCode::kUnavailable, true});
  return out;
}

/// What one SearchRecordings() answered with `body` made of.
struct SearchOutcome {
  bool ok = false;
  int result_code = 0;
  ErrorCode code = ErrorCode::kInternal;
  std::string vendor_code;
  int http_status = 0;
  int details_calls = 0;
  int logins = 0;
};

SearchOutcome SearchAnsweredWith(int status, std::string const& body, HttpHeaders const& headers) {
  Env env;
  int logins = 0;
  env.RouteNumberedLogins(logins);
  int calls = 0;
  env.transport->Route("GET", "/Face/audioRecording/details", [&](RecordedRequest const&) {
    ++calls;
    return Result<HttpResponse>(MakeResponse(status, body, headers));
  });
  SearchCriteria c;
  c.ani = "1";
  auto r = env.MakeClient().SearchRecordings(c);
  SearchOutcome out;
  out.ok = r.has_value();
  if (r) {
    out.result_code = r->code;
  } else {
    out.code = r.error().code;
    out.vendor_code = r.error().vendor_code;
    out.http_status = r.error().http_status;
  }
  out.details_calls = calls;
  out.logins = logins;
  return out;
}

struct XmlForm {
  std::string name;
  HttpHeaders headers;
  bool utf16 = false;
};

std::vector<XmlForm> XmlForms() {
  return {{"XML", XmlHeaders(), false},
          {"XML without Content-Type", {}, false},
          {"XML UTF-16LE BOM", {{"Content-Type", "application/xml;charset=UTF-16"}}, true}};
}

TEST(FaceXmlClassification, SearchesTreatXmlAnswersAsTheirJsonForm) {
  for (auto const& pair : AnswerPairs()) {
    SCOPED_TRACE(pair.name);
    auto const json = SearchAnsweredWith(pair.status, pair.json, JsonHeaders());
    // What JSON gets (the documented behaviour).
    ASSERT_EQ(json.ok, pair.answer) << ccrec::ToString(json.code) << " " << json.vendor_code;
    if (!pair.answer) {
      EXPECT_EQ(json.code, pair.code);
      EXPECT_EQ(json.details_calls > 1, pair.retried) << json.details_calls;
    }
    for (auto const& form : XmlForms()) {
      SCOPED_TRACE(form.name);
      auto const xml =
          SearchAnsweredWith(pair.status, form.utf16 ? AsUtf16LeWithBom(pair.xml) : pair.xml, form.headers);
      EXPECT_EQ(xml.ok, json.ok);
      EXPECT_EQ(xml.result_code, json.result_code);
      EXPECT_EQ(xml.code, json.code) << ccrec::ToString(xml.code) << " vs " << ccrec::ToString(json.code);
      EXPECT_EQ(xml.vendor_code, json.vendor_code);
      EXPECT_EQ(xml.http_status, json.http_status);
      EXPECT_EQ(xml.details_calls, json.details_calls) << "as many attempts (retries) as for JSON";
      EXPECT_EQ(xml.logins, json.logins) << "as many logins as for JSON";
    }
  }
}

TEST(FaceXmlClassification, TheResultHeaderOfXmlIsThatOfItsJsonForm) {
  for (auto const& pair : AnswerPairs()) {
    SCOPED_TRACE(pair.name);
    auto const json = ccrec::face::detail::ReadResultHeader(JsonHeaders(), pair.json);
    for (auto const& form : XmlForms()) {
      SCOPED_TRACE(form.name);
      auto const xml =
          ccrec::face::detail::ReadResultHeader(form.headers, form.utf16 ? AsUtf16LeWithBom(pair.xml) : pair.xml);
      EXPECT_EQ(xml.kind, ccrec::face::detail::BodyKind::kXml);
      EXPECT_EQ(xml.parsed, json.parsed);
      EXPECT_EQ(xml.code, json.code);
      EXPECT_EQ(xml.message, json.message);
      EXPECT_EQ(xml.has_matches, json.has_matches);
    }
  }
}

// An HTML error page is XML-looking but no FACE result: a `<code>` in it is no FACE code, so a 503
// stays a temporary failure (retried) instead of "7: bad request".
TEST(FaceXmlClassification, ACodeElementOutsideAResultIsNoFaceCode) {
  std::string const page = "<html><body><p>Service busy, error <code>7</code></p></body></html>";
  auto e = ccrec::face::MapFaceError(503, page, {{"Content-Type", "text/html"}}, "FACE GET audioRecording/details");
  EXPECT_EQ(e.code, ErrorCode::kUnavailable) << e.message;
  EXPECT_EQ(e.vendor_code, "");
  auto ok = ccrec::face::MapFaceError(200, XmlResultOf("<code>7</code><message>x</message>"), XmlHeaders(), "op");
  EXPECT_EQ(ok.vendor_code, "7") << "inside <result> it is one";
}

// SearchTemplated: an XML FACE result with a transient code is retried like a JSON one; the
// template's own XML output is returned unchanged.
TEST(FaceXmlClassification, TemplatedSearchRetriesATransientXmlCode) {
  Env env;
  int logins = 0;
  env.RouteNumberedLogins(logins);
  std::string const output = "<?xml version=\"1.0\"?><recordings><recording><recording_id>100</recording_id>"
                             "<code>3</code></recording></recordings>";
  int calls = 0;
  env.transport->Route("GET", "format=template", [&](RecordedRequest const&) {
    if (++calls == 1) {
      return Result<HttpResponse>(
          MakeResponse(200, XmlResultOf("<code>24</code><message>Timed out waiting for file conversion</message>"),
                       XmlHeaders()));
    }
    return Result<HttpResponse>(MakeResponse(200, output, XmlHeaders()));
  });
  SearchCriteria c;
  c.recording_id = "100";
  auto a = env.MakeClient().SearchTemplated(ccrec::face::TemplateCommand::kRecordingDetails, c,
                                            ccrec::face::TemplateFormat{"verint", std::nullopt});
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(a->body, output) << "a <code> inside the template's own output is not FACE's";
}

/// One login answer in its JSON and its XML form.
struct LoginPair {
  std::string name;
  std::string json;
  std::string xml;
};

std::vector<LoginPair> LoginPairs() {
  return {
      // Reference §2: the guide's example, and its JSON form.
      {"code 0 with a token",
       R"({"result":{"code":0,"message":"ACK","token":"0b007a4d-5593","expiration":"3600seconds"}})",
       XmlResultOf("<code>0</code><message>ACK</message><token>0b007a4d-5593</token><expiration>3600seconds"
                   "</expiration>")},
      {"a numeric expiration, a padded token", R"({"result":{"code":0,"token":" t-2 ","expiration":600}})",
       XmlResultOf("<code>0</code><token> t-2 </token><expiration>600</expiration>")},
      {"rejected", R"({"result":{"code":-1,"message":"Invalid user or password"}})",
       XmlResultOf("<code>-1</code><message>Invalid user or password</message>")},
      {"Error Generating Token", R"({"result":{"code":16,"message":"Error Generating Token"}})",
       XmlResultOf("<code>16</code><message>Error Generating Token</message>")},
      {"code 0 without a token", R"({"result":{"code":0,"message":"ACK"}})",
       XmlResultOf("<code>0</code><message>ACK</message>")},
      {"a result without a code", R"({"result":{"message":"ACK","token":"t-3"}})",
       XmlResultOf("<message>ACK</message><token>t-3</token>")},
      {"a code that is no number", R"({"result":{"code":"zero","token":"t-4"}})",
       XmlResultOf("<code>zero</code><token>t-4</token>")},
      {"a flat token", R"({"token":"t-5"})",
       std::string(kXmlPrologue) + "<token>t-5</token>"},
      // No result object: nothing of the body is a login answer, in either form.
      {"a code and token outside a result", R"({"error":{"code":-1,"message":"denied","token":"t-6"}})",
       std::string(kXmlPrologue) + "<error><code>-1</code><message>denied</message><token>t-6</token></error>"},
      {"a page with a token", R"({"html":{"body":{"p":"Signed in","token":"t-7"}}})",
       "<html><body><p>Signed in</p><token>t-7</token></body></html>"},
      {"a result below the root", R"({"page":{"result":{"code":0,"token":"t-8"}}})",
       "<page><result><code>0</code><token>t-8</token></result></page>"},
  };
}

// Reference §2, §8 ("JSON shape of the login response" is unconfirmed; ccrec reads XML by
// default): a login answer in XML is read as its JSON form, by the same rule (the result object, or a
// root with a token), so that a `<token>` or `<code>` in an unrelated page is no login answer.
TEST(FaceXmlClassification, LoginAnswersInXmlAreReadAsTheirJsonForm) {
  for (auto const& pair : LoginPairs()) {
    SCOPED_TRACE(pair.name);
    auto const json = ccrec::face::detail::ParseLogin(JsonHeaders(), pair.json);
    for (auto const& form : XmlForms()) {
      SCOPED_TRACE(form.name);
      auto const xml =
          ccrec::face::detail::ParseLogin(form.headers, form.utf16 ? AsUtf16LeWithBom(pair.xml) : pair.xml);
      EXPECT_EQ(xml.parsed, json.parsed);
      EXPECT_EQ(xml.code, json.code);
      EXPECT_EQ(xml.message, json.message);
      EXPECT_EQ(xml.token, json.token);
      EXPECT_EQ(xml.expiration, json.expiration);
    }
  }
  // What JSON finds (the rule both follow).
  auto const example = ccrec::face::detail::ParseLogin(JsonHeaders(), LoginPairs()[0].json);
  EXPECT_TRUE(example.parsed);
  EXPECT_EQ(example.token, "0b007a4d-5593");
  for (std::size_t i = LoginPairs().size() - 3; i < LoginPairs().size(); ++i) {
    auto const none = ccrec::face::detail::ParseLogin(JsonHeaders(), LoginPairs()[i].json);
    EXPECT_FALSE(none.parsed) << LoginPairs()[i].name;
    EXPECT_EQ(none.token, "") << LoginPairs()[i].name;
  }
}

/// What Client::Login() made of `body`.
struct LoginOutcome {
  bool ok = false;
  std::chrono::seconds lifetime{0};
  ErrorCode code = ErrorCode::kInternal;
  int http_status = 0;
  int attempts = 0;
};

LoginOutcome LoginAnsweredWith(int status, std::string const& body, HttpHeaders const& headers) {
  Env env;
  int attempts = 0;
  env.transport->Route("POST", "/Face/login", [&](RecordedRequest const&) {
    ++attempts;
    return Result<HttpResponse>(MakeResponse(status, body, headers));
  });
  auto r = env.MakeClient().Login();
  LoginOutcome out;
  out.ok = r.has_value();
  if (r) {
    out.lifetime = r->lifetime;
  } else {
    out.code = r.error().code;
    out.http_status = r.error().http_status;
  }
  out.attempts = attempts;
  return out;
}

TEST(FaceXmlClassification, ALoginAnsweredInXmlEndsAsInJson) {
  for (int status : {200, 401, 503}) {
    for (auto const& pair : LoginPairs()) {
      SCOPED_TRACE(pair.name + " HTTP " + std::to_string(status));
      auto const json = LoginAnsweredWith(status, pair.json, JsonHeaders());
      for (auto const& form : XmlForms()) {
        SCOPED_TRACE(form.name);
        auto const xml = LoginAnsweredWith(status, form.utf16 ? AsUtf16LeWithBom(pair.xml) : pair.xml, form.headers);
        EXPECT_EQ(xml.ok, json.ok);
        EXPECT_EQ(xml.lifetime.count(), json.lifetime.count());
        EXPECT_EQ(xml.code, json.code) << ccrec::ToString(xml.code) << " vs " << ccrec::ToString(json.code);
        EXPECT_EQ(xml.http_status, json.http_status);
        EXPECT_EQ(xml.attempts, json.attempts) << "as many attempts as for JSON";
      }
    }
  }
}

// A page that is no FACE result (a proxy's or a portal's) is never a login answer: its `<token>`
// is no token, and its `<code>-1</code>` is no rejection (which ccrec never retries and keeps).
TEST(FaceXmlClassification, APageIsNoLoginAnswer) {
  HttpHeaders const html = {{"Content-Type", "text/html"}};
  auto const token = LoginAnsweredWith(200, "<html><body><p>Welcome</p><token>portal-session</token></body></html>", html);
  EXPECT_FALSE(token.ok) << "a token outside a FACE result is taken";
  EXPECT_EQ(token.code, ErrorCode::kParse) << ccrec::ToString(token.code);
  auto const busy = LoginAnsweredWith(503, "<html><body><p>Service busy, error <code>-1</code></p></body></html>", html);
  EXPECT_EQ(busy.code, ErrorCode::kUnavailable) << ccrec::ToString(busy.code);
  EXPECT_EQ(busy.attempts, 2) << "a temporary failure is tried again";
}

}  // namespace
}  // namespace face_test
