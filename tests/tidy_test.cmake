# A test of tests/tidy's reading of a build's compile commands: in a scratch tree
# (a copy of tests/tidy and .clang-tidy, one engine file, a compile_commands.json
# of our own), the file is listed only through a unity group, as the engine's cold
# unit lists it in a first build, and its command carries GCC's vectorizer cost
# model, which clang does not know. tidy must find the file through the group, get
# past that option, and fail on the file's warning; the same file without the
# warning must pass.
#   cmake -DROOT=<source root> -DWORK=<scratch folder> -P tidy_test.cmake
cmake_minimum_required(VERSION 3.22)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/tests ${WORK}/engine/src ${WORK}/build/Unity)
file(COPY ${ROOT}/tests/tidy DESTINATION ${WORK}/tests)
file(COPY ${ROOT}/.clang-tidy DESTINATION ${WORK})
file(WRITE ${WORK}/build/Unity/unity_cold_cxx.cxx "#include \"${WORK}/engine/src/probe.cpp\"\n")
file(WRITE ${WORK}/build/compile_commands.json
     "[{\"directory\": \"${WORK}/build\", \"file\": \"${WORK}/build/Unity/unity_cold_cxx.cxx\", "
     "\"command\": \"/usr/bin/c++ -O2 -fvect-cost-model=dynamic -std=c++20 -o probe.o "
     "-c ${WORK}/build/Unity/unity_cold_cxx.cxx\"}]\n")

# Runs tidy over the scratch build with probe.cpp holding `source`.
function(run_tidy source out_result out_text)
  file(WRITE ${WORK}/engine/src/probe.cpp "${source}")
  execute_process(COMMAND ${WORK}/tests/tidy ${WORK}/build RESULT_VARIABLE result OUTPUT_VARIABLE text
                  ERROR_VARIABLE text)
  set(${out_result} ${result} PARENT_SCOPE)
  set(${out_text} "${text}" PARENT_SCOPE)
endfunction()

run_tidy("int probe(const int* p) { return p == 0 ? 1 : 0; }\n" result text)
if(result EQUAL 0 OR NOT text MATCHES "probe\\.cpp:1:[0-9]+: (warning|error): .*modernize-use-nullptr")
  message(FATAL_ERROR "tidy did not fail on probe.cpp's warning (exit ${result}):\n${text}")
endif()
if(text MATCHES "unknown argument")
  message(FATAL_ERROR "tidy gave clang-tidy an option clang does not know:\n${text}")
endif()

run_tidy("int probe(const int* p) { return p == nullptr ? 1 : 0; }\n" result text)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "tidy failed on a clean probe.cpp (exit ${result}):\n${text}")
endif()
file(REMOVE_RECURSE ${WORK})
