# The installed package works for a project of its own (as fmt's find-package-test):
# `cmake --install` of this build into a temporary prefix, then tests/package/consumer
# configured against that prefix alone builds examples/cpp/fit_curve.cpp with
# hinge::engine and a Session user with hinge::lang, and both run.
#   cmake -DBUILD=<hinge build> -DROOT=<source> -DWORK=<scratch dir> [-DKERNEL=ON] -P find_package.cmake
cmake_minimum_required(VERSION 3.22)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
hinge_require(BUILD ROOT WORK)

file(REMOVE_RECURSE ${WORK})
set(prefix ${WORK}/prefix)
hinge_run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})

# What the install put where (GNUInstallDirs, lib/ or lib64/ by platform).
file(GLOB_RECURSE config ${prefix}/*/cmake/hinge/hingeConfig.cmake)
foreach(f bin/hinge include/hinge/engine.hpp include/hinge/lang/eval/session.hpp share/man/man1/hinge.1
          share/doc/hinge/README.md share/doc/hinge/BUILTINS.md)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "cmake --install did not install ${f}")
  endif()
endforeach()
if(NOT config)
  message(FATAL_ERROR "cmake --install did not install hingeConfig.cmake")
endif()
if(KERNEL)  # the Jupyter kernel is built: installed with a kernel spec Jupyter finds
  hinge_run(${CMAKE_COMMAND} -E env JUPYTER_PATH=${prefix}/share/jupyter jupyter kernelspec list OUTPUT kernels)
  if(NOT kernels MATCHES "hinge +${prefix}/share/jupyter/kernels/hinge")
    message(FATAL_ERROR "jupyter kernelspec list does not show the installed hinge kernel:\n${kernels}")
  endif()
  file(READ ${prefix}/share/jupyter/kernels/hinge/kernel.json spec)
  if(NOT spec MATCHES "\"${prefix}/bin/hinge-kernel\"" OR NOT EXISTS ${prefix}/bin/hinge-kernel)
    message(FATAL_ERROR "the installed kernel.json does not start ${prefix}/bin/hinge-kernel:\n${spec}")
  endif()
endif()
file(GLOB_RECURSE boost_headers ${prefix}/include/*ast_adapted.hpp ${prefix}/include/*parser_def.hpp)
if(boost_headers)
  message(FATAL_ERROR "the grammar's headers (they need Boost) were installed: ${boost_headers}")
endif()

# The consumer sees the prefix only: no hinge source or build folder on its paths.
hinge_run(${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR}/consumer -B ${WORK}/build -G Ninja
          -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
          -DHINGE_EXAMPLE=${ROOT}/examples/cpp/fit_curve.cpp)
file(READ ${WORK}/build/build.ninja ninja)
string(REPLACE "${WORK}" "<work>" ninja "${ninja}")  # the scratch folder may sit in the build tree
foreach(leak ${ROOT}/engine ${ROOT}/lang ${BUILD})
  string(FIND "${ninja}" "${leak}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the consumer's build uses ${leak}, not only the installed package")
  endif()
endforeach()
hinge_run(${CMAKE_COMMAND} --build ${WORK}/build)
hinge_run(${WORK}/build/fit_curve)
hinge_run(${WORK}/build/run_line "relu(-1) + 2" OUTPUT out)
if(NOT out STREQUAL "2\n")
  message(FATAL_ERROR "run_line 'relu(-1) + 2' printed '${out}', not 2")
endif()
file(REMOVE_RECURSE ${WORK})
