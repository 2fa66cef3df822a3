# SPDX-License-Identifier: Apache-2.0
# Finds the header-only RapidJSON (Debian: rapidjson-dev) and defines the imported target
# ccrec_rapidjson. Used only inside src/ (never part of the public interface).
find_path(RapidJSON_INCLUDE_DIR NAMES rapidjson/document.h)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(RapidJSON REQUIRED_VARS RapidJSON_INCLUDE_DIR)
if(RapidJSON_FOUND AND NOT TARGET ccrec_rapidjson)
  add_library(ccrec_rapidjson INTERFACE IMPORTED)
  set_target_properties(ccrec_rapidjson PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${RapidJSON_INCLUDE_DIR}")
  # std::string support and SSE-free portable parsing.
  target_compile_definitions(ccrec_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
endif()
