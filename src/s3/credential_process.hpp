// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the pieces of MakeProcessCredentialsProvider(), exposed for tests. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/s3/credentials.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::s3::detail {

/// Splits a `credential_process` command line into arguments like Python's shlex.split() in
/// POSIX mode (what the AWS CLI uses): see ProcessCredentialsOptions::command.
/// kInvalidArgument for an empty command or an unterminated quote.
Result<std::vector<std::string>> SplitCommandLine(std::string_view command);

/// Parses the program's JSON output (Version 1, AccessKeyId, SecretAccessKey, optional
/// SessionToken and Expiration). kParse naming the field, never a value.
Result<AwsCredentials> ParseProcessOutput(std::string const& output);

/// Runs `argv` (PATH lookup, stdin /dev/null, stderr inherited) and returns its standard output.
Result<std::string> RunCredentialProcess(std::vector<std::string> const& argv,
                                                      std::chrono::milliseconds timeout,
                                                      std::size_t max_output_bytes, CallContext const& ctx);

}  // namespace ccrec::s3::detail
