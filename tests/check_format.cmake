# Fails when a C++ file of hinge differs from what clang-format makes of it
# (.clang-format at the top): cmake -DROOT=<source root> -DCLANG_FORMAT=<exe> -P check_format.cmake
cmake_minimum_required(VERSION 3.22)
file(GLOB_RECURSE files ${ROOT}/engine/*.[ch]pp ${ROOT}/lang/*.[ch]pp ${ROOT}/tests/*.[ch]pp
                        ${ROOT}/examples/*.[ch]pp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror --style=file ${files}
                RESULT_VARIABLE result ERROR_VARIABLE text)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "not formatted (run clang-format-14 -i on these files):\n${text}")
endif()
