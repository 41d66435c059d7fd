# The portable binary runs on any x86-64 CPU: outside the AVX2 and AVX-512 kernel
# wrappers (run_avx2, run_avx512: engine/src/cpu_dispatch.hpp, op_rows.hpp) it holds no
# AVX instruction of any width, and the AVX2 wrappers hold no AVX-512 one. Read from
# `objdump -d` of the executable, function by function (isa_scan.awk).
#   cmake -DEXE=<hinge> -P baseline_isa.cmake
cmake_minimum_required(VERSION 3.22)
if(NOT DEFINED EXE)
  message(FATAL_ERROR "baseline_isa.cmake needs -DEXE=...")
endif()
execute_process(COMMAND objdump -d -C --no-show-raw-insn ${EXE} COMMAND awk -f ${CMAKE_CURRENT_LIST_DIR}/isa_scan.awk
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "objdump | awk failed (${rc}): ${err}")
endif()
string(REGEX MATCH "wrappers\t([0-9]+) ([0-9]+)\n$" _ "${out}")
set(wrappers ${CMAKE_MATCH_1})
set(with512 ${CMAKE_MATCH_2})
string(REGEX REPLACE "wrappers\t[0-9]+ [0-9]+\n$" "" offenders "${out}")
if(NOT offenders STREQUAL "")
  message(FATAL_ERROR "wider instructions outside their kernel wrappers:\n${offenders}")
endif()
# The check sees the kernels, and sees AVX-512 where it is: without wrappers, or with
# a pattern that matched nothing, it would pass vacuously.
if(NOT wrappers OR wrappers LESS 20)
  message(FATAL_ERROR "only '${wrappers}' kernel wrappers in ${EXE}: is dispatch off?")
endif()
if(NOT with512 OR with512 LESS 10)
  message(FATAL_ERROR "only '${with512}' AVX-512 wrappers use AVX-512 registers: the check sees nothing")
endif()
message(STATUS "${wrappers} kernel wrappers (${with512} with AVX-512 code); "
               "no AVX outside them, no AVX-512 in the AVX2 ones")
