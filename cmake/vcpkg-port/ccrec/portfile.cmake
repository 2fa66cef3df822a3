# SPDX-License-Identifier: Apache-2.0
# vcpkg overlay port that builds ccrec from the source tree it lives in:
#   vcpkg install ccrec --overlay-ports=<ccrec>/cmake/vcpkg-port            (libraries)
#   vcpkg install "ccrec[cli]" --overlay-ports=<ccrec>/cmake/vcpkg-port     (and ccrec-export)
# then find_package(ccrec CONFIG REQUIRED) as usual, or pkg-config ccrec-core. A port in a registry
# would fetch a release instead (vcpkg_from_github with the published repository and its SHA512).
# Checked by ctest consumer.vcpkg_port (tests/consumer/run_vcpkg_port.cmake).
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    cli CCREC_BUILD_EXAMPLES)
string(COMPARE EQUAL "${VCPKG_LIBRARY_LINKAGE}" "dynamic" CCREC_SHARED)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DBUILD_SHARED_LIBS=${CCREC_SHARED}
    -DCCREC_BUILD_TESTS=OFF
    -DCCREC_BUILD_BENCH=OFF
    -DCCREC_BUILD_FUZZERS=OFF
    -DCCREC_INSTALL=ON
    -DCCREC_CLI_DOCS=OFF
    ${FEATURE_OPTIONS})
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(CONFIG_PATH lib/cmake/ccrec)
vcpkg_fixup_pkgconfig()
if("cli" IN_LIST FEATURES)
  vcpkg_copy_tools(TOOL_NAMES ccrec-export AUTO_CLEAN)
endif()
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE" "${SOURCE_PATH}/NOTICE")
