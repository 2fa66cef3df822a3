# SPDX-License-Identifier: Apache-2.0
# Writes the bash completion of ccrec-export from the program's own --help output, so that it
# lists exactly the subcommands (nested ones too: `webex token refresh`) and flags of the binary it
# ships with (no hand-kept copy to drift), and, with MAN_INCLUDE, a help2man include file with every
# subcommand's --help (help2man itself reads only the top-level --help).
#   cmake -DCLI=<path to ccrec-export> -DOUT=<completion file> [-DMAN_INCLUDE=<file>] -P gen_completion.cmake
# Flags with a fixed set of values ("TEXT:{error,warn,info,debug}") complete those values; file,
# directory, manifest and destination flags complete file names; other values complete nothing.
function(run_help out)
  execute_process(COMMAND "${CLI}" ${ARGN} --help RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${CLI} ${ARGN} --help failed (${rc}): ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Fills <prefix>_opts (every flag name), <prefix>_cases (bash `case` arms for the flags' values).
function(parse_options text prefix)
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(opts "")
  set(cases "")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "^  (-[-A-Za-z0-9,]+)( +|$)(.*)")
      continue()
    endif()
    string(REPLACE "," ";" names "${CMAKE_MATCH_1}")
    set(rest "${CMAKE_MATCH_3}")
    list(APPEND opts ${names})
    list(JOIN names "|" pattern)
    if(rest MATCHES "^[A-Z]+:{([^}]*)}")
      string(REPLACE "," " " values "${CMAKE_MATCH_1}")
      string(APPEND cases "      ${pattern}) COMPREPLY=($(compgen -W \"${values}\" -- \"$cur\")); return ;;\n")
    elseif(rest MATCHES "^[A-Z]+:(FILE|DIR|PATH)" OR (rest MATCHES "^TEXT" AND pattern MATCHES "(file|manifest|dest|bundle|dir|path)$"))
      string(APPEND cases "      ${pattern}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n")
    elseif(rest MATCHES "^[A-Z]+")
      string(APPEND cases "      ${pattern}) COMPREPLY=(); return ;;\n")  # a value to type
    endif()
  endforeach()
  list(JOIN opts " " opts)
  set(${prefix}_opts "${opts}" PARENT_SCOPE)
  set(${prefix}_cases "${cases}" PARENT_SCOPE)
endfunction()

# The names listed under "Subcommands:" in a --help text, into <out>.
function(parse_subcommands text out)
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(names "")
  set(in_subcommands FALSE)
  foreach(line IN LISTS lines)
    if(line MATCHES "^Subcommands:")
      set(in_subcommands TRUE)
    elseif(in_subcommands AND line MATCHES "^  ([a-z0-9][-a-z0-9_]*)( |$)")
      list(APPEND names "${CMAKE_MATCH_1}")
    elseif(in_subcommands AND NOT line MATCHES "^ ")
      set(in_subcommands FALSE)
    endif()
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# Visits the subcommand at <path> (a list of words; empty: the program) and, depth first, its
# subcommands (`webex token refresh`, `webex subscriptions create`, ...): appends a bash `case`
# arm to `arms`, its quoted path to `paths` and its help to `man`.
function(visit)
  set(path ${ARGN})
  run_help(help ${path})
  parse_options("${help}" node)
  parse_subcommands("${help}" children)
  list(JOIN path " " key)
  list(JOIN children " " child_words)
  if(path)
    # Preformatted roff: backslashes escaped, no line may start a request.
    string(REPLACE "\\" "\\e" roff "${help}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" roff "${roff}")
    string(APPEND man ".SS \"ccrec-export ${key}\"\n.nf\n${roff}\n.fi\n")
    list(APPEND paths "\"${key}\"")
  endif()
  string(APPEND arms "    \"${key}\")\n      opts=\"${node_opts}\" subs=\"${child_words}\"\n      case $prev in\n${node_cases}      esac ;;\n")
  foreach(child IN LISTS children)
    visit(${path} ${child})
  endforeach()
  set(arms "${arms}" PARENT_SCOPE)
  set(paths "${paths}" PARENT_SCOPE)
  set(man "${man}" PARENT_SCOPE)
endfunction()

set(arms "")
set(paths "")
set(man "[SUBCOMMANDS]\n")
visit()
if(NOT paths)
  message(FATAL_ERROR "no subcommands found in `${CLI} --help`")
endif()
list(JOIN paths "|" path_pattern)

file(WRITE "${OUT}" "# bash completion for ccrec-export                                  -*- shell-script -*-
# Generated from `ccrec-export --help` when ccrec-export was built (examples/ccrec-export/
# gen_completion.cmake); installed to share/bash-completion/completions/ccrec-export.

_ccrec_export() {
  local cur=\"\${COMP_WORDS[COMP_CWORD]}\" prev=\"\"
  [ \"$COMP_CWORD\" -gt 0 ] && prev=\"\${COMP_WORDS[COMP_CWORD-1]}\"
  # The subcommand path typed so far (\"webex\", \"webex token refresh\", ...).
  local path=\"\" opts=\"\" subs=\"\" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \"$path\${path:+ }\${COMP_WORDS[i]}\" in
      ${path_pattern}) path=\"$path\${path:+ }\${COMP_WORDS[i]}\" ;;
    esac
  done
  case \"$path\" in
${arms}  esac
  if [[ \"$cur\" != -* && -n \"$subs\" ]]; then
    COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))
    return
  fi
  COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))
}
complete -F _ccrec_export ccrec-export
")
if(MAN_INCLUDE)
  file(WRITE "${MAN_INCLUDE}" "${man}")
endif()
