# Installation: headers, the library, a CMake package (mailwire::mailwire) and a pkg-config file.
include(CMakePackageConfigHelpers)

set(MAILWIRE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mailwire)

install(TARGETS mailwire EXPORT mailwireTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mailwire
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(EXPORT mailwireTargets
  NAMESPACE mailwire::
  DESTINATION ${MAILWIRE_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mailwireConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mailwireConfig.cmake
  INSTALL_DESTINATION ${MAILWIRE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mailwireConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mailwireConfig.cmake
              ${PROJECT_BINARY_DIR}/mailwireConfigVersion.cmake
  DESTINATION ${MAILWIRE_CMAKE_DIR})

# pkg-config: a static library needs its private dependencies on the link line.
if(BUILD_SHARED_LIBS)
  set(MAILWIRE_PC_REQUIRES_PRIVATE "openssl fmt")
  set(MAILWIRE_PC_REQUIRES "")
else()
  set(MAILWIRE_PC_REQUIRES_PRIVATE "")
  set(MAILWIRE_PC_REQUIRES "openssl fmt")
endif()
if(BUILD_SHARED_LIBS)
  set(MAILWIRE_PC_CFLAGS "-DMAILWIRE_SHARED")
else()
  set(MAILWIRE_PC_CFLAGS "")
endif()
# The prefix, relative to where the .pc file lands, keeps the install relocatable.
file(RELATIVE_PATH MAILWIRE_PC_PREFIX_REL "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${PROJECT_SOURCE_DIR}/cmake/mailwire.pc.in ${PROJECT_BINARY_DIR}/mailwire.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mailwire.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
