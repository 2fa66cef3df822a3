// SPDX-License-Identifier: Apache-2.0
// face::Client's authenticated calls: result documents (Call), downloads and redirects (Open),
// control commands and searches (reference oracle-face.md §3-§6).

#include "face/client_impl.hpp"

#include "face/request.hpp"
#include "internal/url.hpp"

namespace ccrec::face {

namespace util = ::ccrec::detail;

namespace {

constexpr char kMediaAccept[] = "audio/*, application/octet-stream, application/json;q=0.9, */*;q=0.5";

std::string FormEncodeMetadata(MetadataUpdate const& m, std::optional<Error>& error) {
  util::QueryParams form;
  auto text = [&](char const* name, std::optional<std::string> const& v) {
    if (!v) return;
    if (v->empty() && !error) {
      error = MakeError(ErrorCode::kInvalidArgument, std::string("FACE metadata update: ") + name + " is set but empty");
    }
    form.emplace_back(name, *v);
  };
  text("filename", m.filename);
  text("agentId", m.agent_id);
  text("agentTerminal", m.agent_terminal);
  if (m.sensitive) form.emplace_back("sensitive", *m.sensitive ? "true" : "false");
  if (m.set_never_expire) form.emplace_back("setNeverExpire", *m.set_never_expire ? "true" : "false");
  for (auto const& [name, value] : m.custom_fields) {
    if (name.empty() && !error) error = MakeError(ErrorCode::kInvalidArgument, "FACE metadata update: empty field name");
    form.emplace_back(name, value);
  }
  if (form.empty() && !error) {
    error = MakeError(ErrorCode::kInvalidArgument, "FACE metadata update: nothing to update (every field is unset)");
  }
  return util::FormEncode(form);
}

}  // namespace

Result<HttpResponse> Client::Impl::Send(HttpRequest request, std::string const& what, CallContext const& ctx) const {
  for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
  logger.Debug(what + ": " + RedactUrl(request.url));
  auto response = transport->Send(request, ctx);
  if (!response) {
    Error e = std::move(response).error();
    e.message = what + ": " + RedactSecrets(e.message);
    return e;
  }
  return response;
}

Result<util::BufferedResponse> Client::Impl::Call(std::string const& command, std::string const& query,
                                                  std::optional<std::string> const& form, bool idempotent,
                                                  std::function<bool(detail::ResultHeader const&)> const& accept_code,
                                                  CallContext const& ctx) {
  std::string what = std::string("FACE ") + (form ? "POST " : "GET ") + command;
  return WithToken(what, ctx, [&](std::string const& tok) {
    std::string url = Url(command) + "?" + JoinQuery("token=" + util::PercentEncode(tok), query);
    return util::RunWithRetries(Env(), ctx, idempotent, what, [&](int) -> Result<util::BufferedResponse> {
      HttpRequest request = detail::ControlRequest(form ? "POST" : "GET", url, options);
      if (form) {
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        request.body = MakeStringBody(*form);
      }
      auto response = Send(std::move(request), what, ctx);
      if (!response) return std::move(response).error();
      auto buffered = util::BufferResponse(*response, detail::kMaxResultBytes, detail::kMaxErrorBodyBytes);
      if (!buffered) {
        Error e = std::move(buffered).error();
        e.message = what + ": reading the answer failed: " + e.message;
        return e;
      }
      util::BufferedResponse out = std::move(*buffered);
      bool ok_status = out.status >= 200 && out.status <= 299;
      auto header = detail::ReadResultHeader(out.headers, out.body);
      if (IsTokenError(out.status, header.code, header.message)) {
        return MapFaceError(out.status, out.body, out.headers, what);
      }
      // A FACE code in the answer, JSON or XML alike (ReadResultHeader reads both by one rule),
      // decides before the HTTP status.
      if (!ok_status) {
        // FACE's HTTP statuses are undocumented (reference §7 [U]): an answer code such as 19
        // is an answer whatever the status.
        if (header.code && accept_code(header)) return out;
        return MapFaceError(out.status, out.body, out.headers, what);
      }
      // Any other code is mapped here, inside the retry loop, so that the transient ones (10, 16,
      // 20, 21, 24, 25; -1 with a 5xx) are retried.
      if (header.code && !accept_code(header)) return MapFaceError(out.status, out.body, out.headers, what);
      return out;
    });
  });
}

Result<HttpResponse> Client::Impl::Open(std::string const& command, std::string const& query, CallContext const& ctx,
                                        bool expect_redirect, bool audio) {
  std::string what = "FACE GET " + command;
  for (bool retried_11 = false;;) {
    auto result = WithToken(what, ctx, [&](std::string const& tok) {
      std::string url = Url(command) + "?" + JoinQuery("token=" + util::PercentEncode(tok), query);
      return util::RunWithRetries(Env(), ctx, true, what, [&](int) -> Result<HttpResponse> {
        HttpRequest request;
        request.url = url;
        request.headers = {{"Accept", kMediaAccept}};
        auto response = Send(std::move(request), what, ctx);
        if (!response) return response;
        int status = response->status;
        if (expect_redirect && status >= 300 && status <= 399 && response->Header("Location")) {
          return std::move(*response);
        }
        if (status < 200 || status > 299) {
          std::string body = util::ReadPrefix(response->body.get(), detail::kMaxErrorBodyBytes);
          return MapFaceError(status, body, response->headers, what);
        }
        auto content_type = response->Header("Content-Type").value_or("");
        std::string prefix;
        bool is_result = detail::IsResultContentType(content_type);
        if (content_type.empty() || (audio && !is_result)) {
          // Sniff the first bytes (audio never starts with '<' or '{'): without a Content-Type, and
          // for audio whatever its label (a server may set audio/wav before it knows the outcome).
          char buffer[64];
          while (prefix.size() < 16) {
            auto n = response->body->Read(buffer, sizeof buffer);
            if (!n) {
              Error e = std::move(n).error();
              e.message = what + ": " + e.message;
              return e;
            }
            if (*n == 0) break;
            prefix.append(buffer, *n);
          }
          auto kind = detail::Classify({}, prefix);
          bool const looks_like_result = kind == detail::BodyKind::kJson || kind == detail::BodyKind::kXml;
          if (content_type.empty()) {
            is_result = looks_like_result || kind == detail::BodyKind::kEmpty;
          } else if (looks_like_result) {
            // Labelled as media: a result only if it reads as one (a code), else replayed as served.
            prefix += util::ReadPrefix(response->body.get(), detail::kMaxErrorBodyBytes);
            auto header = detail::ReadResultHeader(response->headers, prefix);
            if (header.parsed && header.code) {
              is_result = true;
              logger.Warn(what + ": FACE answered with Content-Type \"" + content_type +
                          "\" and a result document (code " + std::to_string(*header.code) + "), not audio");
            }
          }
        }
        if (is_result) {
          std::string body = prefix + util::ReadPrefix(response->body.get(), detail::kMaxErrorBodyBytes);
          auto header = detail::ReadResultHeader(response->headers, body);
          if (header.parsed && header.code && *header.code == 0) {
            Error e = MakeError(ErrorCode::kParse, what + ": FACE answered with a result (code 0 \"" + header.message +
                                                       "\") instead of the file");
            e.http_status = status;
            return e;
          }
          if (!header.parsed && header.kind != detail::BodyKind::kEmpty) {
            Error e = MakeError(ErrorCode::kParse, what + ": expected audio, got Content-Type \"" + content_type +
                                                       "\" (\"" + detail::Snippet(body) + "\")");
            e.http_status = status;
            return e;
          }
          return MapFaceError(status, body, response->headers, what);
        }
        if (!prefix.empty()) {
          response->body = std::make_unique<util::PrefixedBodyReader>(std::move(prefix), std::move(response->body));
        }
        return std::move(*response);
      });
    });
    if (!result && result.error().vendor_code == "11" && !retried_11) {
      logger.Info(what + ": FACE code 11 (error retrieving file); retrying once");
      retried_11 = true;
      continue;
    }
    return result;
  }
}

Result<ControlResult> Client::Impl::Control(std::string const& command, Result<std::string> query,
                                            std::optional<MetadataUpdate> const& metadata, CallContext const& ctx) {
  if (!query) return std::move(query).error();
  std::optional<std::string> form;
  if (metadata) {
    std::optional<Error> error;
    form = FormEncodeMetadata(*metadata, error);
    if (error) return *error;
  }
  auto accept = [](detail::ResultHeader const& h) { return h.code == 0; };
  auto response = Call(command, *query, form, false, accept, ctx);
  if (!response) return std::move(response).error();
  std::string what = std::string("FACE ") + (form ? "POST " : "GET ") + command;
  return detail::ParseControl(response->status, response->headers, response->body, what);
}

Result<util::BufferedResponse> Client::Impl::Search(std::string const& command, SearchCriteria const& criteria,
                                                    CriteriaUse use, CallContext const& ctx) {
  auto query = EncodeCriteria(criteria, use, options.time_format);
  if (!query) return std::move(query).error();
  return Call(command, *query, std::nullopt, true, AcceptSearchCode, ctx);
}

Result<RecordingSearchResult> Client::Impl::SearchRecordings(SearchCriteria const& criteria,
                                                             CallContext const& ctx) {
  auto response = Search("audioRecording/details", criteria, CriteriaUse::kRecordingSearch, ctx);
  if (!response) return std::move(response).error();
  return detail::ParseRecordingSearch(response->status, response->headers, response->body,
                                    "FACE GET audioRecording/details", options.time_format,
                                    criteria.max_list_length.value_or(0));
}

Result<SegmentSearchResult> Client::Impl::SearchSegments(SearchCriteria const& criteria, CallContext const& ctx) {
  auto response = Search("audioRecording/segment/details", criteria, CriteriaUse::kSegmentSearch, ctx);
  if (!response) return std::move(response).error();
  return detail::ParseSegmentSearch(response->status, response->headers, response->body,
                                  "FACE GET audioRecording/segment/details", options.time_format,
                                  criteria.max_list_length.value_or(0));
}

bool Client::Impl::AcceptSearchCode(detail::ResultHeader const& h) {
  if (!h.code) return true;
  return *h.code == 0 || *h.code == 19 || (*h.code == -1 && (h.has_matches || detail::IsListMessage(h.message)));
}

Result<std::string> Client::Impl::SegmentQuery(Segment const& segment) const {
  SearchCriteria c;
  if (options.segment_selector == SegmentSelector::kFilename) {
    if (segment.filename.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "FACE segment " + segment.segment_id +
                                                        " has no file name to select it by (segment_selector kFilename)");
    }
    c.filename = segment.filename;
  } else {
    if (segment.segment_id.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "FACE segment has no segmentId to select it by");
    }
    c.segment_id = segment.segment_id;
  }
  return EncodeCriteria(c, CriteriaUse::kSegmentSelection, options.time_format);
}

}  // namespace ccrec::face
