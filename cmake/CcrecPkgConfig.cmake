# SPDX-License-Identifier: Apache-2.0
# pkg-config files: one per area target (ccrec-core, ccrec-s3, ccrec-exporter, ccrec-webex,
# ccrec-webex-legacy, ccrec-huawei, ccrec-face, ccrec-testing, ccrec-transport, ccrec-sinks) and
# ccrec.pc for the umbrella, installed to ${CMAKE_INSTALL_LIBDIR}/pkgconfig (component dev).
#
#   pkg-config --cflags --libs ccrec-webex   ->  -I<prefix>/include -L<libdir> -lccrec_webex -lccrec_exporter -lccrec_core
#
# Requires: lists the ccrec areas a target links publicly (its headers include theirs), read from
# the targets themselves so the files follow src/*/CMakeLists.txt. The files are relocatable
# (prefix=${pcfiledir}/..., like Meson's pkgconfig.relocatable): they stay right under any
# --prefix, inside CPack's packages, and in a tree unpacked with `dpkg -x` (no sysroot needed).
# Shared builds hide libcurl, OpenSSL and fmt (private); static builds list them in
# Requires.private / Libs.private for `pkg-config --static`.

# pkg-config module of a third-party link item of a static build ("" when none is needed).
function(_ccrec_pc_third_party item out)
  set(name "")
  string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
  if(item STREQUAL "CURL::libcurl")
    set(name libcurl)
  elseif(item STREQUAL "OpenSSL::SSL")
    set(name libssl)
  elseif(item STREQUAL "OpenSSL::Crypto")
    set(name libcrypto)
  elseif(item STREQUAL "fmt::fmt")
    set(name fmt)
  elseif(item STREQUAL "PkgConfig::CCREC_HTTPLIB")
    set(name cpp-httplib)
  elseif(item STREQUAL "SQLite::SQLite3")
    set(name sqlite3)
  elseif(item STREQUAL "PkgConfig::CCREC_HIREDIS")
    set(name hiredis)
  endif()
  set(${out} "${name}" PARENT_SCOPE)
endfunction()

function(ccrec_install_pkgconfig_files)
  set(pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  # ${pcfiledir} -> install prefix, e.g. "../.." for lib/pkgconfig.
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(prefix "${CMAKE_INSTALL_PREFIX}")
    set(libdir "${CMAKE_INSTALL_FULL_LIBDIR}")
    set(includedir "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
  else()
    file(RELATIVE_PATH up "/root/${pc_dir}" "/root")
    string(REGEX REPLACE "/$" "" up "${up}")
    set(prefix "\${pcfiledir}/${up}")
    set(libdir "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
    set(includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
  endif()
  get_property(targets GLOBAL PROPERTY CCREC_LIBRARY_TARGETS)
  set(all_modules "")
  foreach(target ${targets})
    string(REGEX REPLACE "^ccrec_" "" area "${target}")
    string(REPLACE "_" "-" module "ccrec-${area}")
    get_target_property(type ${target} TYPE)
    get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
    if(NOT interface)
      set(interface "")
    endif()
    set(requires "")
    set(requires_private "")
    set(libs_private "")
    foreach(item ${interface})
      _ccrec_layer_area("${item}" dep_area)  # cmake/CcrecLayering.cmake
      if(dep_area AND NOT item MATCHES "^\\$<LINK_ONLY:")
        string(REPLACE "_" "-" dep_module "ccrec-${dep_area}")
        list(APPEND requires ${dep_module})
      elseif(NOT BUILD_SHARED_LIBS AND NOT type STREQUAL "INTERFACE_LIBRARY")
        _ccrec_pc_third_party("${item}" third)
        if(third)
          list(APPEND requires_private ${third})
        elseif(item MATCHES "Threads::Threads")
          list(APPEND libs_private -pthread)
        endif()
      endif()
    endforeach()
    list(REMOVE_DUPLICATES requires)
    list(REMOVE_DUPLICATES requires_private)
    list(REMOVE_DUPLICATES libs_private)
    list(JOIN requires ", " requires)
    list(JOIN requires_private ", " requires_private)
    list(JOIN libs_private " " libs_private)
    if(type STREQUAL "INTERFACE_LIBRARY")
      set(libs "")  # compiled into the library it names in Requires (transport, sinks -> core)
      set(cflags "")
    else()
      get_target_property(output_name ${target} OUTPUT_NAME)
      set(libs "-L\${libdir} -l${output_name}")
      set(cflags "-I\${includedir}")
    endif()
    string(CONCAT content "prefix=${prefix}\nlibdir=${libdir}\nincludedir=${includedir}\n\n"
                "Name: ${module}\n"
                "Description: ccrec ${area} (${PROJECT_DESCRIPTION})\n"
                "Version: ${PROJECT_VERSION}\n")
    if(requires)
      string(APPEND content "Requires: ${requires}\n")
    endif()
    if(requires_private)
      string(APPEND content "Requires.private: ${requires_private}\n")
    endif()
    string(APPEND content "Libs: ${libs}\n")
    if(libs_private)
      string(APPEND content "Libs.private: ${libs_private}\n")
    endif()
    string(APPEND content "Cflags: ${cflags}\n")
    file(WRITE "${PROJECT_BINARY_DIR}/pkgconfig/${module}.pc" "${content}")
    install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/${module}.pc" DESTINATION ${pc_dir} COMPONENT dev)
    list(APPEND all_modules ${module})
  endforeach()
  # ccrec.pc: the umbrella (everything but the test fakes), like ccrec::ccrec.
  list(REMOVE_ITEM all_modules ccrec-testing)
  list(JOIN all_modules ", " umbrella_requires)
  file(WRITE "${PROJECT_BINARY_DIR}/pkgconfig/ccrec.pc"
    "prefix=${prefix}\n\nName: ccrec\nDescription: ${PROJECT_DESCRIPTION} (every area but the test fakes)\n"
    "Version: ${PROJECT_VERSION}\nRequires: ${umbrella_requires}\n"
    "Libs:\nCflags:\n")
  install(FILES "${PROJECT_BINARY_DIR}/pkgconfig/ccrec.pc" DESTINATION ${pc_dir} COMPONENT dev)
endfunction()
