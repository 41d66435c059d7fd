# What `cmake --install` puts where (GNUInstallDirs), and the package config that
# gives find_package(hinge) the targets hinge::engine and (when built) hinge::lang.
include(CMakePackageConfigHelpers)
set(HINGE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hinge)

# The engine: libhinge_engine.a, include/hinge/*.hpp.
install(TARGETS hinge_engine EXPORT hingeEngineTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/include/hinge DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(EXPORT hingeEngineTargets NAMESPACE hinge:: DESTINATION ${HINGE_CMAKE_DIR} COMPONENT dev)

# The language: the `hinge` command, its man page and documents, and its libraries
# (headers installed by lang/CMakeLists.txt).
if(HINGE_LANG)
  install(TARGETS hinge RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT bin)
  install(FILES ${PROJECT_SOURCE_DIR}/lang/app/hinge.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT bin)
  install(FILES ${PROJECT_SOURCE_DIR}/lang/README.md ${PROJECT_SOURCE_DIR}/lang/BUILTINS.md
          DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT bin)
  install(TARGETS hinge_syntax hinge_plot hinge_explain hinge_eval hinge_builtins hinge_repl hinge_lang
          EXPORT hingeLangTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
  install(EXPORT hingeLangTargets NAMESPACE hinge:: DESTINATION ${HINGE_CMAKE_DIR} COMPONENT dev)
endif()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/hingeConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/hingeConfig.cmake INSTALL_DESTINATION ${HINGE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hingeConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hingeConfig.cmake ${PROJECT_BINARY_DIR}/hingeConfigVersion.cmake
        DESTINATION ${HINGE_CMAKE_DIR} COMPONENT dev)
