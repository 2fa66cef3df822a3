// SPDX-License-Identifier: Apache-2.0
// Consumer check for the optional ccrec::manifest_sqlite (installed when ccrec was built with
// SQLite 3): a manifest in a scratch directory, bound to a destination, one entry appended and
// read back after reopening.
#include <ccrec/manifest_sqlite/sqlite_manifest.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include <unistd.h>

int main() {
  char dir_template[] = "/tmp/ccrec-consumer-sqlite-XXXXXX";
  char* dir = ::mkdtemp(dir_template);
  if (dir == nullptr) return std::printf("consumer_manifest_sqlite: mkdtemp\n"), 1;
  std::string const path = std::string(dir) + "/manifest.sqlite";
  int rc = 0;
  {
    auto manifest = ccrec::manifest_sqlite::OpenSqliteManifest(path);
    if (!manifest) {
      rc = (std::printf("consumer_manifest_sqlite: %s\n", manifest.error().ToString().c_str()), 2);
    } else if (!(*manifest)->Bind("file:///archive", "{task_id}/{recording_id}{ext}")) {
      rc = (std::printf("consumer_manifest_sqlite: Bind\n"), 3);
    } else {
      ccrec::exporter::ManifestEntry entry;
      entry.source = "webex";
      entry.task_id = "task-1";
      entry.recording_id = "rec-1";
      entry.key = "task-1/rec-1.wav";
      entry.bytes = 6;
      entry.status = ccrec::exporter::ItemStatus::kExported;
      if (!(*manifest)->Append(entry) || !(*manifest)->Sync()) rc = (std::printf("consumer_manifest_sqlite: Append\n"), 4);
    }
  }
  if (rc == 0) {
    auto reopened = ccrec::manifest_sqlite::OpenSqliteManifest(path);
    auto last = reopened ? (*reopened)->LastExported("webex", "task-1", "rec-1", "") : std::nullopt;
    if (!last || last->key != "task-1/rec-1.wav" || last->bytes != 6) {
      rc = (std::printf("consumer_manifest_sqlite: the entry did not survive reopening\n"), 5);
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return rc;
}
