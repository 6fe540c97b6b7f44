# One packaging test, run by ctest: cmake -DMODE=... -DSOURCE=... -DBUILD=... -DWORK=... -P this
#   install    cmake --install the build tree (the static library and the tool), run the
#              installed `mailwire --version`, then find_package(mailwire) from a consumer
#   pkgconfig  compile the consumer with `pkg-config --cflags --libs --static mailwire`
#   subdir     a project that add_subdirectory()s mailwire
#   shared     BUILD_SHARED_LIBS=ON: install the library and the tool, run the installed tool,
#              consume (without OpenSSL or fmt), and check SOVERSION and exported symbols
# VERSION is the project's version, which the installed tool must print.
cmake_minimum_required(VERSION 3.25)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${shown}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# The installed tool runs from the prefix (the shared library found through its RPATH, not
# through the build tree) and prints the library's version; its man page is installed beside.
function(check_installed_tool prefix)
  foreach(f bin/mailwire share/man/man1/mailwire.1)
    if(NOT EXISTS ${prefix}/${f})
      message(FATAL_ERROR "not installed: ${f}")
    endif()
  endforeach()
  run(${prefix}/bin/mailwire --version)
  string(STRIP "${run_output}" printed)
  if(NOT printed STREQUAL "mailwire ${VERSION}")
    message(FATAL_ERROR "installed `mailwire --version` printed '${printed}', not "
                        "'mailwire ${VERSION}'")
  endif()
  run(${prefix}/bin/mailwire help imap list)
  if(NOT run_output MATCHES "mailwire imap list")
    message(FATAL_ERROR "installed `mailwire help imap list` printed:\n${run_output}")
  endif()
  message(STATUS "installed tool: ${printed}")
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(generator -G Ninja)

if(MODE STREQUAL "install")
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
  foreach(f include/mailwire/mailwire.hpp lib/cmake/mailwire/mailwireConfig.cmake
            lib/cmake/mailwire/mailwireConfigVersion.cmake lib/pkgconfig/mailwire.pc)
    if(NOT EXISTS ${WORK}/prefix/${f})
      message(FATAL_ERROR "not installed: ${f}")
    endif()
  endforeach()
  check_installed_tool(${WORK}/prefix)
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/package/consumer -B ${WORK}/consumer ${generator}
      -DCMAKE_PREFIX_PATH=${WORK}/prefix)
  run(${CMAKE_COMMAND} --build ${WORK}/consumer)
  run(${WORK}/consumer/consumer)
  message(STATUS "${run_output}")
elseif(MODE STREQUAL "pkgconfig")
  run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
  set(ENV{PKG_CONFIG_PATH} ${WORK}/prefix/lib/pkgconfig)
  # OpenSSL and fmt are private: asked for with --static only.
  run(pkg-config --print-requires mailwire)
  string(STRIP "${run_output}" public_requires)
  if(NOT public_requires STREQUAL "")
    message(FATAL_ERROR "mailwire.pc has public Requires: ${public_requires}")
  endif()
  run(pkg-config --print-requires-private mailwire)
  if(NOT run_output MATCHES "openssl" OR NOT run_output MATCHES "fmt")
    message(FATAL_ERROR "mailwire.pc lacks openssl or fmt in Requires.private: ${run_output}")
  endif()
  run(pkg-config --cflags mailwire)
  if(run_output MATCHES "//")
    message(FATAL_ERROR "pkg-config --cflags has a '//' in a path: ${run_output}")
  endif()
  # Install directories given as absolute paths are used as they are, never joined into "//".
  run(${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/absolute ${generator} -DMAILWIRE_BUILD_TESTS=OFF
      -DMAILWIRE_BUILD_EXAMPLES=OFF -DMAILWIRE_BUILD_DOCS=OFF -DMAILWIRE_INSTALL=ON
      -DCMAKE_INSTALL_PREFIX=${WORK}/absolute-prefix
      -DCMAKE_INSTALL_INCLUDEDIR=${WORK}/absolute-prefix/include)
  file(READ ${WORK}/absolute/mailwire.pc absolute_pc)
  if(absolute_pc MATCHES "//" OR NOT absolute_pc MATCHES "includedir=${WORK}/absolute-prefix/include\n")
    message(FATAL_ERROR "mailwire.pc with an absolute include directory:\n${absolute_pc}")
  endif()
  run(pkg-config --cflags --libs --static mailwire)
  string(STRIP "${run_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(c++ -std=c++17 ${SOURCE}/tests/package/consumer/main.cpp -o ${WORK}/consumer_pc ${flags})
  run(${WORK}/consumer_pc)
  message(STATUS "${run_output}")
elseif(MODE STREQUAL "subdir")
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/package/subdir -B ${WORK}/subdir ${generator}
      -DMAILWIRE_SOURCE_DIR=${SOURCE})
  run(${CMAKE_COMMAND} --build ${WORK}/subdir --target consumer)
  run(${WORK}/subdir/consumer)
  message(STATUS "${run_output}")
elseif(MODE STREQUAL "shared")
  # The library and the tool only (the other examples and the benchmarks are not installed).
  run(${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/lib ${generator} -DBUILD_SHARED_LIBS=ON
      -DCMAKE_BUILD_TYPE=Release -DMAILWIRE_BUILD_TESTS=OFF -DMAILWIRE_BUILD_EXAMPLES=ON
      -DMAILWIRE_BUILD_DOCS=OFF -DMAILWIRE_INSTALL=ON)
  run(${CMAKE_COMMAND} --build ${WORK}/lib --target mailwire mailwire_cli)
  run(${CMAKE_COMMAND} --install ${WORK}/lib --prefix ${WORK}/prefix)
  check_installed_tool(${WORK}/prefix)
  run(readelf -d ${WORK}/prefix/bin/mailwire)
  if(NOT run_output MATCHES "libmailwire\\.so\\.0")
    message(FATAL_ERROR "the installed tool does not use the shared library:\n${run_output}")
  endif()
  file(GLOB sonames ${WORK}/prefix/lib/libmailwire.so.0)
  if(NOT sonames)
    message(FATAL_ERROR "no libmailwire.so.0 (SOVERSION) installed")
  endif()
  # Hidden visibility: only mailwire's own symbols are exported, none of OpenSSL or fmt.
  run(nm -D --defined-only ${WORK}/prefix/lib/libmailwire.so)
  string(REGEX MATCHALL "[^\n]+" lines "${run_output}")
  set(foreign "")
  set(ours 0)
  foreach(line IN LISTS lines)
    if(line MATCHES "mailwire")
      math(EXPR ours "${ours} + 1")
    elseif(line MATCHES " (SSL_|EVP_|OPENSSL|X509|_ZN3fmt|_ZNK3fmt)")
      string(APPEND foreign "${line}\n")
    endif()
  endforeach()
  if(foreign)
    message(FATAL_ERROR "the shared library exports foreign symbols:\n${foreign}")
  endif()
  if(ours LESS 10)
    message(FATAL_ERROR "the shared library exports only ${ours} mailwire symbols")
  endif()
  # A shared library carries OpenSSL and fmt itself: mailwireConfig.cmake must not ask for them.
  run(${CMAKE_COMMAND} -S ${SOURCE}/tests/package/consumer -B ${WORK}/consumer ${generator}
      -DCMAKE_PREFIX_PATH=${WORK}/prefix -DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON
      -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON)
  run(${CMAKE_COMMAND} --build ${WORK}/consumer)
  run(${WORK}/consumer/consumer)
  message(STATUS "${run_output} (${ours} exported mailwire symbols)")
else()
  message(FATAL_ERROR "unknown MODE ${MODE}")
endif()
