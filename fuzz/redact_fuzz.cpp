// SPDX-License-Identifier: Apache-2.0
// Property target: a planted secret never survives RedactSecrets / RedactUrl
// (include/ccrec/core/log.hpp).
//
// Input: one byte choosing the shape, one choosing the separator, then fuzzer-chosen text split at
// the first '\x01' into a prefix and a suffix. The text fed to RedactSecrets is
//   prefix + separator + shape(SECRET) + separator + suffix
// for every shape RedactSecrets documents (secret headers, Bearer/Basic, query/form/key=value
// names, JSON string members incl. camelCase names, secret XML elements), and RedactUrl gets
//   "https://host/" + path + shape(SECRET) + "&" + suffix
// for the URL shapes (query, fragment, presigned query, userinfo).
// The separator is whitespace or one of & , ; (not a quote, see DropQuotes): a name glued to preceding word characters
// ("xaccess_token=") is another name, and one glued to a preceding key=value by other punctuation
// ("signature=a[Authorization: ...") is part of that value; neither is a documented shape.
// The fuzzer's own bytes cannot spell the secret: its first letter 'Q' is removed from them.
// The prefix has no quotes (see DropQuotes).

#include "fuzz_util.hpp"

#include <ccrec/core/log.hpp>

#include <algorithm>
#include <string>

namespace {

constexpr std::string_view kSecret = "Qz8sEcReT4vAl";

// {before, after}: text = before + SECRET + after.
struct Shape {
  char const* before;
  char const* after;
};

constexpr Shape kTextShapes[] = {
    {"Authorization: Bearer ", ""},
    {"Authorization: ", ""},
    {"authorization:", " x"},
    {"Proxy-Authorization: Basic ", ""},
    {"Cookie: JSESSIONID=", "; other=1"},
    {"Set-Cookie: sid=", "; Path=/; HttpOnly"},
    {"Guid: ", ""},
    {"Set-GUID: JSESSIONID=", ""},
    {"X-Amz-Security-Token: ", ""},
    {"Token: ", ""},
    {"X-aws-ec2-metadata-token: ", ""},
    {"Bearer ", ""},
    {"bearer\t", " trailing"},
    {"Basic ", ""},
    {"access_token=", "&x=1"},
    {"refresh_token=", ""},
    {"id_token=", ""},
    {"client_secret=", "&grant_type=refresh_token"},
    {"password=", ""},
    {"passwd=", ""},
    {"token=", ""},
    {"code=", "&state=1"},
    {"api_key=", ""},
    {"apiKey=", ""},
    {"api-key=", ""},
    {"aws_secret_access_key=", ""},
    {"aws_session_token=", ""},
    {"X-Amz-Signature=", ""},
    {"X-Amz-Credential=", "%2F20261101%2Fus-east-1%2Fs3%2Faws4_request"},
    {"X-Amz-Security-Token=", ""},
    {"Signature=", ""},
    {"password=\"", "\""},
    {"secret_access_key='", "'"},
    {"{\"access_token\":\"", "\"}"},
    {"{\"refresh_token\" : \"", "\",\"expires_in\":3600}"},
    {"{\"client_secret\":\"", "\"}"},
    {"{\"password\":\"", "\"}"},
    {"{\"token\": \"", "\"}"},
    {"{\"accessToken\":\"", "\"}"},
    {"{\"refreshToken\":\"", "\"}"},
    {"{\"idToken\":\"", "\"}"},
    {"{\"clientSecret\":\"", "\"}"},
    {"{\"authToken\":\"", "\"}"},
    {"{\"apiKey\":\"", "\"}"},
    {"{\"SecretAccessKey\":\"", "\",\"Token\":\"x\"}"},
    {"{\"access_token\":\"", ""},  // cut off by truncation
    {"<SecretAccessKey>", "</SecretAccessKey>"},
    {"<SessionToken>", "</SessionToken>"},
    {"<Password>", "</Password>"},
    {"<token>", "</token>"},
    {"<AccessToken>", "</AccessToken>"},
    {"<ClientSecret>", "</ClientSecret>"},
};

constexpr Shape kUrlShapes[] = {
    {"?access_token=", ""},
    {"?a=1&client_secret=", ""},
    {"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261101&X-Amz-Signature=", ""},
    {"?X-Amz-Security-Token=", ""},
    {"?Expires=1&Signature=", "&Key-Pair-Id=K1"},
    {"?sv=2020&sig=", ""},
    {"?X-Goog-Signature=", ""},
    {"#access_token=", ""},
    {"?x=1#id_token=", ""},
};

// Characters that end a key=value value as well as a word: a shape glued to a preceding masked
// value by another character ("signature=a[Authorization: ...") is read as part of that value.
constexpr std::string_view kSeparators[] = {" ", "\n", "\r\n", "\t", "&", ",", ";"};

std::string Clean(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), kSecret.front(), 'q');
  return out;
}

// Drops the prefix's quotes: an unterminated quoted value ("token": "abc... with the closing
// quote lost to truncation) legitimately runs into whatever follows (RedactSecrets masks up to
// the next quote and resumes there), so a shape after it is not a shape of its own. Counting
// quotes is not enough ('K", "token": "abc' has an even count and one open value).
std::string DropQuotes(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '"' || c == '\''; }), s.end());
  return s;
}

void Check(std::string const& input, std::string const& output) {
  if (output.find(kSecret) != std::string::npos) {
    ccrec_fuzz::Fail("planted secret survived redaction", "input:  " + input + "\noutput: " + output);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::uint8_t const shape_pick = in.Byte();
  std::uint8_t const sep_pick = in.Byte();
  std::string const prefix = DropQuotes(Clean(in.Until('\x01')));
  std::string const suffix = Clean(in.Rest());
  std::string_view const sep = kSeparators[sep_pick % std::size(kSeparators)];

  constexpr std::size_t kTextCount = std::size(kTextShapes);
  std::size_t const pick = shape_pick % (kTextCount + std::size(kUrlShapes));
  if (pick < kTextCount) {
    Shape const& s = kTextShapes[pick];
    // "Token:" is documented as a header only at the start of a line ("invalid token: expired" is
    // prose a user needs to read): plant it after a line break, never after another separator.
    std::string_view const before_sep = std::string_view(s.before) == "Token: " ? std::string_view("\n") : sep;
    std::string input = prefix;
    input.append(before_sep).append(s.before).append(kSecret).append(s.after).append(sep).append(suffix);
    Check(input, ccrec::RedactSecrets(input));
  } else {
    Shape const& s = kUrlShapes[pick - kTextCount];
    // The path must stay a path: no '?' or '#' of the fuzzer's.
    std::string path = prefix;
    path.erase(std::remove_if(path.begin(), path.end(), [](char c) { return c == '?' || c == '#'; }), path.end());
    std::string url = "https://host.example/" + path + s.before + std::string(kSecret) + s.after + "&" + suffix;
    Check(url, ccrec::RedactUrl(url));
    // Userinfo.
    std::string with_user = "https://user:" + std::string(kSecret) + "@host.example/" + path;
    Check(with_user, ccrec::RedactUrl(with_user));
  }
  return 0;
}
