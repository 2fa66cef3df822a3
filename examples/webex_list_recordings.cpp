// SPDX-License-Identifier: Apache-2.0
// Lists the recordings of the Webex Contact Center tasks created in the last N hours, using a
// token file written by `ccrec-export webex` (or any OAuth bootstrap).
//
//   webex_list_recordings TOKEN_FILE REGION HOURS     (CCREC_WEBEX_CLIENT_ID/_SECRET in the env)
#include <ccrec/core/token_store.hpp>
#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: webex_list_recordings TOKEN_FILE REGION HOURS\n";
    return 2;
  }
  char const* id = std::getenv("CCREC_WEBEX_CLIENT_ID");
  char const* secret = std::getenv("CCREC_WEBEX_CLIENT_SECRET");
  if (id == nullptr || secret == nullptr) {
    std::cerr << "set CCREC_WEBEX_CLIENT_ID and CCREC_WEBEX_CLIENT_SECRET\n";
    return 2;
  }
  auto base_url = ccrec::webex::BaseUrlForRegion(argv[2]);
  if (!base_url) {
    std::cerr << base_url.error().message << "\n";
    return 2;
  }

  auto transport = ccrec::MakeCurlTransport();
  ccrec::webex::OAuthClientOptions oauth_options;
  oauth_options.config.client_id = id;
  oauth_options.config.client_secret = secret;
  oauth_options.store = ccrec::MakeJsonFileTokenStore(argv[1]);
  oauth_options.transport = transport;
  auto oauth = std::make_shared<ccrec::webex::OAuthClient>(oauth_options);

  ccrec::webex::ClientOptions options;
  options.base_url = *base_url;
  options.tokens = oauth;
  options.transport = transport;
  ccrec::webex::Client client(options);

  ccrec::webex::TaskQuery query;
  query.to = std::chrono::system_clock::now();
  query.from = query.to - std::chrono::hours(std::atoi(argv[3]));
  query.channel_types = {"telephony"};
  std::vector<std::string> task_ids;
  for (auto& task : client.ListTasks(query)) {
    if (!task) {
      std::cerr << "listing tasks failed: " << task.error().ToString() << "\n";
      return 1;
    }
    task_ids.push_back(task->id);
  }
  auto captures = client.QueryCapturesBatched(task_ids, ccrec::webex::CaptureQuery{});
  if (!captures) {
    std::cerr << "captures failed: " << captures.error().ToString() << "\n";
    return 1;
  }
  for (auto const& task : *captures) {
    for (auto const& recording : task.recordings) {
      std::cout << task.task_id << " " << recording.id << " " << recording.attributes.file_name.value_or("?")
                << " " << recording.attributes.call_type.value_or("?") << "\n";
    }
  }
  return 0;
}
