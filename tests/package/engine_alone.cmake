# The engine alone: hinge configured with -DHINGE_LANG=OFF, with Boost and pkg-config
# (hence libedit) hidden from find_package, builds the engine, its tests, the C++
# examples and the bench, and its tests pass. Nothing in the build names Boost or
# libedit. Installed into a temporary prefix, it is a package of its own:
# tests/package/consumer finds hinge::engine there and builds and runs the C++
# example.
#   cmake -DROOT=<source> -DWORK=<scratch dir> [-DLAUNCHER=ccache] -P engine_alone.cmake
cmake_minimum_required(VERSION 3.22)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
hinge_require(ROOT WORK)

file(REMOVE_RECURSE ${WORK})
set(launcher)
if(LAUNCHER)
  set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
hinge_run(${CMAKE_COMMAND} -S ${ROOT} -B ${WORK} -G Ninja -DHINGE_LANG=OFF ${launcher}
          -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON)
file(READ ${WORK}/build.ninja ninja)
string(TOLOWER "${ninja}" ninja)
foreach(dep boost libedit editline)
  string(FIND "${ninja}" "${dep}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the engine-alone build names ${dep}")
  endif()
endforeach()
foreach(target hinge lang_tests hinge_syntax)
  string(FIND "${ninja}" "build ${target}:" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the engine-alone build has the target ${target}")
  endif()
endforeach()
hinge_run(${CMAKE_COMMAND} --build ${WORK} -j 2)
execute_process(COMMAND ctest --output-on-failure --no-tests=error -R "^(engine|example): " WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the engine-alone tests failed:\n${out}")
endif()
set(prefix ${WORK}/prefix)
hinge_run(${CMAKE_COMMAND} --install ${WORK} --prefix ${prefix})
hinge_run(${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR}/consumer -B ${WORK}/consumer -G Ninja
          -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
          -DHINGE_EXAMPLE=${ROOT}/examples/cpp/fit_curve.cpp -DHINGE_COMPONENTS=engine)
hinge_run(${CMAKE_COMMAND} --build ${WORK}/consumer)
hinge_run(${WORK}/consumer/fit_curve)
file(REMOVE_RECURSE ${WORK})
