# `cpack -G DEB` in the build folder: hinge_VERSION_amd64.deb with everything
# `cmake --install` installs, under /usr.
set(CPACK_PACKAGE_NAME hinge)
set(CPACK_PACKAGE_VENDOR "hinge")
set(CPACK_PACKAGE_CONTACT "hinge maintainers <hinge@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "reverse-mode autodiff engine with a small scripting language")
set(CPACK_PACKAGE_DESCRIPTION "hinge computes gradients of tensor programs (a C++20 library) and runs
small experiments with neural networks in its own language: train, plot, explain.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# Depends: dpkg-shlibdeps reads the shared libraries each packaged program links
# (NEEDED), which depend on how it was built (HINGE_STATIC_COMMAND links the C++
# runtime, fmt and libedit into `hinge`; the Jupyter kernel links xeus and ZeroMQ).
# OpenBLAS is named: the engine opens it at the first matrix product, which no tool
# can see. tests/package/deb.cmake checks the result against the binaries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0")
# Without dpkg-shlibdeps CPack would quietly leave the other dependencies out.
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/package_tools.cmake)
if(TARGET hinge-kernel)  # Jupyter itself is the user's choice
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "jupyter-notebook | python3-notebook")
endif()
# For the C++ libraries and headers in the same package.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libfmt-dev, libopenblas-dev, libedit-dev, cmake")
include(CPack)
