# SPDX-License-Identifier: Apache-2.0
# Shared compile settings for every ccrec target.
function(ccrec_target_settings target)
  target_compile_features(${target} PUBLIC cxx_std_17)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                             -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual)
    if(CCREC_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
  if(CCREC_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${CCREC_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${CCREC_SANITIZE})
    # GCC 12 reports bogus -Wmaybe-uninitialized inside std::variant/std::regex when sanitizers
    # are on (the instrumentation defeats its flow analysis); keep -Werror meaningful elsewhere.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
  endif()
endfunction()

# The ABI version in the shared libraries' SONAME (libccrec_core.so.0.1): MAJOR.MINOR before 1.0,
# where a new minor release may break the ABI, MAJOR from 1.0 on (docs/compatibility.md).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(CCREC_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(CCREC_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

# ccrec_add_library(<area> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Defines target ccrec_<area>, alias ccrec::<area>, export name <area>.
function(ccrec_add_library area)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target ccrec_${area})
  add_library(${target} ${ARG_SOURCES})
  add_library(ccrec::${area} ALIAS ${target})
  ccrec_target_settings(${target})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${area}
    OUTPUT_NAME ccrec_${area}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${CCREC_SOVERSION}
    POSITION_INDEPENDENT_CODE ON)
  target_compile_definitions(${target} PRIVATE CCREC_BUILDING_LIBRARY)
  set_property(GLOBAL APPEND PROPERTY CCREC_LIBRARY_TARGETS ${target})
endfunction()

# ccrec_add_area_alias(<area> PART_OF <library area>)
# An area compiled into another library (the libcurl transport and the filesystem sink live in
# ccrec_core): an INTERFACE target ccrec_<area>, alias ccrec::<area>, exported as <area>, so that
# consumers can name every area they use.
function(ccrec_add_area_alias area)
  cmake_parse_arguments(ARG "" "PART_OF" "" ${ARGN})
  set(target ccrec_${area})
  add_library(${target} INTERFACE)
  add_library(ccrec::${area} ALIAS ${target})
  target_link_libraries(${target} INTERFACE ccrec::${ARG_PART_OF})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${area})
  set_property(GLOBAL APPEND PROPERTY CCREC_LIBRARY_TARGETS ${target})
endfunction()
