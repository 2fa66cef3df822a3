// SPDX-License-Identifier: Apache-2.0
// Issue 14 item 4: a wrong subcommand or flag says what is wrong and suggests the closest one;
// `help` is --help; usage lines name ccrec-export, not the path it was started by.
#include "integration/harness.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

ccrec_it::ProgramResult Cli(std::vector<std::string> args) {
  args.insert(args.begin(), CCREC_EXPORT_BIN);
  return ccrec_it::RunProgram(args);
}

TEST(CliUsage, UnknownSubcommandsAndFlagsGetASuggestion) {
  auto bogus = Cli({"bogus"});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_NE(bogus.err.find("\"bogus\" is not a subcommand"), std::string::npos) << bogus.err;
  EXPECT_NE(bogus.err.find("webex, huawei, face, webex-legacy, s3-presign"), std::string::npos) << bogus.err;
  auto typo = Cli({"webx"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean \"webex\"?"), std::string::npos) << typo.err;
  auto flag = Cli({"face", "--pasword", "x"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("unknown flag --pasword; did you mean --password?"), std::string::npos) << flag.err;
  EXPECT_EQ(flag.err.find("--dest is required"), std::string::npos) << "the unknown flag comes first: " << flag.err;
  auto frob = Cli({"--frobnicate"});
  EXPECT_EQ(frob.exit_code, 2);
  EXPECT_NE(frob.err.find("unknown flag --frobnicate"), std::string::npos) << frob.err;
  auto none = Cli({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no subcommand given; one of webex"), std::string::npos) << none.err;
  EXPECT_EQ(none.err.find("A subcommand is required"), std::string::npos) << none.err;
}

TEST(CliUsage, HelpIsASubcommandTooAndUsageNamesTheProgram) {
  auto help = Cli({"help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("Usage: ccrec-export [OPTIONS] SUBCOMMAND"), std::string::npos) << help.out;
  auto face = Cli({"help", "face"});
  EXPECT_EQ(face.exit_code, 0) << face.err;
  EXPECT_NE(face.out.find("Usage: ccrec-export face [OPTIONS]"), std::string::npos) << face.out;
  EXPECT_NE(face.out.find("--password-file"), std::string::npos) << face.out;
}

// Issue 14 item 4: --help groups the flags (source, window, destination, S3, output, tuning), in
// that order, and each flag sits in its section whichever subcommand shows it.
TEST(CliUsage, HelpGroupsTheFlagsIntoSections) {
  std::vector<std::string> const order = {"\nSource:\n", "\nWindow:\n", "\nDestination:\n",
                                          "\nS3:\n", "\nOutput:\n", "\nTuning:\n"};
  auto section_of = [](std::string const& help, std::string const& flag) {
    auto at = help.find("  " + flag + " ");
    if (at == std::string::npos) return std::string("<missing>");
    auto colon = help.rfind(":\n", at);
    auto start = help.rfind('\n', colon - 1);
    return help.substr(start + 1, colon - start - 1);
  };
  for (std::string sub : {"webex", "face", "huawei", "webex-legacy"}) {
    SCOPED_TRACE(sub);
    auto help = Cli({sub, "--help"});
    ASSERT_EQ(help.exit_code, 0) << help.err;
    std::size_t last = 0;
    for (auto const& heading : order) {
      auto at = help.out.find(heading);
      ASSERT_NE(at, std::string::npos) << heading << " in\n" << help.out;
      EXPECT_GT(at, last) << heading << " out of order";
      last = at;
    }
    EXPECT_EQ(section_of(help.out, "--dest"), "Destination");
    EXPECT_EQ(section_of(help.out, "--manifest"), "Destination");
    EXPECT_EQ(section_of(help.out, "--s3-endpoint"), "S3");
    EXPECT_EQ(section_of(help.out, "--log-level"), "Output");
    EXPECT_EQ(section_of(help.out, "--concurrency"), "Tuning");
    EXPECT_EQ(section_of(help.out, "--ca-file"), "Source");
  }
  auto webex = Cli({"webex", "--help"}).out;
  EXPECT_EQ(section_of(webex, "--client-id"), "Source");
  EXPECT_EQ(section_of(webex, "--since-last-run"), "Window");
  auto face = Cli({"face", "--help"}).out;
  EXPECT_EQ(section_of(face, "--days-back"), "Window");
  EXPECT_EQ(section_of(face, "--face-url"), "Source");
}

}  // namespace
