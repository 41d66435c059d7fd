# Every kernel set prints the same numbers (Note [Kernel sets] in
# engine/src/cpu_dispatch.hpp): experiments run under HINGE_CPU=baseline, avx2 and
# avx512 (those this CPU has) write byte-identical output and files, and
# `hinge --version` names the set that ran. A HINGE_CPU that cannot be honoured is a
# usage error (64).
#   cmake -DEXE=<hinge> -DROOT=<source> -DWORK=<scratch dir> -P kernel_sets.cmake
cmake_minimum_required(VERSION 3.22)
foreach(v EXE ROOT WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "kernel_sets.cmake needs -D${v}=...")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})

execute_process(COMMAND ${CMAKE_COMMAND} -E env HINGE_CPU=sse9 ${EXE} -e 1 RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 64 OR NOT err MATCHES "HINGE_CPU='sse9' is not a kernel set")
  message(FATAL_ERROR "HINGE_CPU=sse9: exit ${rc}, '${err}' (want 64 and a message)")
endif()

set(sets)
foreach(set baseline avx2 avx512)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env HINGE_CPU=${set} ${EXE} --version RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    if(NOT out MATCHES "kernels: ${set}\n")
      message(FATAL_ERROR "HINGE_CPU=${set} hinge --version printed '${out}'")
    endif()
    list(APPEND sets ${set})
  elseif(NOT rc EQUAL 64 OR set STREQUAL "baseline")
    message(FATAL_ERROR "HINGE_CPU=${set} hinge --version: exit ${rc}: ${err}")
  endif()
endforeach()
list(LENGTH sets n)
if(n LESS 2)
  message(STATUS "this CPU runs only the baseline kernels: nothing to compare")
  return()
endif()

# The experiments: f64 through the fused layers and Adam (fit_curve), f32 and the
# elementwise ops (activations), long sigmoid stacks and reductions (vanishing).
set(runs "fit_curve" "activations --dtype f32" "vanishing")
foreach(run ${runs})
  separate_arguments(args UNIX_COMMAND "${run}")
  list(POP_FRONT args name)
  set(first "")
  foreach(set ${sets})
    set(dir ${WORK}/${name}/${set})
    file(MAKE_DIRECTORY ${dir})
    execute_process(COMMAND ${CMAKE_COMMAND} -E env HINGE_CPU=${set} HINGE_FAKE_CLOCK=1 OPENBLAS_NUM_THREADS=1
                            ${EXE} ${args} ${ROOT}/examples/${name}.hinge
                    WORKING_DIRECTORY ${dir} RESULT_VARIABLE rc OUTPUT_FILE ${dir}/stdout.txt ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "HINGE_CPU=${set} hinge ${run}: exit ${rc}: ${err}")
    endif()
    file(GLOB files RELATIVE ${dir} ${dir}/*)
    list(SORT files)
    if(first STREQUAL "")
      set(first ${set})
      set(first_files "${files}")
      continue()
    endif()
    if(NOT files STREQUAL first_files)
      message(FATAL_ERROR "${run}: ${first} wrote '${first_files}', ${set} wrote '${files}'")
    endif()
    foreach(f ${files})
      execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${name}/${first}/${f} ${dir}/${f}
                      RESULT_VARIABLE differ)
      if(differ)
        message(FATAL_ERROR "${run}: ${f} differs between HINGE_CPU=${first} and ${set} (in ${WORK})")
      endif()
    endforeach()
  endforeach()
endforeach()
message(STATUS "identical output under ${sets}")
file(REMOVE_RECURSE ${WORK})
