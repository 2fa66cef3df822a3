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

# Compile settings of test code (gtest executables), after ccrec_target_settings:
#  - Under UndefinedBehaviorSanitizer, the test code itself skips the `null` and `alignment`
#    checks, which instrument every pointer access and cost a third of the test executables'
#    compile time (scripts/test.sh's sanitizer tree). The library and ccrec-export keep every
#    check; a null dereference in test code still stops the test (AddressSanitizer reports the
#    SEGV with its stack).
#  - Unity batches of 16 sources (CCREC_UNITY_BUILD): a test file's cost is mostly its own code,
#    but each batch parses gtest, gmock and the ccrec headers once more.
function(ccrec_test_code_settings target)
  if(CCREC_SANITIZE MATCHES "undefined" AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -fno-sanitize=null,alignment)
  endif()
  if(CCREC_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 16)
  endif()
endfunction()

# The ABI version in the shared libraries' SONAME (libccrec_core.so.0.1): MAJOR.MINOR before 1.0,
# where a new minor release may break the ABI, MAJOR from 1.0 on (docs/compatibility.md).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(CCREC_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
else()
  set(CCREC_SOVERSION ${PROJECT_VERSION_MAJOR})
endif()

# Compile settings of the code inside a ccrec library (its OBJECT library): position-independent
# (the same objects go into a shared library and into a static one), hidden visibility (the
# CMAKE_CXX_VISIBILITY_PRESET of the top CMakeLists.txt; CCREC_EXPORT marks the API), src/ on the
# include path.
function(_ccrec_library_objects_settings target)
  ccrec_target_settings(${target})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(${target} PRIVATE CCREC_BUILDING_LIBRARY)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(CCREC_UNITY_BUILD)  # CI: 8 sources per translation unit (see the option)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()

# ccrec_private_targets(<out> <link item>...): the link items with every ccrec::<area> replaced
# by ccrec_private::<area> (see ccrec_add_library).
function(ccrec_private_targets out)
  set(items "")
  foreach(item IN LISTS ARGN)
    string(REGEX REPLACE "^ccrec::" "ccrec_private::" item "${item}")
    list(APPEND items "${item}")
  endforeach()
  set(${out} "${items}" PARENT_SCOPE)
endfunction()

# ccrec_check_private_links(<program> <link item>...): fails the configure step when a test, fuzzer
# or benchmark that reaches private helpers names ccrec::<area> instead of ccrec_private::<area>.
function(ccrec_check_private_links program)
  foreach(item IN LISTS ARGN)
    if(item MATCHES "^ccrec::")
      string(REGEX REPLACE "^ccrec::" "ccrec_private::" private "${item}")
      message(FATAL_ERROR "${program} links ${item}; link ${private} (cmake/CcrecHelpers.cmake)")
    endif()
  endforeach()
endfunction()

# ccrec_add_library(<area> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Defines:
#   ccrec_<area>_objects  the area's code, compiled once (OBJECT library; add sources to it with
#                         target_sources).
#   ccrec_<area>          the installed library (shared or static after BUILD_SHARED_LIBS), alias
#                         ccrec::<area>, export name <area>, made of those objects. A shared one
#                         links the internal helpers (ccrec_internal, src/internal) privately and
#                         exports only what CCREC_EXPORT marks: the API of include/ccrec/.
#   ccrec_<area>_private  alias ccrec_private::<area>, neither installed nor exported: what tests,
#                         fuzzers and benchmarks link to reach the area's private helpers
#                         (namespace detail). In a shared build it is a static library of the same
#                         objects that links the ccrec_private:: twins of its dependencies (the
#                         internal helpers once, inside ccrec_private::core), so a program links
#                         either the shared libraries or the private archives, never both; in a
#                         static build it is ccrec::<area> itself.
function(ccrec_add_library area)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target ccrec_${area})
  set(objects ccrec_${area}_objects)
  add_library(${objects} OBJECT ${ARG_SOURCES})
  _ccrec_library_objects_settings(${objects})
  target_link_libraries(${objects} PRIVATE ${ARG_PUBLIC_DEPS} ${ARG_PRIVATE_DEPS})

  add_library(${target} $<TARGET_OBJECTS:${objects}>)
  add_library(ccrec::${area} ALIAS ${target})
  ccrec_target_settings(${target})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${area}
    OUTPUT_NAME ccrec_${area}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${CCREC_SOVERSION}
    LINKER_LANGUAGE CXX
    POSITION_INDEPENDENT_CODE ON)
  set_property(GLOBAL APPEND PROPERTY CCREC_LIBRARY_TARGETS ${target})

  get_target_property(type ${target} TYPE)
  if(type STREQUAL "SHARED_LIBRARY")
    # The internal helpers: a hidden copy of what this library uses, never in its link interface.
    target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:ccrec_internal>)
    # A reference to another library's hidden symbol fails the link instead of the program's
    # start; a library records only the shared libraries it uses (ccrec_internal's dependencies
    # are on every link line).
    if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
      target_link_options(${target} PRIVATE LINKER:--as-needed)
      if(NOT CCREC_SANITIZE)
        target_link_options(${target} PRIVATE LINKER:--no-undefined)
      endif()
    endif()
    ccrec_private_targets(private_deps ${ARG_PUBLIC_DEPS})
    add_library(ccrec_${area}_private STATIC EXCLUDE_FROM_ALL $<TARGET_OBJECTS:${objects}>)
    ccrec_target_settings(ccrec_${area}_private)
    target_include_directories(ccrec_${area}_private
      PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)
    target_link_libraries(ccrec_${area}_private PUBLIC ${private_deps} PRIVATE ${ARG_PRIVATE_DEPS})
    set_target_properties(ccrec_${area}_private PROPERTIES LINKER_LANGUAGE CXX POSITION_INDEPENDENT_CODE ON)
  else()
    add_library(ccrec_${area}_private INTERFACE)
    target_link_libraries(ccrec_${area}_private INTERFACE ${target})
  endif()
  add_library(ccrec_private::${area} ALIAS ccrec_${area}_private)
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
  add_library(ccrec_${area}_private INTERFACE)
  add_library(ccrec_private::${area} ALIAS ccrec_${area}_private)
  target_link_libraries(ccrec_${area}_private INTERFACE ccrec_private::${ARG_PART_OF})
endfunction()
