# SPDX-License-Identifier: Apache-2.0
# Installation and packages (docs/developing.md#packaging), included when CCREC_INSTALL is ON.
#
# install(EXPORT ...) + package config so that consumers can
#   find_package(ccrec CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE ccrec::ccrec)   # or ccrec::core, ccrec::webex, ccrec::s3, ...
# or, without CMake, `pkg-config --cflags --libs ccrec-core` (one .pc file per area target).
#
# Install components (cmake --install build --component <name>; CPack makes one .deb of each):
#   runtime  the shared libraries (libccrec_<area>.so.<SOVERSION>), LICENSE, NOTICE  -> libccrec0
#   dev      headers, link-time symlinks / static archives, CMake package, pkg-config -> libccrec-dev
#   cli      ccrec-export, its man page and bash completion (examples/CMakeLists.txt) -> ccrec-export
include(CMakePackageConfigHelpers)

get_property(ccrec_targets GLOBAL PROPERTY CCREC_LIBRARY_TARGETS)
install(TARGETS ${ccrec_targets} ccrec
  EXPORT ccrecTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY include/ccrec DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(FILES ${PROJECT_BINARY_DIR}/include/ccrec/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ccrec COMPONENT dev)

set(CCREC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ccrec)
install(EXPORT ccrecTargets NAMESPACE ccrec:: DESTINATION ${CCREC_CMAKE_DIR} COMPONENT dev)
# ON/OFF even when BUILD_SHARED_LIBS is unset (a subproject build with CCREC_INSTALL=ON).
if(BUILD_SHARED_LIBS)
  set(CCREC_CONFIG_SHARED ON)
else()
  set(CCREC_CONFIG_SHARED OFF)
endif()
if(TARGET ccrec_webex_login)
  set(CCREC_CONFIG_HAVE_WEBEX_LOGIN ON)
else()
  set(CCREC_CONFIG_HAVE_WEBEX_LOGIN OFF)
endif()
if(TARGET ccrec_manifest_sqlite)
  set(CCREC_CONFIG_HAVE_MANIFEST_SQLITE ON)
else()
  set(CCREC_CONFIG_HAVE_MANIFEST_SQLITE OFF)
endif()
if(TARGET ccrec_redis)
  set(CCREC_CONFIG_HAVE_REDIS ON)
else()
  set(CCREC_CONFIG_HAVE_REDIS OFF)
endif()
configure_package_config_file(cmake/ccrecConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ccrecConfig.cmake
  INSTALL_DESTINATION ${CCREC_CMAKE_DIR})
# Before 1.0 a minor release may break the API and ABI (docs/compatibility.md): find_package(ccrec
# 0.1) accepts 0.1.x only. From 1.0 on: SameMajorVersion.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(ccrec_version_compatibility SameMinorVersion)
else()
  set(ccrec_version_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ccrecConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${ccrec_version_compatibility})
install(FILES ${PROJECT_BINARY_DIR}/ccrecConfig.cmake ${PROJECT_BINARY_DIR}/ccrecConfigVersion.cmake
  cmake/FindRapidJSON.cmake
  DESTINATION ${CCREC_CMAKE_DIR} COMPONENT dev)
install(FILES LICENSE NOTICE DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)
install(FILES README.md CHANGELOG.md docs/compatibility.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT dev)

include(CcrecPkgConfig)
ccrec_install_pkgconfig_files()

# CPack: `cpack -G DEB` in the build tree makes libccrec0, libccrec-dev and ccrec-export.
# The dependencies name Debian 12 packages; override CCREC_DEB_*_DEPENDS for another release.
if(PROJECT_IS_TOP_LEVEL)
  set(CPACK_PACKAGE_NAME ccrec)
  set(CPACK_PACKAGE_VENDOR "The ccrec authors")
  set(CPACK_PACKAGE_CONTACT "ccrec maintainers <ccrec@invalid>" CACHE STRING "Maintainer of the .deb packages")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
  set(CPACK_GENERATOR DEB)
  set(CPACK_COMPONENTS_ALL runtime dev cli)
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION libs)
  set(CPACK_DEBIAN_PACKAGE_LICENSE Apache-2.0)
  set(ccrec_deb_version "${PROJECT_VERSION}")
  set(ccrec_deb_runtime "libc6, libstdc++6, libcurl4 (>= 7.68), libssl3, libfmt9, libpugixml1v5")
  if(TARGET ccrec_webex_login)
    string(APPEND ccrec_deb_runtime ", libcpp-httplib0.11")  # ccrec::webex_login (optional)
  endif()
  if(TARGET ccrec_manifest_sqlite)
    string(APPEND ccrec_deb_runtime ", libsqlite3-0")  # ccrec::manifest_sqlite (optional)
  endif()
  if(TARGET ccrec_redis)
    string(APPEND ccrec_deb_runtime ", libhiredis0.14")  # ccrec::redis (optional)
  endif()
  set(CCREC_DEB_RUNTIME_DEPENDS "${ccrec_deb_runtime}"
    CACHE STRING "Depends: of the libccrec0 package")
  # Public headers need only the C++17 standard library, and the .pc files of a shared build
  # require no third-party package: the -dev package needs only the libraries themselves.
  set(CCREC_DEB_DEV_DEPENDS "libccrec0 (= ${ccrec_deb_version})"
    CACHE STRING "Depends: of the libccrec-dev package")
  set(ccrec_deb_cli "libccrec0 (= ${ccrec_deb_version}), libc6, libstdc++6")
  find_package(tomlplusplus CONFIG QUIET)
  if(TARGET tomlplusplus::tomlplusplus)
    string(APPEND ccrec_deb_cli ", libtomlplusplus3")  # `ccrec-export run` (jobs.toml)
  endif()
  set(CCREC_DEB_CLI_DEPENDS "${ccrec_deb_cli}"
    CACHE STRING "Depends: of the ccrec-export package")
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libccrec0)
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "${CCREC_DEB_RUNTIME_DEPENDS}")
  set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "ccrec shared libraries\n The ccrec SDK exports contact-center call recordings (Webex Contact Center,\n Huawei CC-Gateway, Oracle FACE) into S3 or a directory.")
  set(CPACK_DEBIAN_DEV_PACKAGE_NAME libccrec-dev)
  set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
  set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${CCREC_DEB_DEV_DEPENDS}")
  set(CPACK_COMPONENT_DEV_DESCRIPTION
    "ccrec development files\n Headers, CMake package (find_package(ccrec)) and pkg-config files (ccrec-core, ...).")
  set(CPACK_DEBIAN_CLI_PACKAGE_NAME ccrec-export)
  set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)
  set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "${CCREC_DEB_CLI_DEPENDS}")
  set(CPACK_COMPONENT_CLI_DESCRIPTION
    "export contact-center call recordings to S3 or a directory\n ccrec-export, the reference command-line program of the ccrec SDK.")
  include(CPack)
endif()
