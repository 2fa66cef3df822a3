# SPDX-License-Identifier: Apache-2.0
# Writes the bash completion of ccrec-export from the program's own --help output, so that it
# lists exactly the subcommands and flags of the binary it ships with (no hand-kept copy to drift),
# and, with MAN_INCLUDE, a help2man include file with every subcommand's --help (help2man itself
# reads only the top-level --help).
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

run_help(top)
parse_options("${top}" top)
string(REPLACE ";" "," top_text "${top}")
string(REPLACE "\n" ";" top_lines "${top_text}")
set(subcommands "")
set(in_subcommands FALSE)
foreach(line IN LISTS top_lines)
  if(line MATCHES "^Subcommands:")
    set(in_subcommands TRUE)
  elseif(in_subcommands AND line MATCHES "^  ([a-z0-9][-a-z0-9_]*)( |$)")
    list(APPEND subcommands "${CMAKE_MATCH_1}")
  elseif(in_subcommands AND NOT line MATCHES "^ ")
    set(in_subcommands FALSE)
  endif()
endforeach()
if(NOT subcommands)
  message(FATAL_ERROR "no subcommands found in `${CLI} --help`:\n${top}")
endif()

set(sub_arms "")
set(man "[SUBCOMMANDS]\n")
foreach(sub IN LISTS subcommands)
  run_help(sub_help ${sub})
  # Preformatted roff: backslashes escaped, no line may start a request.
  string(REPLACE "\\" "\\e" roff "${sub_help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" roff "${roff}")
  string(APPEND man ".SS \"ccrec-export ${sub}\"\n.nf\n${roff}\n.fi\n")
  parse_options("${sub_help}" sub)
  string(APPEND sub_arms "    ${sub})\n      opts=\"${sub_opts}\"\n      case $prev in\n${sub_cases}      esac ;;\n")
endforeach()
list(JOIN subcommands " " subcommand_words)
list(JOIN subcommands "|" subcommand_pattern)

file(WRITE "${OUT}" "# bash completion for ccrec-export                                  -*- shell-script -*-
# Generated from `ccrec-export --help` when ccrec-export was built (examples/ccrec-export/
# gen_completion.cmake); installed to share/bash-completion/completions/ccrec-export.

_ccrec_export() {
  local cur=\"\${COMP_WORDS[COMP_CWORD]}\" prev=\"\"
  [ \"$COMP_CWORD\" -gt 0 ] && prev=\"\${COMP_WORDS[COMP_CWORD-1]}\"
  local sub=\"\" opts=\"\" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \"\${COMP_WORDS[i]}\" in
      ${subcommand_pattern}) sub=\"\${COMP_WORDS[i]}\"; break ;;
    esac
  done
  case \"$sub\" in
    \"\")
      opts=\"${top_opts}\"
      if [[ \"$cur\" != -* ]]; then
        COMPREPLY=($(compgen -W \"${subcommand_words}\" -- \"$cur\"))
        return
      fi ;;
${sub_arms}  esac
  COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))
}
complete -F _ccrec_export ccrec-export
")
if(MAN_INCLUDE)
  file(WRITE "${MAN_INCLUDE}" "${man}")
endif()
