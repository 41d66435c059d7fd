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

# The Jupyter kernel, when it is built: the program, and its kernel spec in the
# prefix's Jupyter data folder (where `jupyter kernelspec list` finds it for a
# /usr or /usr/local install), kernel.json naming the installed program.
if(TARGET hinge-kernel)
  install(TARGETS hinge-kernel RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT bin)
  set(kernelspec_dir ${CMAKE_INSTALL_DATADIR}/jupyter/kernels/hinge)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/lang/jupyter/kernelspec/ DESTINATION ${kernelspec_dir} COMPONENT bin
          FILES_MATCHING PATTERN "logo-*")
  # kernel.json names the installed program, whose prefix is known only when
  # installing (`cmake --install --prefix P`, cpack): install_kernelspec.cmake runs then.
  install(CODE "set(HINGE_KERNELSPEC_TEMPLATE \"${PROJECT_SOURCE_DIR}/lang/jupyter/kernelspec/kernel.json.in\")
                set(HINGE_KERNELSPEC_DIR \"${kernelspec_dir}\")
                set(HINGE_KERNEL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")" COMPONENT bin)
  install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/install_kernelspec.cmake COMPONENT bin)
endif()

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/hingeConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/hingeConfig.cmake INSTALL_DESTINATION ${HINGE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hingeConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hingeConfig.cmake ${PROJECT_BINARY_DIR}/hingeConfigVersion.cmake
        DESTINATION ${HINGE_CMAKE_DIR} COMPONENT dev)
