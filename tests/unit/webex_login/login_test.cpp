// SPDX-License-Identifier: Apache-2.0
// Issue 13 item 1: the pieces of `ccrec-export webex login` that need no socket.

#include <ccrec/webex/oauth.hpp>
#include <ccrec/webex_login/login.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

using ccrec::ErrorCode;
using namespace ccrec::webex;

TEST(WebexLoginState, IsRandomBase64UrlOf32Bytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto state = MakeOAuthState();
    ASSERT_TRUE(state) << state.error().ToString();
    EXPECT_EQ(state->size(), 43u) << *state;
    EXPECT_EQ(state->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << *state;
    seen.insert(*state);
  }
  EXPECT_EQ(seen.size(), 50u) << "states repeat";
}

TEST(WebexLoginRedirectUri, AcceptsLoopbackHttpOnly) {
  auto uri = ParseLoopbackRedirectUri("http://127.0.0.1:8765/callback");
  ASSERT_TRUE(uri) << uri.error().ToString();
  EXPECT_EQ(uri->host, "127.0.0.1");
  EXPECT_EQ(uri->port, 8765);
  EXPECT_EQ(uri->path, "/callback");
  EXPECT_EQ(uri->ToString(), "http://127.0.0.1:8765/callback");

  auto any = ParseLoopbackRedirectUri("http://localhost:0/cb");
  ASSERT_TRUE(any) << any.error().ToString();
  EXPECT_EQ(any->port, 0);
  EXPECT_EQ(any->path, "/cb");
  auto bare = ParseLoopbackRedirectUri("http://127.0.0.1");
  ASSERT_TRUE(bare) << bare.error().ToString();
  EXPECT_EQ(bare->port, 0);
  EXPECT_EQ(bare->path, "/");

  for (char const* wrong : {"https://127.0.0.1:8765/callback", "http://example.com:8765/callback",
                            "http://10.0.0.1:8765/callback", "http://127.0.0.1:8765/callback?x=1", "not a url",
                            "http://127.0.0.1:8765/cb#frag"}) {
    auto r = ParseLoopbackRedirectUri(wrong);
    ASSERT_FALSE(r) << wrong;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << wrong;
    EXPECT_NE(r.error().message.find("redirect URI"), std::string::npos) << r.error().message;
  }
}

TEST(WebexLoginRedirect, ParsesUrlsQueriesTargetsAndBareCodes) {
  auto full = ParseAuthorizationRedirect("  https://app.example.com/cb?code=ab%2Bc&state=s-1\n");
  ASSERT_TRUE(full) << full.error().ToString();
  EXPECT_EQ(full->code, "ab+c");
  EXPECT_EQ(full->state, "s-1");
  EXPECT_TRUE(full->has_state);

  auto target = ParseAuthorizationRedirect("/callback?state=xyz&code=C0DE");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->code, "C0DE");
  EXPECT_EQ(target->state, "xyz");

  auto query = ParseAuthorizationRedirect("code=C&state=S");
  ASSERT_TRUE(query);
  EXPECT_EQ(query->code, "C");

  auto code = ParseAuthorizationRedirect("OTg3ZjE4_PF84_org");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->code, "OTg3ZjE4_PF84_org");
  EXPECT_FALSE(code->has_state);

  auto denied = ParseAuthorizationRedirect("http://127.0.0.1:1/cb?error=access_denied&error_description=User+said+no"
                                           "&state=S");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->error, "access_denied");
  EXPECT_EQ(denied->error_description, "User said no");

  EXPECT_FALSE(ParseAuthorizationRedirect(""));
  EXPECT_FALSE(ParseAuthorizationRedirect("   "));
  auto nothing = ParseAuthorizationRedirect("https://app.example.com/cb?foo=bar");
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, ErrorCode::kInvalidArgument);
}

TEST(WebexLoginRedirect, StateIsCheckedBeforeAnythingElse) {
  AuthorizationRedirect r;
  r.code = "the-secret-code";
  r.state = "expected";
  r.has_state = true;
  auto ok = CodeFromRedirect(r, "expected");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, "the-secret-code");

  r.state = "forged";
  auto mismatch = CodeFromRedirect(r, "expected");
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(mismatch.error().vendor_code, "state_mismatch");
  EXPECT_NE(mismatch.error().message.find("state mismatch"), std::string::npos);
  EXPECT_EQ(mismatch.error().message.find("the-secret-code"), std::string::npos) << "the code was quoted";
  EXPECT_EQ(mismatch.error().message.find("forged\""), std::string::npos);

  // A different state is refused even when a missing one would be allowed.
  EXPECT_FALSE(CodeFromRedirect(r, "expected", /*allow_missing_state=*/true));

  AuthorizationRedirect bare;
  bare.code = "c";
  EXPECT_FALSE(CodeFromRedirect(bare, "expected")) << "a redirect without state";
  EXPECT_TRUE(CodeFromRedirect(bare, "expected", /*allow_missing_state=*/true)) << "a pasted bare code";
}

TEST(WebexLoginRedirect, AccessDeniedAndOtherErrorsAreClear) {
  AuthorizationRedirect r;
  r.error = "access_denied";
  r.state = "s";
  r.has_state = true;
  auto denied = CodeFromRedirect(r, "s");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(denied.error().vendor_code, "access_denied");
  EXPECT_NE(denied.error().message.find("declined"), std::string::npos) << denied.error().message;

  r.error = "invalid_scope";
  r.error_description = "cjp:nope is unknown";
  auto scope = CodeFromRedirect(r, "s");
  ASSERT_FALSE(scope);
  EXPECT_EQ(scope.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(scope.error().message.find("invalid_scope"), std::string::npos);
  EXPECT_NE(scope.error().message.find("cjp:nope is unknown"), std::string::npos);

  // An error redirect carrying another login's state is a mismatch, not that login's error.
  r.state = "other";
  auto foreign = CodeFromRedirect(r, "s");
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().vendor_code, "state_mismatch");
}

TEST(WebexLoginAuthorizeUrl, CarriesStateScopeAndTheLoopbackRedirect) {
  OAuthConfig config;
  config.client_id = "C123";
  config.redirect_uri = "http://127.0.0.1:8765/callback";
  auto url = BuildAuthorizeUrl(config, {kScopeConfigRead}, "st-1");
  EXPECT_EQ(url.rfind("https://webexapis.com/v1/authorize?", 0), 0u) << url;
  EXPECT_NE(url.find("response_type=code"), std::string::npos) << url;
  EXPECT_NE(url.find("client_id=C123"), std::string::npos) << url;
  EXPECT_NE(url.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback"), std::string::npos) << url;
  EXPECT_NE(url.find("scope=cjp%3Aconfig_read"), std::string::npos) << url;
  EXPECT_NE(url.find("state=st-1"), std::string::npos) << url;
}

}  // namespace
