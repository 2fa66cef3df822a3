// SPDX-License-Identifier: Apache-2.0
// Self-checks of the integration test harness (tests/integration/harness.hpp): RunProgram, ServerProcess,
// HttpGet/HttpPost and TempDir, against tests/emulators/http_test_server.py.

#include "integration/transport/curl_transport_test_util.hpp"

#include <fstream>

namespace curl_transport_test {
namespace {

TEST(HarnessTest, RunProgramCapturesStreamsEnvAndExitCode) {
  auto result = ccrec_it::RunProgram({"/bin/sh", "-c", "cat; echo \"v=$CCREC_IT_X\"; echo oops >&2; exit 3"},
                                     {{"CCREC_IT_X", "42"}}, "from stdin\n");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "from stdin\nv=42\n");
  EXPECT_EQ(result.err, "oops\n");
  EXPECT_EQ(result.LastLine(), "v=42");

  auto unset = ccrec_it::RunProgram({"/bin/sh", "-c", "echo \"[${HOME-unset}]\""}, {{"HOME", "\x01unset"}});
  EXPECT_EQ(unset.out, "[unset]\n");

  auto killed = ccrec_it::RunProgram({"/bin/sh", "-c", "sleep 30"}, {}, {}, std::chrono::seconds(1));
  EXPECT_EQ(killed.exit_code, 128 + 9);
}

TEST(HarnessTest, HttpGetAndPostAndTempDir) {
  auto server = ccrec_it::ServerProcess::Start("http_test_server.py");
  ASSERT_NE(server, nullptr);
  EXPECT_GT(server->Port(), 0);
  EXPECT_EQ(server->Get("base_url"), "https://127.0.0.1:" + std::to_string(server->Port()));
  EXPECT_EQ(server->Get("ca_file"), server->StateDir() + "/ca.pem");  // state_dir() is --state-dir
  EXPECT_EQ(server->Get("pid"), std::to_string(server->Pid()));
  auto [status, body] = ccrec_it::HttpGet(server->Get("base_url") + "/bytes?n=3", server->Get("ca_file"));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, Pattern(3));
  auto [post_status, echo] = ccrec_it::HttpPost(server->Get("base_url") + "/echo", "{}", "application/json",
                                                server->Get("ca_file"));
  EXPECT_EQ(post_status, 200);
  EXPECT_THAT(echo, HasSubstr(ccrec_it::Sha256Hex("{}")));

  std::string path;
  {
    ccrec_it::TempDir dir("ccrec-harness");
    path = dir.Path();
    ccrec_it::WriteFile(dir / "f.txt", "abc");
    EXPECT_EQ(ccrec_it::ReadFile(dir / "f.txt"), "abc");
  }
  std::ifstream gone(path + "/f.txt");
  EXPECT_FALSE(gone.good());
}

}  // namespace
}  // namespace curl_transport_test
