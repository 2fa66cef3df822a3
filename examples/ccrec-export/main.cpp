// ccrec-export: copies contact-center call recordings and their metadata into S3 or a
// directory. The reference program of the ccrec SDK.
#include "commands.hpp"

#include <iostream>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
  using namespace ccrec_cli;
  CLI::App app{"ccrec-export: export contact-center call recordings and metadata to S3 or a directory"};
  app.set_version_flag("--version", std::string("ccrec-export ") + CCREC_VERSION);
  app.require_subcommand(1);
  // (subcommand name, action), one per vendor; see commands.hpp.
  std::vector<std::pair<std::string, std::function<int()>>> commands;
  auto add = [&](std::string name, void (*register_command)(CLI::App&, std::function<int()>&)) {
    commands.emplace_back(std::move(name), nullptr);
    register_command(app, commands.back().second);
  };
  add("webex", RegisterWebex);
  add("huawei", RegisterHuawei);
  add("face", RegisterFace);
  add("webex-legacy", RegisterWebexLegacy);
  add("s3-presign", RegisterS3Presign);
  try {
    app.parse(argc, argv);
  } catch (CLI::CallForHelp const& e) {
    return app.exit(e);
  } catch (CLI::CallForAllHelp const& e) {
    return app.exit(e);
  } catch (CLI::CallForVersion const& e) {
    return app.exit(e);
  } catch (CLI::ParseError const& e) {
    std::cerr << "ccrec-export: error: " << e.what() << "\n";
    std::cerr << "Run with --help for usage.\n";
    return kExitUsage;
  }
  try {
    for (auto& [name, action] : commands) {
      if (app.got_subcommand(name)) return action();
    }
  } catch (UsageError const& e) {
    std::cerr << "ccrec-export: error: " << e.message << "\n";
    return kExitUsage;
  } catch (std::exception const& e) {
    std::cerr << "ccrec-export: fatal: " << e.what() << "\n";
    return kExitFatal;
  }
  std::cerr << "ccrec-export: error: no subcommand\n";
  return kExitUsage;
}
