// ccrec-export: copies contact-center call recordings and their metadata into S3 or a
// directory. The reference program of the ccrec SDK.
#include "commands.hpp"

#include <ccrec/version.hpp>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
  using namespace ccrec_cli;
#if defined(__GLIBC__)
  // glibc gives each worker thread its own malloc arena (up to 8 per core), which let peak RSS
  // grow with --concurrency (bench/RESULTS.md: 65 MiB at 8 workers, 45 MiB with 2 arenas). Two
  // arenas keep memory bounded; an explicit MALLOC_ARENA_MAX in the environment still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
#endif
  CLI::App app{"ccrec-export: export contact-center call recordings and metadata to S3 or a directory"};
  // The version of the ccrec library loaded at run time (help2man reads this line).
  app.set_version_flag("--version", std::string("ccrec-export ") + ccrec::Version());
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
