# API reference (Doxygen) of the public headers, and the test that every public symbol is
# documented. Both exist only when Doxygen is found.
#
#   cmake --build build --target docs    -> build/docs/html/index.html
#   ctest --test-dir build -R "^docs: "  -> fails listing undocumented public symbols

find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "Doxygen not found: no docs target, no documentation test")
  return()
endif()

set(MAILWIRE_DOCS_OUTPUT_DIR "${PROJECT_BINARY_DIR}/docs")
if(DOXYGEN_DOT_FOUND)
  set(MAILWIRE_DOCS_HAVE_DOT YES)
else()
  set(MAILWIRE_DOCS_HAVE_DOT NO)
endif()
configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${MAILWIRE_DOCS_OUTPUT_DIR}/Doxyfile @ONLY)

add_custom_target(docs
  COMMAND Doxygen::doxygen ${MAILWIRE_DOCS_OUTPUT_DIR}/Doxyfile
  COMMAND ${CMAKE_COMMAND} -E echo "API reference: ${MAILWIRE_DOCS_OUTPUT_DIR}/html/index.html"
  WORKING_DIRECTORY ${MAILWIRE_DOCS_OUTPUT_DIR}
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${MAILWIRE_PUBLIC_HEADERS}
          ${PROJECT_SOURCE_DIR}/README.md
  COMMENT "Generating the API reference with Doxygen"
  VERBATIM)

if(MAILWIRE_BUILD_TESTS)
  add_test(NAME "docs: every public symbol documented"
           COMMAND ${CMAKE_COMMAND} -DDOXYGEN=$<TARGET_FILE:Doxygen::doxygen>
                   -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${PROJECT_BINARY_DIR}/docs-check
                   -P ${PROJECT_SOURCE_DIR}/cmake/check_docs.cmake)
  set_tests_properties("docs: every public symbol documented" PROPERTIES LABELS unit)
endif()
