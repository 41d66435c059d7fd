# The hinge command built with HINGE_STATIC_COMMAND needs only the C library from the
# dynamic loader (Note [A command that starts fast] in lang/CMakeLists.txt): no
# libstdc++, libfmt, libedit or what libedit needs is NEEDED, and the command runs.
#   cmake -DEXE=<hinge> -P static_command.cmake
cmake_minimum_required(VERSION 3.22)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
hinge_require(EXE)
hinge_run(objdump -p ${EXE} OUTPUT dynamic)
string(REGEX MATCHALL "NEEDED +[^\n]+" needed "${dynamic}")
if(NOT needed)
  message(FATAL_ERROR "objdump -p shows no NEEDED library in ${EXE}")
endif()
foreach(line ${needed})
  string(REGEX REPLACE "NEEDED +" "" lib "${line}")
  if(NOT lib MATCHES "^(libc\\.so\\.6|libm\\.so\\.6|ld-linux-x86-64\\.so\\.2)$")
    message(FATAL_ERROR "the hinge command needs ${lib}: it should be linked in (HINGE_STATIC_COMMAND)")
  endif()
endforeach()
hinge_run(${EXE} -e "print \"{1 + 2}\"" OUTPUT out)
if(NOT out STREQUAL "3\n")
  message(FATAL_ERROR "the hinge command printed '${out}' for 1 + 2")
endif()
