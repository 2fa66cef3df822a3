# SPDX-License-Identifier: Apache-2.0
# Target-graph layering check (docs/architecture.md), run at configure time.
#
# ccrec_check_layering() looks at every ccrec library target (ccrec_add_library) and the umbrella
# target, reads its LINK_LIBRARIES and INTERFACE_LINK_LIBRARIES, and fails the configure step when
# one links a ccrec area its layer may not depend on. Third-party targets (fmt, rapidjson, curl,
# OpenSSL, Threads) are not judged here. The include graph is checked by scripts/check_layering.py
# (ctest `layering.includes`); keep the two tables and docs/architecture.md in step.

# Allowed ccrec dependencies per area (an empty list: none).
set(CCREC_LAYER_ALLOWED_core "")
# transport and sinks are compiled into ccrec_core; their INTERFACE targets only name it.
set(CCREC_LAYER_ALLOWED_transport core)
set(CCREC_LAYER_ALLOWED_sinks core)
set(CCREC_LAYER_ALLOWED_testing core)
set(CCREC_LAYER_ALLOWED_s3 core)
set(CCREC_LAYER_ALLOWED_exporter core)
set(CCREC_LAYER_ALLOWED_webex core exporter)
set(CCREC_LAYER_ALLOWED_webex_legacy core exporter)
set(CCREC_LAYER_ALLOWED_huawei core exporter)
set(CCREC_LAYER_ALLOWED_face core exporter)
# The optional login helpers (cpp-httplib listener); nothing links them but programs.
set(CCREC_LAYER_ALLOWED_webex_login core)
# The optional SQLite manifest (an exporter::Manifest implementation); linked by programs only.
set(CCREC_LAYER_ALLOWED_manifest_sqlite core exporter)
# The optional Redis token store, rate limiter and sub-window leases (hiredis); linked by programs only.
set(CCREC_LAYER_ALLOWED_redis core exporter)

# The ccrec area of a link item ("ccrec::webex", "ccrec_webex", "$<LINK_ONLY:ccrec_webex>"), or ""
# when the item is not a ccrec library.
function(_ccrec_layer_area item out)
  string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" item "${item}")
  set(area "")
  if(TARGET "${item}")
    get_target_property(aliased "${item}" ALIASED_TARGET)
    if(aliased)
      set(item "${aliased}")
    endif()
    get_property(libraries GLOBAL PROPERTY CCREC_LIBRARY_TARGETS)
    if(item STREQUAL "ccrec")
      set(area "ccrec")  # the umbrella
    elseif(item IN_LIST libraries)
      string(REGEX REPLACE "^ccrec_" "" area "${item}")
    endif()
  endif()
  set(${out} "${area}" PARENT_SCOPE)
endfunction()

function(ccrec_check_layering)
  get_property(libraries GLOBAL PROPERTY CCREC_LIBRARY_TARGETS)
  set(problems "")
  foreach(target IN LISTS libraries)
    string(REGEX REPLACE "^ccrec_" "" area "${target}")
    if(NOT DEFINED CCREC_LAYER_ALLOWED_${area})
      string(APPEND problems "\n  ${target}: area '${area}' has no layer; add CCREC_LAYER_ALLOWED_${area} to "
                             "cmake/CcrecLayering.cmake and a line to docs/architecture.md")
      continue()
    endif()
    set(links "")
    foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(values ${target} ${property})
      if(values)
        list(APPEND links ${values})
      endif()
    endforeach()
    list(REMOVE_DUPLICATES links)
    foreach(item IN LISTS links)
      _ccrec_layer_area("${item}" dep)
      if(dep STREQUAL "" OR dep STREQUAL area)
        continue()
      endif()
      if(NOT dep IN_LIST CCREC_LAYER_ALLOWED_${area})
        string(REPLACE ";" ", " allowed "${CCREC_LAYER_ALLOWED_${area}}")
        if(allowed STREQUAL "")
          set(allowed "no other ccrec area")
        endif()
        string(APPEND problems "\n  ccrec::${area} links ccrec::${dep} (${item}); ccrec::${area} may link: ${allowed}")
      endif()
    endforeach()
  endforeach()
  if(problems)
    message(FATAL_ERROR "ccrec layering violated (docs/architecture.md):${problems}")
  endif()
  list(LENGTH libraries count)
  message(STATUS "ccrec layering: ${count} library targets follow docs/architecture.md")
endfunction()
