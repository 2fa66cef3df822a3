// SPDX-License-Identifier: Apache-2.0
// Consumer check for the optional ccrec::webex_login (installed when ccrec was built with
// cpp-httplib): state, redirect parsing and a listener on 127.0.0.1 that times out.
#include <ccrec/webex_login/login.hpp>

#include <chrono>
#include <cstdio>

int main() {
  auto state = ccrec::webex::MakeOAuthState();
  if (!state || state->size() != 43) return std::printf("consumer_webex_login: MakeOAuthState\n"), 1;
  auto redirect = ccrec::webex::ParseAuthorizationRedirect("http://127.0.0.1:1/cb?code=c&state=" + *state);
  if (!redirect || !ccrec::webex::CodeFromRedirect(*redirect, *state)) {
    return std::printf("consumer_webex_login: redirect\n"), 2;
  }
  ccrec::webex::LoopbackListenerOptions options;
  options.expected_state = *state;
  auto listener = ccrec::webex::LoopbackListener::Start(options);
  if (!listener) return std::printf("consumer_webex_login: %s\n", listener.error().ToString().c_str()), 3;
  auto code = (*listener)->WaitForCode(std::chrono::milliseconds(10));
  if (code || code.error().code != ccrec::ErrorCode::kDeadlineExceeded) {
    return std::printf("consumer_webex_login: expected a timeout\n"), 4;
  }
  return 0;
}
