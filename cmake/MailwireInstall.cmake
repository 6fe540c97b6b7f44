# Installation: headers, the library, a CMake package (mailwire::mailwire) and a pkg-config file.
include(CMakePackageConfigHelpers)

set(MAILWIRE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mailwire)

install(TARGETS mailwire EXPORT mailwireTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The `mailwire` tool and its man page (generated from docs/cli.md), when the tool is built.
if(MAILWIRE_INSTALL_TOOL AND TARGET mailwire_cli)
  install(TARGETS mailwire_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${MAILWIRE_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mailwire
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(EXPORT mailwireTargets
  NAMESPACE mailwire::
  DESTINATION ${MAILWIRE_CMAKE_DIR})

if(BUILD_SHARED_LIBS)
  set(MAILWIRE_STATIC_LIBRARY OFF)
else()
  set(MAILWIRE_STATIC_LIBRARY ON)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mailwireConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mailwireConfig.cmake
  INSTALL_DESTINATION ${MAILWIRE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mailwireConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mailwireConfig.cmake
              ${PROJECT_BINARY_DIR}/mailwireConfigVersion.cmake
  DESTINATION ${MAILWIRE_CMAKE_DIR})

# pkg-config: OpenSSL and fmt are private dependencies (no public header includes them), needed
# on the link line of a static library only (`pkg-config --static`), as are libresolv where the
# resolver lives in it and the threads library.
set(MAILWIRE_PC_REQUIRES_PRIVATE "openssl fmt")
set(MAILWIRE_PC_LIBS_PRIVATE "")
if(NOT BUILD_SHARED_LIBS)
  foreach(lib IN LISTS MAILWIRE_RESOLVER_LIBS)
    string(APPEND MAILWIRE_PC_LIBS_PRIVATE " -l${lib}")
  endforeach()
endif()
string(STRIP "${MAILWIRE_PC_LIBS_PRIVATE}" MAILWIRE_PC_LIBS_PRIVATE)
if(BUILD_SHARED_LIBS)
  set(MAILWIRE_PC_CFLAGS " -DMAILWIRE_SHARED")
else()
  set(MAILWIRE_PC_CFLAGS "")
endif()
# The prefix, relative to where the .pc file lands, keeps the install relocatable; a directory
# given as an absolute path is used as it is (never joined to the prefix into "//").
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(MAILWIRE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH rel "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" rel "${rel}")
  set(MAILWIRE_PC_PREFIX "\${pcfiledir}/${rel}")
endif()
foreach(kind LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${kind}}")
    set(MAILWIRE_PC_${kind} "${CMAKE_INSTALL_${kind}}")
  else()
    string(REGEX REPLACE "^/+|/+$" "" dir "${CMAKE_INSTALL_${kind}}")
    set(MAILWIRE_PC_${kind} "\${prefix}/${dir}")
  endif()
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/mailwire.pc.in ${PROJECT_BINARY_DIR}/mailwire.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mailwire.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
