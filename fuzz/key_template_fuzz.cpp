// SPDX-License-Identifier: Apache-2.0
// Property target: KeyTemplate::Render with server-provided ids always yields keys the sinks
// accept, and different recordings never share a key
// (include/ccrec/exporter/key_template.hpp).
//
// Input: one byte choosing the date, then '\x01'-separated fields: the template text, task id,
// recording id A, recording id B, segment id, file name, the value of an extra {ani} placeholder.
// Properties, for every template KeyTemplate::Parse accepts:
//  - every rendered key passes the filesystem sink's key validation (the stricter of the two
//    sinks: the S3 sink rejects a subset: empty, NUL, "." and ".." segments): Stat() never
//    answers kInvalidArgument;
//  - when the template contains {recording_id}, two field sets that differ only in the recording
//    id render different keys. With the current SanitizeKeyComponent (which maps unsafe bytes to
//    '_' and truncates to 200 bytes, so "a/b" and "a_b" collide) this is checked for ids that
//    sanitize to themselves; drop that restriction once sanitizing is injective (hash suffixes).

#include "fuzz_util.hpp"

#include <ccrec/exporter/key_template.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>

#include <cstdlib>
#include <string>
#include <unistd.h>

namespace ex = ccrec::exporter;

namespace {

std::shared_ptr<ccrec::ObjectSink> const& Sink() {
  static std::shared_ptr<ccrec::ObjectSink> sink = [] {
    char dir[] = "/tmp/ccrec-fuzz-keys-XXXXXX";
    if (::mkdtemp(dir) == nullptr) ccrec_fuzz::Fail("mkdtemp failed");
    static std::string made = dir;
    std::atexit([] { ::rmdir(made.c_str()); });  // Stat() never creates anything
    ccrec::FilesystemSinkOptions options;
    options.root = dir;  // stays empty: Stat() only validates and finds nothing
    return ccrec::MakeFilesystemSink(options).value();
  }();
  return sink;
}

void CheckKey(std::string const& key, std::string const& tmpl) {
  auto st = Sink()->Stat(key);
  if (!st && st.error().code == ccrec::ErrorCode::kInvalidArgument) {
    ccrec_fuzz::Fail("rendered key rejected by the sink", "template: " + tmpl + "\nkey: " + key + "\n" +
                                                             st.error().message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::uint8_t const day = in.Byte();
  std::string const text(in.Until('\x01'));
  auto tmpl = ex::KeyTemplate::Parse(text, {"ani"});
  if (!tmpl) return 0;

  ex::KeyFields a;
  a.task_id = std::string(in.Until('\x01'));
  a.recording_id = std::string(in.Until('\x01'));
  std::string const rec_b(in.Until('\x01'));
  a.segment_id = std::string(in.Until('\x01'));
  a.file_name = std::string(in.Until('\x01'));
  a.extra["ani"] = std::string(in.Rest());
  if (day & 1) a.time = std::chrono::system_clock::time_point{} + std::chrono::hours(24) * (day * 97);  // up to 2037
  if (day & 2) a.ext = a.file_name;
  ex::KeyFields b = a;
  b.recording_id = rec_b;

  std::string const key_a = tmpl->Render(a);
  std::string const key_b = tmpl->Render(b);
  CheckKey(key_a, text);
  CheckKey(key_b, text);

  if (text.find("{recording_id}") != std::string::npos && a.recording_id != b.recording_id &&
      ex::SanitizeKeyComponent(a.recording_id) == a.recording_id &&
      ex::SanitizeKeyComponent(b.recording_id) == b.recording_id) {
    if (key_a == key_b) {
      ccrec_fuzz::Fail("two recordings render the same key",
                       "template: " + text + "\nrecording ids: " + a.recording_id + " | " + b.recording_id +
                           "\nkey: " + key_a);
    }
  }
  return 0;
}
