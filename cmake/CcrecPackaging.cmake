# install(EXPORT ...) + package config so that consumers can
#   find_package(ccrec CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE ccrec::ccrec)   # or ccrec::core, ccrec::webex, ccrec::s3, ...
include(CMakePackageConfigHelpers)

get_property(ccrec_targets GLOBAL PROPERTY CCREC_LIBRARY_TARGETS)
install(TARGETS ${ccrec_targets} ccrec
  EXPORT ccrecTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/ccrec DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(CCREC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ccrec)
install(EXPORT ccrecTargets NAMESPACE ccrec:: DESTINATION ${CCREC_CMAKE_DIR})
configure_package_config_file(cmake/ccrecConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ccrecConfig.cmake
  INSTALL_DESTINATION ${CCREC_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ccrecConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ccrecConfig.cmake ${PROJECT_BINARY_DIR}/ccrecConfigVersion.cmake
  cmake/FindRapidJSON.cmake
  DESTINATION ${CCREC_CMAKE_DIR})
install(FILES README.md CHANGELOG.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
