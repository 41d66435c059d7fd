# hinge_run(COMMAND... [OUTPUT var]): runs a command, fails the test with its output
# when it exits non-zero; OUTPUT keeps its stdout.
function(hinge_run)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "OUTPUT" "")
  execute_process(COMMAND ${arg_UNPARSED_ARGUMENTS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(JOIN " " cmd ${arg_UNPARSED_ARGUMENTS})
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}\n${err}")
  endif()
  if(arg_OUTPUT)
    set(${arg_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

# hinge_require(VAR...): fails with the script's usage when a -DVAR=... is missing.
macro(hinge_require)
  foreach(v ${ARGN})
    if(NOT DEFINED ${v})
      get_filename_component(script ${CMAKE_SCRIPT_MODE_FILE} NAME)
      message(FATAL_ERROR "${script} needs -D${v}=...")
    endif()
  endforeach()
endmacro()
