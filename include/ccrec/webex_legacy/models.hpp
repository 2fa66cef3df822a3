// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Records of the Webex Contact Center legacy v1 API — CSR, CAR, ASR, AAR — their JSON parsing,
/// CAR ids and CSR activity chains.
///
/// Source: ccrec reference `webex-legacy-v1.md` §2 (record types), §4 (`cstts`/`cetts`), §5 (CAR
/// ids and chains). The v1 record schemas are not documented: the typed members below are the
/// commonly seen Analyzer field names and every one of them is optional. Every member a record
/// carries that is not typed here (or has an unexpected type) is kept, as its exact JSON text,
/// in `other_fields`, and the whole record is kept in `json`.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::webex_legacy {

/// The four v1 record types (the `{record-type}` path segment).
enum class RecordType {
  kCsr,  ///< `csrs`: Contact Session Records, one per contact.
  kCar,  ///< `cars`: Contact Activity Records, one per state change within a contact.
  kAsr,  ///< `asrs`: listed by the lab, not described; by analogy agent session records.
  kAar,  ///< `aars`: listed by the lab, not described; by analogy agent activity records.
};

/// The path segment: "csrs", "cars", "asrs", "aars".
///
/// Source: reference §2.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::string_view ToPathSegment(RecordType type) noexcept;

/// Parses a path segment ("csrs", "cars", "asrs", "aars"; exact, lower case).
/// @return the type, or nullopt for anything else.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::optional<RecordType> ParseRecordType(std::string_view text) noexcept;

/// A record member ccrec does not model, kept exactly as the server sent it.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT RawField {
  /// Member name (JSON-unescaped).
  std::string name;
  /// The member's value as JSON text, byte-for-byte as received except that whitespace outside
  /// strings is removed: `true` stays `true`, `1.50` stays `1.50`, objects stay objects.
  std::string json;
};

/// Time of a record field given in epoch milliseconds (`cstts`, `cetts`).
using EpochTime = std::chrono::system_clock::time_point;

/// A Contact Session Record (`csrs`): one contact.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Csr {
  std::optional<std::string> sid;               ///< `sid`: contact session id (a UUID).
  std::optional<EpochTime> cstts;               ///< `cstts`: contact start (epoch ms).
  std::optional<EpochTime> cetts;               ///< `cetts`: contact end (epoch ms).
  std::optional<std::string> ani;               ///< `ani`: calling number.
  std::optional<std::string> dnis;              ///< `dnis`: dialled number.
  std::optional<std::string> channel_type;      ///< `channelType`, e.g. "telephony".
  std::optional<std::string> direction;         ///< `direction`, e.g. "inbound".
  std::optional<std::string> entrypoint_id;     ///< `entrypointId`.
  std::optional<std::string> entrypoint_name;   ///< `entrypointName`.
  std::optional<std::string> queue_id;          ///< `queueId`.
  std::optional<std::string> queue_name;        ///< `queueName`.
  std::optional<std::string> agent_id;          ///< `agentId`.
  std::optional<std::string> agent_name;        ///< `agentName`.
  std::optional<std::string> team_id;           ///< `teamId`.
  std::optional<std::string> team_name;         ///< `teamName`.
  std::optional<std::string> site_id;           ///< `siteId`.
  std::optional<std::string> site_name;         ///< `siteName`.
  std::optional<std::string> termination_type;  ///< `terminationType`, e.g. "normal", "abandoned".
  /// Every other member, in document order, exactly as received.
  std::vector<RawField> other_fields;
  /// The whole record as compact JSON text (whitespace outside strings removed).
  std::string json;
};

/// A Contact Activity Record (`cars`): one state of a contact. Addressed as
/// `{session}-{cstts}-{state}` (see ComposeCarId()).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Car {
  std::optional<std::string> id;          ///< `id`, when the record carries one.
  std::optional<std::string> session;     ///< `session`: the CSR's `sid`.
  std::optional<std::string> state;       ///< `state`: the activity, e.g. "new", "ivr-connected", "parked".
  std::optional<EpochTime> cstts;         ///< `cstts`: activity start (epoch ms).
  std::optional<EpochTime> cetts;         ///< `cetts`: activity end = the next activity's start (epoch ms).
  std::optional<std::string> queue_id;    ///< `queueId`.
  std::optional<std::string> queue_name;  ///< `queueName`.
  std::optional<std::string> agent_id;    ///< `agentId`.
  std::optional<std::string> agent_name;  ///< `agentName`.
  std::vector<RawField> other_fields;     ///< Every other member, exactly as received.
  std::string json;                       ///< The whole record, compact JSON.
};

/// An agent session record (`asrs`; undocumented, by analogy with CSRs).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Asr {
  std::optional<std::string> id;            ///< `id` (or `sid`): agent session id.
  std::optional<std::string> agent_id;      ///< `agentId`.
  std::optional<std::string> agent_name;    ///< `agentName`.
  std::optional<std::string> agent_login;   ///< `agentLogin`.
  std::optional<std::string> team_id;       ///< `teamId`.
  std::optional<std::string> team_name;     ///< `teamName`.
  std::optional<std::string> site_id;       ///< `siteId`.
  std::optional<std::string> site_name;     ///< `siteName`.
  std::optional<std::string> channel_type;  ///< `channelType`.
  std::optional<EpochTime> cstts;           ///< `cstts`: session start (epoch ms).
  std::optional<EpochTime> cetts;           ///< `cetts`: session end (epoch ms).
  std::vector<RawField> other_fields;       ///< Every other member, exactly as received.
  std::string json;                         ///< The whole record, compact JSON.
};

/// An agent activity record (`aars`; undocumented, by analogy with CARs).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT Aar {
  std::optional<std::string> id;              ///< `id`.
  std::optional<std::string> session;         ///< `session`: the ASR's id.
  std::optional<std::string> agent_id;        ///< `agentId`.
  std::optional<std::string> agent_name;      ///< `agentName`.
  std::optional<std::string> state;           ///< `state`, e.g. "available", "idle", "connected".
  std::optional<EpochTime> cstts;             ///< `cstts`: activity start (epoch ms).
  std::optional<EpochTime> cetts;             ///< `cetts`: activity end (epoch ms).
  std::optional<std::string> idle_code_name;  ///< `idleCodeName`.
  std::vector<RawField> other_fields;         ///< Every other member, exactly as received.
  std::string json;                           ///< The whole record, compact JSON.
};

/// Splits a v1 list response (a JSON array of records) into one compact JSON text per record,
/// in server order. Whitespace outside strings and a leading UTF-8 byte-order mark are removed;
/// everything else (number spelling, member order, escapes) is kept byte-for-byte.
///
/// @param json the response body.
/// @return the records (empty only for an empty array, `[]`).
/// Errors: kParse when the body is not valid JSON (naming the byte offset) or not an array, or
/// an element is not an object, is `{}`, or is an error object: no member named like a v1 field
/// but one named like an error member (`error`, `message`, `status`, `code`, … ignoring case), such
/// as `{"error":"…"}` answered with status 200, whose storing as the window's one record would lose
/// the window's real records (the message names its members, secrets masked); kInternal (a ccrec
/// bug, never expected) when fewer records could be cut out of the body than it parsed as, rather
/// than returning fewer.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::vector<std::string>> SplitRecordArray(std::string_view json);

/// Parses one record (a JSON object). Members of a well-known name with the expected type
/// (strings; numbers are accepted for string members and kept as their text; epoch ms as
/// integers or numeric strings) fill the typed members; everything else goes to `other_fields`.
///
/// @param json one record object.
/// Errors: kParse when it is not valid JSON or not an object.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<Csr> ParseCsr(std::string_view json);
/// As ParseCsr(), for a CAR.
CCREC_EXPORT Result<Car> ParseCar(std::string_view json);
/// As ParseCsr(), for an ASR (`id`, else `sid`, fills `id`).
CCREC_EXPORT Result<Asr> ParseAsr(std::string_view json);
/// As ParseCsr(), for an AAR.
CCREC_EXPORT Result<Aar> ParseAar(std::string_view json);

/// Parses a list response (JSON array of record objects) into typed records.
/// Errors: as SplitRecordArray().
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::vector<Csr>> ParseCsrList(std::string_view json);
/// As ParseCsrList(), for CARs.
CCREC_EXPORT Result<std::vector<Car>> ParseCarList(std::string_view json);
/// As ParseCsrList(), for ASRs.
CCREC_EXPORT Result<std::vector<Asr>> ParseAsrList(std::string_view json);
/// As ParseCsrList(), for AARs.
CCREC_EXPORT Result<std::vector<Aar>> ParseAarList(std::string_view json);

/// The parts of a CAR id `{sessionId}-{timestamp}-{event}`.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT CarId {
  /// The CSR session id (a UUID, 36 characters).
  std::string session_id;
  /// The activity's `cstts` (epoch ms).
  EpochTime timestamp{};
  /// The activity name, e.g. "new", "ivr-connected", "parked", "ended".
  std::string event;
};

/// Composes a CAR id: `{session_id}-{timestamp as epoch ms}-{event}`, e.g.
/// "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0-1612238768144-new".
///
/// @param session_id the CSR's `sid`.
/// @param timestamp the activity's `cstts` (truncated to milliseconds).
/// @param event the activity name.
/// Source: reference §5.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::string ComposeCarId(std::string_view session_id, EpochTime timestamp, std::string_view event);

/// Splits a CAR id. Both the UUID and event names contain '-', so: the first 36 characters are the
/// session UUID, then '-', then the decimal timestamp up to the next '-', then the event (the rest).
///
/// @param id a CAR id.
/// Errors: kInvalidArgument when the first 36 characters are not a UUID (8-4-4-4-12 hex digits),
/// the timestamp is missing or not decimal, or the event is empty.
/// Source: reference §5 ("Parsing an ID").
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<CarId> ParseCarId(std::string_view id);

/// A CSR's activities in order (new -> ivr-connected -> parked -> connected -> ... -> ended).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ActivityChain {
  /// The CARs whose `session` is the CSR's `sid`, de-duplicated by id, sorted by `cstts`.
  std::vector<Car> activities;
  /// True when the chain starts with "new" at the CSR's `cstts`, each activity's `cetts` equals the
  /// next one's `cstts`, and the last activity is "ended".
  bool complete = false;
  /// What is missing or inconsistent when not complete (human-readable), empty otherwise.
  std::vector<std::string> problems;
};

/// Orders the CARs of one CSR into its activity chain and checks the links (the `cetts` of one
/// activity is the timestamp of the next, reference §5). CARs of other sessions are ignored.
///
/// @param csr the contact (its `sid` and `cstts`; a CSR without `sid` yields an empty chain
///        with a problem).
/// @param cars candidate CARs, e.g. from a `cars?q=` query over the CSR's time span.
/// @return the chain; never fails (inconsistencies are reported in `problems`).
/// Source: reference §5 ("Chain walk").
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT ActivityChain BuildActivityChain(Csr const& csr, std::vector<Car> const& cars);

}  // namespace ccrec::webex_legacy
