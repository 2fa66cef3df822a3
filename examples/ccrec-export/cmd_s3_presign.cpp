// SPDX-License-Identifier: Apache-2.0
// ccrec-export s3-presign s3://BUCKET/KEY [--expires SECONDS] [--method GET|PUT]: prints a
// presigned URL, like `aws s3 presign`.
#include "commands.hpp"

#include <ccrec/s3/presign.hpp>
#include <ccrec/s3/credentials.hpp>

#include <iostream>
#include <memory>

namespace ccrec_cli {

namespace {

struct PresignFlags {
  CommonOptions common;
  std::string uri;
  long long expires = 3600;
  std::string method = "GET";
  std::string content_type;
};

int RunPresign(PresignFlags& f) {
  auto uri = ccrec::s3::ParseS3Uri(f.uri);
  if (!uri) throw UsageError{uri.error().message};
  if (uri->key.empty()) throw UsageError{"\"" + f.uri + "\" names no object: use s3://BUCKET/KEY"};
  auto conn = ResolveS3Connection(f.common);
  auto logger = MakeLogger(f.common);
  ccrec::s3::S3PresignOptions o;
  o.region = conn.region;
  o.endpoint = conn.endpoint;
  o.path_style = conn.path_style;
  o.method = f.method;
  o.expires = std::chrono::seconds(f.expires);
  o.content_type = f.content_type;
  o.credentials = MakeAwsCredentials(f.common, MakeS3Transport(f.common, conn, logger), logger);
  auto url = ccrec::s3::PresignS3Object(uri->bucket, uri->key, o);
  if (!url) {
    if (url.error().code == ccrec::ErrorCode::kInvalidArgument) throw UsageError{url.error().message};
    std::cerr << "ccrec-export: error: " << url.error().ToString() << "\n";
    return kExitFatal;
  }
  std::cout << url->url << std::endl;
  return kExitOk;
}

}  // namespace

void RegisterS3Presign(CLI::App& app, std::function<int()>& action) {
  auto f = std::make_shared<PresignFlags>();
  auto* cmd = app.add_subcommand("s3-presign", "print a presigned URL for an S3 object (like `aws s3 presign`)");
  cmd->add_option("uri", f->uri, "s3://BUCKET/KEY")->required();
  cmd->add_option("--expires", f->expires, "validity in seconds (1..604800)")
      ->check(CLI::Range(1LL, 604800LL))
      ->capture_default_str();
  cmd->add_option("--method", f->method, "GET (download) or PUT (upload)")
      ->check(CLI::IsMember({"GET", "PUT"}))
      ->capture_default_str();
  cmd->add_option("--content-type", f->content_type, "PUT only: a Content-Type the uploader must send");
  AddS3Flags(*cmd, f->common);
  action = [f] { return RunPresign(*f); };
}

}  // namespace ccrec_cli
