# SPDX-License-Identifier: Apache-2.0
# ctest driver (consumer.packages): makes the Debian packages of an already built tree with CPack,
# unpacks them into a scratch root with `dpkg -x` (as apt would install them, without root), and
# checks what an integrator gets:
#   - each package holds its component's files and declares its dependencies;
#   - the consumer project (find_package(ccrec)) builds and runs against the root;
#   - a program builds with nothing but `pkg-config --cflags --libs ccrec-core`;
#   - ccrec-export runs, its man page is there, and its bash completion offers the subcommands,
#     nested ones (`webex token refresh`) included.
# Builds nothing of ccrec itself: it reuses BUILD_DIR (scripts/test.sh's Release tree).
# Variables: BUILD_DIR, SOURCE_DIR (tests/consumer), WORK_DIR, CXX_COMPILER, VERSION, SOVERSION.
file(REMOVE_RECURSE "${WORK_DIR}")
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()
function(expect_in text what)
  string(FIND "${text}" "${what}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected \"${what}\" in:\n${text}")
  endif()
endfunction()

# 1. The three packages.
run("${CMAKE_CPACK_COMMAND}" -G DEB --config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK_DIR}/cpack")
set(root "${WORK_DIR}/root")
file(MAKE_DIRECTORY "${root}")
foreach(package libccrec0 libccrec-dev ccrec-export)
  file(GLOB deb "${WORK_DIR}/cpack/${package}_${VERSION}_*.deb")
  if(NOT deb)
    file(GLOB made "${WORK_DIR}/cpack/*.deb")
    message(FATAL_ERROR "cpack made no ${package}_${VERSION}_*.deb; it made: ${made}")
  endif()
  run(dpkg-deb --field "${deb}" Package Version Depends)
  set(fields_${package} "${run_out}")
  run(dpkg-deb --contents "${deb}")
  set(contents_${package} "${run_out}")
  run(dpkg -x "${deb}" "${root}")
endforeach()
message(STATUS "packages:\n${fields_libccrec0}${fields_libccrec-dev}${fields_ccrec-export}")
expect_in("${fields_libccrec0}" "Depends: libc6, libstdc++6, libcurl4")
expect_in("${fields_libccrec-dev}" "Depends: libccrec0 (= ${VERSION})")
expect_in("${fields_ccrec-export}" "Depends: libccrec0 (= ${VERSION})")

# 2. Each component's files in its package, and only there.
expect_in("${contents_libccrec0}" "/lib/libccrec_core.so.${SOVERSION}")
expect_in("${contents_libccrec0}" "/share/doc/ccrec/LICENSE")
expect_in("${contents_libccrec0}" "/share/doc/ccrec/NOTICE")
expect_in("${contents_libccrec-dev}" "/include/ccrec/version.hpp")
expect_in("${contents_libccrec-dev}" "/lib/libccrec_core.so -> libccrec_core.so.${SOVERSION}")
expect_in("${contents_libccrec-dev}" "/lib/pkgconfig/ccrec-core.pc")
expect_in("${contents_libccrec-dev}" "/lib/cmake/ccrec/ccrecConfigVersion.cmake")
expect_in("${contents_ccrec-export}" "/bin/ccrec-export")
expect_in("${contents_ccrec-export}" "/share/man/man1/ccrec-export.1")
expect_in("${contents_ccrec-export}" "/share/bash-completion/completions/ccrec-export")
foreach(wrong "libccrec0:/include/" "libccrec0:/bin/" "libccrec0:/pkgconfig/" "libccrec0:libccrec_core.so -> "
              "libccrec-dev:.so.${SOVERSION} " "libccrec-dev:/bin/" "ccrec-export:/include/" "ccrec-export:/lib/")
  string(REPLACE ":" ";" pair "${wrong}")
  list(GET pair 0 package)
  list(GET pair 1 path)
  string(FIND "${contents_${package}}" "${path}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${package} must not hold ${path}:\n${contents_${package}}")
  endif()
endforeach()

# 3. find_package(ccrec) against the unpacked root.
file(GLOB_RECURSE cli "${root}/*/bin/ccrec-export")
get_filename_component(prefix "${cli}/../.." ABSOLUTE)  # <root>/usr
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/consumer" "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/consumer")
run("${WORK_DIR}/consumer/consumer_umbrella")
run("${WORK_DIR}/consumer/consumer_areas")
if(EXISTS "${WORK_DIR}/consumer/consumer_webex_login")
  run("${WORK_DIR}/consumer/consumer_webex_login")
endif()
if(EXISTS "${WORK_DIR}/consumer/consumer_redis")
  run("${WORK_DIR}/consumer/consumer_redis")
endif()
file(GLOB sqlite_library "${prefix}/lib*/libccrec_manifest_sqlite.so*" "${prefix}/lib/*/libccrec_manifest_sqlite.so*")
if(sqlite_library)  # the optional ccrec::manifest_sqlite: the consumer must have built its program
  run("${WORK_DIR}/consumer/consumer_manifest_sqlite")
endif()

# 4. pkg-config: compile and link with its flags alone (the .pc files are relocatable, so
#    PKG_CONFIG_PATH into the root suffices; no sysroot).
file(GLOB_RECURSE pc "${root}/ccrec-core.pc")
get_filename_component(pc_dir "${pc}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
foreach(module ccrec ccrec-core ccrec-transport ccrec-sinks ccrec-s3 ccrec-exporter ccrec-webex
               ccrec-webex-legacy ccrec-huawei ccrec-face ccrec-testing)
  run(pkg-config --exists --print-errors ${module})
endforeach()
file(GLOB login_pc "${pc_dir}/ccrec-webex-login.pc")
if(login_pc)  # the optional ccrec::webex_login
  run(pkg-config --libs ccrec-webex-login)
  expect_in("${run_out}" "-lccrec_webex_login")
endif()
file(GLOB redis_pc "${pc_dir}/ccrec-redis.pc")
if(redis_pc)  # the optional ccrec::redis
  run(pkg-config --libs ccrec-redis)
  expect_in("${run_out}" "-lccrec_redis")
endif()
file(GLOB sqlite_pc "${pc_dir}/ccrec-manifest-sqlite.pc")
if(sqlite_pc)  # the optional ccrec::manifest_sqlite
  run(pkg-config --libs ccrec-manifest-sqlite)
  expect_in("${run_out}" "-lccrec_manifest_sqlite")
endif()
run(pkg-config --modversion ccrec-core)
expect_in("${run_out}" "${VERSION}")
run(pkg-config --libs ccrec-webex)
expect_in("${run_out}" "-lccrec_webex")
expect_in("${run_out}" "-lccrec_exporter")
expect_in("${run_out}" "-lccrec_core")
run(pkg-config --cflags --libs ccrec-core)
string(STRIP "${run_out}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run("${CXX_COMPILER}" -std=c++17 -Wall -Wextra -Werror "${SOURCE_DIR}/pkgconfig/main.cpp" ${flags}
    -o "${WORK_DIR}/pkgconfig_app")
get_filename_component(libdir "${pc_dir}/.." ABSOLUTE)
set(ENV{LD_LIBRARY_PATH} "${libdir}")
run("${WORK_DIR}/pkgconfig_app")
expect_in("${run_out}" "pkgconfig consumer: ok (ccrec ${VERSION})")
unset(ENV{LD_LIBRARY_PATH})

# 5. The CLI package: the program finds its libraries through its RPATH, the man page was made by
#    help2man from this program, the completion offers the subcommands and a subcommand's flags.
run("${prefix}/bin/ccrec-export" --version)
expect_in("${run_out}" "ccrec-export ${VERSION}")
file(READ "${prefix}/share/man/man1/ccrec-export.1" man)
expect_in("${man}" "help2man")
expect_in("${man}" ".TH CCREC-EXPORT \"1\"")
expect_in("${man}" "ccrec-export ${VERSION}")
expect_in("${man}" "ccrec-export webex-legacy")
set(completion "${prefix}/share/bash-completion/completions/ccrec-export")
# Completes word number `cword` of the bash array `words` and returns the candidates in run_out.
# The script goes through a file: run() takes a CMake list, and a list cannot hold a ';'.
function(complete cword words)
  file(WRITE "${WORK_DIR}/complete.sh" "source '${completion}'\nCOMP_WORDS=(${words})\nCOMP_CWORD=${cword}\n"
             "_ccrec_export\necho \"\${COMPREPLY[*]}\"\n")
  run(bash "${WORK_DIR}/complete.sh")
  string(STRIP "${run_out}" run_out)
  set(run_out "${run_out}" PARENT_SCOPE)
endfunction()
complete(1 "ccrec-export ''")
expect_in("${run_out}" "webex huawei face webex-legacy s3-presign")
complete(3 "ccrec-export webex --log-level ''")
expect_in("${run_out}" "error warn info debug")
complete(2 "ccrec-export face --face-u")
expect_in("${run_out}" "--face-url")
# Nested subcommands: `webex login|token|serve|subscriptions`, `webex token refresh`,
# `webex subscriptions create|list|delete`, each with its own flags and values.
complete(2 "ccrec-export webex ''")
foreach(sub login token serve subscriptions)
  expect_in(" ${run_out} " " ${sub} ")
endforeach()
complete(3 "ccrec-export webex token ''")
expect_in("${run_out}" "refresh")
complete(4 "ccrec-export webex token refresh --org")
expect_in("${run_out}" "--org-id")
complete(3 "ccrec-export webex serve --allow-h")
expect_in("${run_out}" "--allow-http-media")
complete(3 "ccrec-export webex subscriptions ''")
foreach(sub create list delete)
  expect_in(" ${run_out} " " ${sub} ")
endforeach()
complete(4 "ccrec-export webex subscriptions create --destination")
expect_in("${run_out}" "--destination-url")
complete(5 "ccrec-export webex subscriptions list --api-version ''")
expect_in("${run_out}" "v1 v2")
complete(5 "ccrec-export webex --dest /tmp --log-level ''")
expect_in("${run_out}" "error warn info debug")
message(STATUS "packages: libccrec0, libccrec-dev and ccrec-export install and build consumers")
