// SPDX-License-Identifier: Apache-2.0
#pragma once
// `ccrec-export webex serve` (webhook receiver -> spool -> export) and `webex subscriptions
// create|list|delete`, added under `webex` by cmd_webex.cpp.

#include "cmd_webex.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace ccrec_cli {

/// A subcommand of `webex` with its own action.
struct WebexExtraSubcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// Adds `serve` and `subscriptions create|list|delete` under `webex` (sharing `f` for the token,
/// connection and destination flags).
std::vector<WebexExtraSubcommand> AddWebexServeSubcommands(CLI::App& webex, std::shared_ptr<WebexFlags> f);
/// Adds `subscriptions create|list|delete` to `out` (cmd_webex_subscriptions.cpp).
void AddWebexSubscriptionSubcommands(CLI::App& webex, std::shared_ptr<WebexFlags> f,
                                     std::vector<WebexExtraSubcommand>& out);

}  // namespace ccrec_cli
