# A test of the layering test: in a scratch copy of engine/ and lang/, each rule of
# check_layering.cmake is broken once by a bad include, and the check must fail
# naming it; the untouched copy must pass.
#   cmake -DROOT=<source root> -DWORK=<scratch folder> -P check_layering_test.cmake

cmake_minimum_required(VERSION 3.22)

set(check ${CMAKE_CURRENT_LIST_DIR}/check_layering.cmake)

function(fresh_copy)
  file(REMOVE_RECURSE ${WORK})
  file(MAKE_DIRECTORY ${WORK})
  file(COPY ${ROOT}/engine ${ROOT}/lang DESTINATION ${WORK})
endfunction()

function(run_check out_result out_text)
  execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${WORK} -P ${check}
                  RESULT_VARIABLE result OUTPUT_VARIABLE text ERROR_VARIABLE text)
  set(${out_result} ${result} PARENT_SCOPE)
  set(${out_text} "${text}" PARENT_SCOPE)
endfunction()

fresh_copy()
run_check(result text)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "the untouched tree fails the layering check:\n${text}")
endif()

# Each case: a file (relative to WORK), a line added to it, and what the failure says.
set(cases
  "lang/plot/color.cpp|#include \"eval/interpreter.hpp\"|plot/ may not include eval/interpreter.hpp"
  "lang/plot/scale.cpp|#include \"hinge/graph.hpp\"|plot/ may use only hinge/errors.hpp"
  "lang/syntax/source.cpp|#include \"hinge/tensor.hpp\"|syntax/ may use only hinge/escape.hpp"
  "lang/explain/text.cpp|#include \"eval/interpreter.hpp\"|explain/ may not include eval/interpreter.hpp"
  "lang/eval/train.cpp|#include \"repl/line.hpp\"|eval/ may not include repl/line.hpp"
  "lang/builtins/math.cpp|#include \"repl/line.hpp\"|builtins/ may not include repl/line.hpp"
  "lang/repl/loop.cpp|#include \"app/cli.hpp\"|repl/ may not include app/cli.hpp"
  "lang/jupyter/kernel.cpp|#include \"repl/line.hpp\"|jupyter/ may not include repl/line.hpp"
  "lang/jupyter/main.cpp|bool t = isatty(1)|only app/ and repl/ know about terminals"
  "lang/eval/progress.cpp|bool t = isatty(1)|only app/ and repl/ know about terminals"
  "engine/src/tensor.cpp|#include \"eval/value.hpp\"|the engine includes"
  "engine/src/graph.cpp|#include <boost/variant.hpp>|the engine includes"
)
foreach(case ${cases})
  string(REPLACE "|" ";" fields "${case}")
  list(GET fields 0 file)
  list(GET fields 1 line)
  list(GET fields 2 expected)
  fresh_copy()
  file(READ ${WORK}/${file} body)
  file(WRITE ${WORK}/${file} "${line}\n${body}")
  run_check(result text)
  if(result EQUAL 0)
    message(FATAL_ERROR "the layering check passed with '${line}' in ${file}")
  endif()
  string(FIND "${text}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the layering check failed on '${line}' in ${file}, but without '${expected}':\n${text}")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
