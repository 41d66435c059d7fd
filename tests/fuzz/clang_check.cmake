# The libFuzzer build (tests/fuzz/run, in .ci/run after the ctests) is the only place
# clang compiles hinge. This check gets there first: it configures that build with
# clang and compiles every engine file with -fsyntax-only, so a GCC-only builtin or a
# CMake option the fuzz project never sees fails here, in seconds, not at the end of CI.
# The engine only: lang/'s grammar alone takes longer than all of the engine.
#   cmake -DROOT=<source root> -DWORK=<scratch dir> -DCLANG=<clang++-14>
#         -DGENERATOR=<cmake generator> -P clang_check.cmake
cmake_minimum_required(VERSION 3.22)
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${ROOT}/tests/fuzz -B ${WORK} -G ${GENERATOR}
                        -DHINGE_FUZZ=ON -DCMAKE_CXX_COMPILER=${CLANG} -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the fuzz build does not configure with ${CLANG}:\n${out}")
endif()

file(READ ${WORK}/compile_commands.json commands)
string(JSON count LENGTH "${commands}")
math(EXPR last "${count} - 1")
set(compiled "")  # the engine files the checked commands compile
foreach(i RANGE ${last})
  string(JSON command GET "${commands}" ${i} command)
  string(JSON directory GET "${commands}" ${i} directory)
  string(JSON file GET "${commands}" ${i} file)
  if(file MATCHES "^${ROOT}/engine/src/[^/]+\\.cpp$")
    list(APPEND compiled ${file})
  elseif(file MATCHES "/hinge_engine\\.dir/Unity/")  # a unity file gathering some of them
    file(STRINGS ${file} includes REGEX "^#include \"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" included "${line}")
      list(APPEND compiled ${included})
    endforeach()
  else()
    continue()
  endif()
  separate_arguments(args UNIX_COMMAND "${command}")
  execute_process(COMMAND ${args} -fsyntax-only WORKING_DIRECTORY ${directory}
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${CLANG} does not compile ${file}:\n${out}")
  endif()
endforeach()
# Every engine file, or the check has gone stale.
file(GLOB engine_files ${ROOT}/engine/src/*.cpp)
list(REMOVE_ITEM engine_files ${compiled})
if(engine_files)
  message(FATAL_ERROR "not among the fuzz build's compile commands: ${engine_files}")
endif()
list(LENGTH compiled count)
message(STATUS "${CLANG} compiles the engine's ${count} files")
