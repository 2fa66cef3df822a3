// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `huawei::AgentSession`: one agent's signed-in session on a Huawei CC-Gateway (AgentGateway) —
/// sign-in, Guid and cookies, event poll, heartbeat, sign-out and recording download.
///
/// @code
/// ccrec::huawei::AgentSessionOptions o;
/// o.gateway_url = "https://10.1.2.3:8043";
/// o.agent_id = "20011";
/// o.password = password;        // from a secret store; sent only in the sign-in body
/// o.phone_number = "70006";
/// ccrec::huawei::AgentSession session(o);
/// if (auto signed_in = session.SignIn(); !signed_in) return signed_in.error();
/// auto file = session.OpenRecordFile({"Y:/6/0/20161025/20011/1902050.V3"});
/// // stream file->body ..., then
/// (void)session.SignOut();
/// @endcode
///
/// Source: ccrec reference `huawei-cc-gateway.md` §1–§4, §6–§8.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/http_client_options.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/huawei/errors.hpp>
#include <ccrec/huawei/models.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccrec::huawei {

/// How the session treats `Set-GUID` headers after sign-in (reference §3).
enum class GuidMode {
  /// AUTHMODE=2 (the gateway default): any response's `Set-GUID` replaces the Guid at once.
  kDynamic,
  /// AUTHMODE=1: the Guid of the sign-in stays; later `Set-GUID` headers are ignored (logged once).
  /// UpdateGuid() still applies.
  kStatic,
};

/// When the session uses `PUT …/onlineagent/{agentid}/forcelogin` after retcode 100-002
/// ("agent already signed in", reference §2).
enum class ForceLogin {
  /// Never: 100-002 fails the sign-in (kPermissionDenied, vendor_code "100-002").
  kNever,
  /// Not for the first sign-in (someone else may be using the agent), but when signing in again after
  /// ccrec lost its own session (the gateway may still hold that session). Default.
  kOnRecovery,
  /// Always (the CLI's --force-login): take the agent over from whoever is signed in.
  kAlways,
};

/// How `recordId` is written into the download URL (reference §6.1).
enum class RecordIdEncoding {
  /// RFC 3986 percent-encoding of every byte except `A-Z a-z 0-9 - . _ ~` (`:` → %3A, `/` → %2F,
  /// `\` → %5C, space → %20, `+` → %2B, UTF-8 bytes → %XX). Default.
  kPercentEncode,
  /// Like kPercentEncode but keeps `:` `/` `\` literal (for gateways that expect the path unencoded; an
  /// interoperability fallback — `+ & # % ? =` and spaces are still encoded).
  kKeepPathCharacters,
};

/// Construction options of AgentSession. `gateway_url`, `agent_id` and `password` are required.
///
/// From HttpClientOptions: `retry` covers transport errors, non-2xx answers and retryable retcodes
/// (000-000, 000-004, 000-007, 100-003, 100-007; CallContext::retry overrides it per call);
/// `logger` receives sign-ins, Guid changes (never the Guid itself), re-sign-ins and large files.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT AgentSessionOptions : HttpClientOptions {
  /// The gateway: "https://<ip>:<port>" (default port 8043 on real gateways); the path
  /// "/agentgateway/resource/" is appended unless the URL already has a path, which is then used as
  /// the resource root. http:// is accepted for tests and logged as a warning (the password would
  /// travel unencrypted).
  std::string gateway_url;
  /// Agent (CTI work number), digits only (101–999999 on real gateways).
  std::string agent_id;
  /// Agent password. Sent only in the sign-in body; never logged, never in URLs or error messages.
  std::string password;
  /// Softphone number (`phonenum`, max 24 characters).
  std::string phone_number;
  /// Optional sign-in fields (default: status 3 = busy).
  SignInFields sign_in;
  /// forcelogin policy on 100-002. Default kOnRecovery.
  ForceLogin force_login = ForceLogin::kOnRecovery;
  /// Guid handling. Default kDynamic.
  GuidMode guid_mode = GuidMode::kDynamic;
  /// recordId encoding. Default kPercentEncode.
  RecordIdEncoding record_id_encoding = RecordIdEncoding::kPercentEncode;
  /// Downloads of this agent running at the same time; further OpenRecordFile() calls wait (cancellable)
  /// until a download's body is finished or dropped. Default 1 (reference §9: one download at a time
  /// per agent). Values below 1 are treated as 1.
  int max_concurrent_downloads = 1;
  /// Total time one attempt of an API call (sign-in, sign-out, heartbeat, updateGuid: connect,
  /// request, status, headers and body) may take before it fails with kDeadlineExceeded. Bounds a
  /// gateway that trickles its answer, which the transport's low-speed floor (1 byte/s) never
  /// catches. Default 30 s; 0 = none.
  /// Recording downloads get no total timeout: they keep the transport's low-speed floor only.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  /// Total time of one event poll attempt. The poll is a long poll the gateway holds for 10 s when
  /// there is no event (reference §4), so this must be well above 10 s (ccrec-export
  /// --request-timeout T sets it to T + 10 s). Default 30 s; 0 = none.
  std::chrono::milliseconds poll_timeout{std::chrono::seconds(30)};
  /// Downloads larger than this are logged as a warning (Huawei advises against downloading files over
  /// 30 MB through the gateway, reference §6.2). Default 30 MiB (31,457,280 bytes); 0 disables.
  std::uint64_t large_file_warning_bytes = std::uint64_t{30} << 20;
  /// Hard limit: a download declaring (or streaming) more bytes fails with kInvalidArgument.
  /// Default: none.
  std::optional<std::uint64_t> max_file_bytes;
};

/// A download request (reference §6).
struct CCREC_EXPORT RecordFileRequest {
  RecordFileRequest() = default;
  /// @param id the record event's fileName; @param type filetype (1 or 2); @param location locationId or empty.
  RecordFileRequest(std::string id, int type = 1, std::string location = {})  // NOLINT(implicit)
      : record_id(std::move(id)), file_type(type), location_id(std::move(location)) {}
  RecordFileRequest(char const* id) : record_id(id) {}  // NOLINT(implicit)

  /// `recordId`: the `fileName` of the record event, byte-for-byte. Required.
  std::string record_id;
  /// `filetype`: 1 agent call recording (default), 2 IVR or third-party voice message.
  int file_type = 1;
  /// `locationId` (digits): mandatory in CTI pool mode; not sent when empty.
  std::string location_id;
};

/// Counters of a session, for diagnostics and tests.
struct CCREC_EXPORT SessionStats {
  /// Successful sign-ins (first, forced and re-sign-ins).
  std::uint64_t sign_ins = 0;
  /// Sign-ins done to recover a lost session (100-006, 000-003, 100-008, 107-000).
  std::uint64_t re_sign_ins = 0;
  /// Sign-ins that used forcelogin.
  std::uint64_t force_logins = 0;
  /// Guid changes after sign-in (Set-GUID or UpdateGuid()).
  std::uint64_t guid_updates = 0;
  /// Bumped by every sign-in and sign-out; responses of an older generation are ignored.
  std::uint64_t generation = 0;
  /// Whether the session is signed in.
  bool signed_in = false;
};

/// One agent's session on a CC-Gateway.
///
/// Every call sends `Content-Type: application/json; charset=UTF-8` (reference §1), the current
/// `Guid` (after sign-in) and the agent's cookie jar as `Cookie` (every `Set-Cookie` name=value pair the
/// gateway sent this session; attributes are ignored except `Max-Age`/`Expires` deletion; the jar is
/// never shared with another agent). Every response — errors and downloads included — is checked
/// for `Set-GUID`; its value (without a `JSESSIONID=` prefix) replaces the Guid at once, under the
/// session's mutex, unless the response belongs to an older sign-in (generation) or carries a Guid
/// this session already replaced.
///
/// Success is judged by `retcode` (HTTP 200 carries failures too); see MapHuaweiError(). Transport
/// errors, non-2xx statuses and the retryable retcodes are retried through the RetryPolicy. When a call
/// finds the session lost (100-006, 000-003, 100-008, 107-000) the session signs in again — once, even
/// when many threads notice at the same time (single-flight: the others wait and reuse the result; a
/// failed re-sign-in is not repeated for the same lost session) — and the call is retried once.
///
/// @par Thread safety
/// All methods are thread-safe. Copies are cheap and share one session (Guid, cookies, counters).
/// Sign-in and sign-out never overlap (reference §2).
class CCREC_EXPORT AgentSession {
 public:
  /// Builds the session; no I/O happens here. Missing transport/clock/sleeper get defaults.
  explicit AgentSession(AgentSessionOptions options);

  /// Signs in: `PUT {root}onlineagent/{agentid}` with `{"password","phonenum",...}`; on 100-002 and
  /// when ForceLogin allows, `PUT …/onlineagent/{agentid}/forcelogin` with the same body. The Guid is
  /// taken from `Set-GUID` (else the `Guid` header); cookies start afresh from the response. A second
  /// call signs in again (new generation).
  ///
  /// @return the sign-in result.
  /// Errors: kInvalidArgument for bad options (gateway URL, agent id, empty password or phone, checked
  /// before anything is sent) or retcode 100-001/000-002; kUnauthenticated for 100-004 (wrong agent or
  /// password; not retried); kPermissionDenied for 100-002 when forcelogin is not allowed; kParse when a
  /// successful answer has no Guid; kTransport (TLS verification failure included), kUnavailable,
  /// kRateLimited (000-007) after retries; kCancelled, kDeadlineExceeded.
  /// Source: reference §2, §3.
  /// @par Thread safety
  /// Thread-safe; serialised with SignOut() and re-sign-ins.
  Result<SignInResult> SignIn(CallContext const& ctx = {}) const;

  /// Signs out: `DELETE {root}onlineagent/{agentid}/logout`, then forgets the Guid and cookies. A session
  /// that is not signed in (or that the gateway already dropped: 100-006, 100-008, 000-003) counts as
  /// signed out. No call is made afterwards by this session unless SignIn() is called again; a lost
  /// session is not recovered after SignOut().
  ///
  /// Errors: transport and gateway errors (the gateway signs the agent out by itself 2 minutes after
  /// the last poll); kCancelled, kDeadlineExceeded. The local state is cleared either way.
  /// Source: reference §7.
  /// @par Thread safety
  /// Thread-safe; stop the event poll first (EventPoller::Stop()).
  Result<void> SignOut(CallContext const& ctx = {}) const;

  /// One long poll: `GET {root}agentevent/{agentid}`, held by the gateway up to 10 s when there is no
  /// event; per-attempt timeout AgentSessionOptions::poll_timeout. Also the keep-alive: without a poll
  /// (or heartbeat) for 2 minutes the gateway signs the agent out.
  ///
  /// @return the events of the answer: usually none or one; a missing or null `event` is none; an array
  /// is accepted; entries that are not objects are skipped (logged).
  /// Errors: kUnauthenticated when not signed in or after one failed recovery; kParse for a malformed
  /// answer; others as SignIn(). Not retried (the EventPoller paces retries).
  /// Source: reference §4.
  /// @par Thread safety
  /// Thread-safe; use one poller per agent.
  Result<std::vector<AgentEvent>> PollEvents(CallContext const& ctx = {}) const;

  /// Heartbeat: `POST {root}onlineagent/{agentid}/handshake` (push-mode keep-alive; polling
  /// sessions keep alive by polling).
  /// Errors: as PollEvents(). Source: reference §4 (heartbeat).
  /// @par Thread safety
  /// Thread-safe.
  Result<void> Heartbeat(CallContext const& ctx = {}) const;

  /// Forces a new Guid: `PUT {root}onlineagent/{agentid}/updateGuid`; `result.guid` (or `Set-GUID`)
  /// becomes the session's Guid, in both Guid modes.
  /// Errors: as PollEvents(); kParse when the answer has no Guid. Source: reference §3 (Update GUID).
  /// @par Thread safety
  /// Thread-safe.
  Result<void> UpdateGuid(CallContext const& ctx = {}) const;

  /// Opens a recording for streaming:
  /// `GET {root}recordfile/{agentid}?recordId=<encoded fileName>&filetype=1|2[&locationId=N]`.
  ///
  /// Waits for a download slot first (AgentSessionOptions::max_concurrent_downloads; the slot is
  /// released when the returned body ends, fails or is destroyed). The Content-Type of a 2xx answer
  /// decides: `application/octet-stream` (or audio/…, video/…) is the file; JSON is an error envelope
  /// `{retcode, message, result}` mapped with MapHuaweiError(); a missing Content-Type is sniffed (a
  /// body starting with `{` that parses as an envelope is an error, anything else is the file); other
  /// types (text/html from a proxy) are kParse. A declared size above
  /// AgentSessionOptions::large_file_warning_bytes is logged as a warning; above max_file_bytes it fails.
  /// 104-009 (conversion failed) is retried once. The download cannot resume (no Range support is
  /// documented), so a retry starts from the first byte.
  ///
  /// @param request record_id (required, non-empty), file_type (1 or 2), location_id (digits or empty).
  /// @return a response with status 2xx and a streaming body (read by one thread).
  /// Errors: kInvalidArgument for a bad request (nothing sent), 000-002, 104-007, 104-009, 104-010 or a
  /// file above max_file_bytes; kNotFound (104-005); kPermissionDenied (104-001, 104-002, 104-004,
  /// 104-008); kUnauthenticated when the session cannot be recovered; kParse (unexpected Content-Type,
  /// malformed error body); kRateLimited/kUnavailable/kTransport after retries; kCancelled,
  /// kDeadlineExceeded (also while waiting for a slot).
  /// Source: reference §6, §6.1, §6.2, §8.
  /// @par Thread safety
  /// Thread-safe.
  Result<HttpResponse> OpenRecordFile(RecordFileRequest const& request, CallContext const& ctx = {}) const;

  /// The download URL for `request` (no secrets in it; for logs and tests).
  /// @return the URL, or kInvalidArgument as OpenRecordFile() would.
  /// @par Thread safety
  /// Thread-safe.
  Result<std::string> RecordFileUrl(RecordFileRequest const& request) const;

  /// The agent id. @par Thread safety Thread-safe.
  std::string const& AgentId() const;
  /// Whether the session is signed in (as far as ccrec knows). @par Thread safety Thread-safe.
  bool SignedIn() const;
  /// Counters (sign-ins, re-sign-ins, forcelogins, Guid updates). @par Thread safety Thread-safe.
  SessionStats Stats() const;
  /// The current Guid (a credential: do not log it). Empty when not signed in.
  /// @par Thread safety Thread-safe.
  std::string CurrentGuid() const;

 private:
  struct CCREC_HIDDEN Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ccrec::huawei
