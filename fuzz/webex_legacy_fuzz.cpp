// SPDX-License-Identifier: Apache-2.0
// Webex CC legacy v1 record lists (include/ccrec/webex_legacy/models.hpp) and the byte-exact
// JSON scanner under them (src/webex_legacy/json_scan.hpp), plus CAR ids and activity chains.
//
// Properties: SplitRecordArray and the typed list parsers agree on the record count; every
// record's `json` is what SplitRecordArray produced; on valid JSON CompactJson is idempotent and
// its output is valid JSON again; a CAR id composed from a parsed one parses back to the same parts.

#include "fuzz_util.hpp"
#include "internal/json.hpp"
#include "webex_legacy/json_scan.hpp"

#include <ccrec/webex_legacy/models.hpp>

#include <string>

namespace wl = ccrec::webex_legacy;

namespace {

void ScanValue(std::string_view compact, int depth) {
  if (depth > 70 || compact.empty()) return;
  if (compact.front() == '[') {
    for (auto e : wl::detail::ArrayElements(compact)) ScanValue(e, depth + 1);
  } else if (compact.front() == '{') {
    for (auto const& [key, value] : wl::detail::ObjectMembers(compact)) {
      std::string name = wl::detail::DecodeString(key);
      (void)wl::detail::FindMember(compact, name);
      (void)wl::detail::ParseInteger(value);
      ScanValue(value, depth + 1);
    }
  } else if (compact.front() == '"') {
    (void)wl::detail::DecodeString(compact);
    (void)wl::detail::ParseInteger(compact);
  } else {
    (void)wl::detail::ParseInteger(compact);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::string_view const body = in.Rest();

  if (ccrec::detail::ParseJson(body, "fuzz")) {  // the scanner's precondition: valid JSON
    std::string compact = wl::detail::CompactJson(body);
    CCREC_FUZZ_CHECK(wl::detail::CompactJson(compact) == compact, compact);
    CCREC_FUZZ_CHECK(ccrec::detail::ParseJson(compact, "compact").has_value(), compact);
    ScanValue(compact, 0);
  }

  auto split = wl::SplitRecordArray(body);
  auto csrs = wl::ParseCsrList(body);
  auto cars = wl::ParseCarList(body);
  auto asrs = wl::ParseAsrList(body);
  auto aars = wl::ParseAarList(body);
  CCREC_FUZZ_CHECK(split.has_value() == csrs.has_value() && split.has_value() == cars.has_value() &&
                       split.has_value() == asrs.has_value() && split.has_value() == aars.has_value(),
                   "list parsers disagree on validity");
  if (!split) {
    (void)wl::ParseCsr(body);
    (void)wl::ParseCar(body);
    (void)wl::ParseCarId(body.substr(0, 256));
    return 0;
  }
  CCREC_FUZZ_CHECK(csrs->size() == split->size() && cars->size() == split->size(), "record counts differ");
  for (std::size_t i = 0; i < split->size(); ++i) {
    CCREC_FUZZ_CHECK((*csrs)[i].json == (*split)[i], (*split)[i]);
    CCREC_FUZZ_CHECK((*cars)[i].json == (*split)[i], (*split)[i]);
  }
  for (auto const& car : *cars) {
    if (car.id) {
      if (auto id = wl::ParseCarId(*car.id)) {
        auto again = wl::ParseCarId(wl::ComposeCarId(id->session_id, id->timestamp, id->event));
        CCREC_FUZZ_CHECK(again && again->session_id == id->session_id && again->timestamp == id->timestamp &&
                             again->event == id->event,
                         *car.id);
      }
    }
  }
  for (auto const& csr : *csrs) {
    auto chain = wl::BuildActivityChain(csr, *cars);
    if (chain.complete) CCREC_FUZZ_CHECK(chain.problems.empty(), chain.problems.front());
  }
  return 0;
}
