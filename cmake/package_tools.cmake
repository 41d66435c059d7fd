# Read by cpack before it packs (CPACK_PROJECT_CONFIG_FILE, cmake/package.cmake):
# the .deb's Depends come from dpkg-shlibdeps, without which CPack would write a
# package that lacks them.
if(CPACK_GENERATOR STREQUAL "DEB")
  find_program(HINGE_DPKG_SHLIBDEPS dpkg-shlibdeps)
  if(NOT HINGE_DPKG_SHLIBDEPS)
    message(FATAL_ERROR "cpack -G DEB needs dpkg-shlibdeps to name the package's dependencies: "
                        "apt-get install dpkg-dev")
  endif()
endif()
