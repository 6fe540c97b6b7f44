# Fails when a public symbol in include/mailwire is not documented: runs Doxygen with
# EXTRACT_ALL=NO and WARN_IF_UNDOCUMENTED=YES over the public headers only, warnings to a file,
# and fails listing them (per file, then each warning) if there are any.
#
#   cmake -DDOXYGEN=/usr/bin/doxygen -DSOURCE_DIR=<repo> -DWORK_DIR=<scratch dir>
#         [-DCHECK_PENDING=ON] -P cmake/check_docs.cmake
#
# Registered as the ctest test "docs: every public symbol documented" (label unit) by
# cmake/MailwireDocs.cmake when Doxygen is found. CHECK_PENDING=ON checks the pending files
# below as well (to see what documenting them still takes); the test never sets it.

# ---------------------------------------------------------------------------------------------
# MAILWIRE_DOCS_PENDING: public headers NOT checked yet, because they were being changed while
# the others were documented. Paths are relative to the repository root; a directory covers
# everything under it. Document a file, remove it from this list, and the test keeps it so.
set(MAILWIRE_DOCS_PENDING)
# ---------------------------------------------------------------------------------------------

foreach(var DOXYGEN SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "check_docs.cmake: -D${var}=... is required")
  endif()
endforeach()
get_filename_component(SOURCE_DIR "${SOURCE_DIR}" ABSOLUTE)
get_filename_component(WORK_DIR "${WORK_DIR}" ABSOLUTE)

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# The same base configuration as the docs target, then the check's overrides.
set(PROJECT_SOURCE_DIR "${SOURCE_DIR}")
set(PROJECT_VERSION "check")
set(PROJECT_DESCRIPTION "")
set(MAILWIRE_DOCS_OUTPUT_DIR "${WORK_DIR}/out")
set(MAILWIRE_DOCS_HAVE_DOT NO)
configure_file("${SOURCE_DIR}/docs/Doxyfile.in" "${WORK_DIR}/Doxyfile.base" @ONLY)

set(excluded "")
if(NOT CHECK_PENDING)
  foreach(path IN LISTS MAILWIRE_DOCS_PENDING)
    if(NOT EXISTS "${SOURCE_DIR}/${path}")
      message(FATAL_ERROR "check_docs.cmake: MAILWIRE_DOCS_PENDING names ${path}, which does "
                          "not exist; remove it from the list")
    endif()
    string(APPEND excluded " \"${SOURCE_DIR}/${path}\"")
  endforeach()
endif()

set(log "${WORK_DIR}/warnings.log")
file(WRITE "${WORK_DIR}/Doxyfile" "@INCLUDE = \"${WORK_DIR}/Doxyfile.base\"
INPUT                  = \"${SOURCE_DIR}/include/mailwire\"
FILE_PATTERNS          = *.hpp
USE_MDFILE_AS_MAINPAGE =
EXCLUDE                = ${excluded}
EXTRACT_ALL            = NO
EXTRACT_PRIVATE        = NO
WARN_IF_UNDOCUMENTED   = YES
WARN_IF_DOC_ERROR      = YES
WARN_AS_ERROR          = NO
WARN_LOGFILE           = \"${log}\"
QUIET                  = YES
# Doxygen reports undocumented members while it writes output: XML is the cheapest to write.
GENERATE_HTML          = NO
GENERATE_XML           = YES
HAVE_DOT               = NO
")

execute_process(COMMAND "${DOXYGEN}" "${WORK_DIR}/Doxyfile"
                WORKING_DIRECTORY "${WORK_DIR}"
                RESULT_VARIABLE rc
                OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "doxygen failed (${rc}):\n${out}${err}")
endif()

if(NOT EXISTS "${log}")
  message(FATAL_ERROR "doxygen wrote no warnings file (${log}):\n${out}${err}")
endif()
file(READ "${log}" warnings)
string(STRIP "${warnings}" warnings)
if(warnings STREQUAL "")
  list(LENGTH MAILWIRE_DOCS_PENDING pending)
  if(CHECK_PENDING)
    message(STATUS "every public symbol is documented, pending files included")
  else()
    message(STATUS "every public symbol is documented (${pending} pending paths not checked: "
                   "MAILWIRE_DOCS_PENDING in cmake/check_docs.cmake)")
  endif()
  return()
endif()

string(REPLACE "${SOURCE_DIR}/" "" warnings "${warnings}")
# Doxygen repeats some warnings (once per output pass): keep each "<path>:<line>: <text>" once,
# with its continuation lines. Semicolons and brackets are masked so that lines can be a CMake
# list (an unbalanced "[" would stop the list from splitting).
string(REPLACE ";" "<semicolon>" warnings "${warnings}")
string(REPLACE "[" "<lbracket>" warnings "${warnings}")
string(REPLACE "]" "<rbracket>" warnings "${warnings}")
string(REPLACE "\n" ";" lines "${warnings}")
set(seen "")
set(files "")
set(kept "")
set(skip FALSE)
foreach(line IN LISTS lines)
  if(line MATCHES "^([^ :][^:]*):[0-9]+: ")
    set(file "${CMAKE_MATCH_1}")
    list(FIND seen "${line}" at)
    if(at EQUAL -1)
      list(APPEND seen "${line}")
      list(APPEND files "${file}")
      set(skip FALSE)
    else()
      set(skip TRUE)
    endif()
  endif()
  if(NOT skip)
    string(APPEND kept "${line}\n")
  endif()
endforeach()
string(REPLACE "<semicolon>" ";" warnings "${kept}")
string(REPLACE "<lbracket>" "[" warnings "${warnings}")
string(REPLACE "<rbracket>" "]" warnings "${warnings}")

# Per-file counts.
list(LENGTH files total)
set(summary "")
set(unique ${files})
list(REMOVE_DUPLICATES unique)
list(SORT unique)
foreach(f IN LISTS unique)
  set(n 0)
  foreach(g IN LISTS files)
    if(g STREQUAL f)
      math(EXPR n "${n} + 1")
    endif()
  endforeach()
  string(APPEND summary "  ${n}\t${f}\n")
endforeach()
# message(NOTICE) prints as is (FATAL_ERROR would reflow the lines).
message(NOTICE "${warnings}\nDoxygen warnings per file:\n${summary}")
message(FATAL_ERROR "${total} Doxygen warnings in the public headers (undocumented symbols or "
                    "broken doc comments); document them with /// comments")
