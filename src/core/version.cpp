// SPDX-License-Identifier: Apache-2.0
// ccrec::Version(): the version of the library that was loaded, from the generated
// <ccrec/version.hpp> (cmake/version.hpp.in) of the same build.
#include <ccrec/version.hpp>

namespace ccrec {
inline namespace v1 {

char const* Version() noexcept { return CCREC_VERSION_STRING; }

}  // namespace v1
}  // namespace ccrec
