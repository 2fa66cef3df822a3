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

}  // namespace
