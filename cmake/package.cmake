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
# The shared libraries `hinge` links (objdump -p: NEEDED), and OpenBLAS, which the
# engine opens at the first matrix product: named, not computed (dpkg-shlibdeps
# cannot see a dlopen), and checked against the binary by tests/package/deb.cmake.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34), libstdc++6 (>= 12), libgcc-s1, libfmt9, libopenblas0, libedit2")
# The Jupyter kernel, when built, links xeus and ZeroMQ; Jupyter itself is the user's choice.
if(TARGET hinge-kernel)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libxeus6, libzmq5")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "jupyter-notebook | python3-notebook")
endif()
# For the C++ libraries and headers in the same package.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libfmt-dev, libopenblas-dev, libedit-dev, cmake")
include(CPack)
