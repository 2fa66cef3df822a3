// SPDX-License-Identifier: Apache-2.0
// FACE response templates (issue 16 item 4): `format=template&formatName=..&version=..` on the
// retrieval commands, answers passed through unchanged (ISR API Guide, "REST API Commands";
// "Format Responses in the Default 'verint' Template").

#include <ccrec/face/templates.hpp>

#include "face/client_impl.hpp"
#include "face/sidecar.hpp"
#include "internal/crypto.hpp"
#include "internal/json.hpp"
#include "internal/url.hpp"

#include <rapidjson/document.h>

#include <algorithm>

namespace ccrec::face {

namespace util = ::ccrec::detail;

namespace {

bool IsVersion(std::string_view v) {
  return !v.empty() && v.size() <= 9 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c >> 5) == 0x6) {
      n = 1;
      cp = c & 0x1FU;
    } else if ((c >> 4) == 0xE) {
      n = 2;
      cp = c & 0x0FU;
    } else if ((c >> 3) == 0x1E) {
      n = 3;
      cp = c & 0x07U;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3FU);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

Result<TemplateFormat> ParseTemplateFormat(std::string_view text) {
  TemplateFormat f;
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos && IsVersion(text.substr(colon + 1))) {
    f.name = std::string(text.substr(0, colon));
    f.version = std::string(text.substr(colon + 1));
  } else {
    f.name = std::string(text);
  }
  if (f.name.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE template \"" + std::string(text) +
                                                      "\": the template name is empty (give NAME or NAME:VERSION, "
                                                      "e.g. verint or verint:2)");
  }
  return f;
}

Result<TemplatedAnswer> Client::SearchTemplated(TemplateCommand command, SearchCriteria const& criteria,
                                                TemplateFormat const& format, CallContext const& ctx) const {
  bool segments = command == TemplateCommand::kSegmentDetails;
  std::string name = segments ? "audioRecording/segment/details" : "audioRecording/details";
  std::string what = "FACE GET " + name + " (format=template)";
  if (format.name.empty()) return MakeError(ErrorCode::kInvalidArgument, what + ": the template name is empty");
  if (format.version && !IsVersion(*format.version)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     what + ": the template version \"" + *format.version + "\" is not 1 to 9 digits");
  }
  auto query = EncodeCriteria(criteria, segments ? CriteriaUse::kSegmentSearch : CriteriaUse::kRecordingSearch,
                              impl_->options.time_format);
  if (!query) return std::move(query).error();
  util::QueryParams params = {{"format", "template"}, {"formatName", format.name}};
  if (format.version) params.emplace_back("version", *format.version);
  std::string full = Impl::JoinQuery(*query, util::BuildQuery(params));
  // A FACE result (JSON or XML) with a code other than 0 is FACE's error (mapped by Call, transient
  // codes retried); anything else is the template's output.
  auto accept = [](detail::ResultHeader const& h) { return !h.code || *h.code == 0; };
  auto response = impl_->Call(name, full, std::nullopt, true, accept, ctx);
  if (!response) return std::move(response).error();
  TemplatedAnswer out;
  out.http_status = response->status;
  out.content_type = FindHeader(response->headers, "Content-Type").value_or("");
  out.body = std::move(response->body);
  return out;
}

namespace detail {

std::string SidecarWithTemplate(std::string sidecar, TemplateFormat const& format, TemplatedAnswer const& answer) {
  rapidjson::Document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  auto str = [&](std::string const& s) {
    return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
  };
  doc.AddMember("formatName", str(format.name), a);
  if (format.version) doc.AddMember("version", str(*format.version), a);
  doc.AddMember("contentType", str(answer.content_type), a);
  if (IsUtf8(answer.body)) {
    doc.AddMember("text", str(answer.body), a);
  } else {
    doc.AddMember("base64", str(util::Base64Encode(answer.body)), a);
  }
  while (!sidecar.empty() && (sidecar.back() == '\n' || sidecar.back() == '}')) {
    bool brace = sidecar.back() == '}';
    sidecar.pop_back();
    if (brace) break;
  }
  return sidecar + ",\"template\":" + util::ToJson(doc) + "}\n";
}

}  // namespace detail
}  // namespace ccrec::face
