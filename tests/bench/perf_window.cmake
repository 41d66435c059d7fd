# hinge_bench's perf window (HINGE_BENCH_PERF_CONTROL, profiles.py): with two FIFOs
# it sends perf "enable" before its timed runs and "disable" after them, each
# answered; with anything else named it fails and writes nothing. A shell loop
# answers in perf's place. Everything is made in a directory of this test's own.
string(RANDOM LENGTH 12 tag)
set(dir "${CMAKE_CURRENT_BINARY_DIR}/perf-window-${tag}")
file(MAKE_DIRECTORY "${dir}")

# A regular file in the FIFO's place: refused, left as it was.
file(WRITE "${dir}/plain" "left alone\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E env "HINGE_BENCH_PERF_CONTROL=${dir}/plain,${dir}/plain"
                        ${EXE} fit_curve_10 1 1 --steps 1 --mode step
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err TIMEOUT 60)
file(READ "${dir}/plain" plain)
if(rc EQUAL 0 OR NOT err MATCHES "not a FIFO" OR NOT plain STREQUAL "left alone\n")
  file(REMOVE_RECURSE "${dir}")
  message(FATAL_ERROR "a regular file named as perf's FIFO: exit ${rc}, '${err}', the file now '${plain}'")
endif()

# Two FIFOs and a loop that records each command and acknowledges it, as perf does.
set(answer [[
d=$1; exe=$2
mkfifo "$d/ctl" "$d/ack" || exit 1
( exec 3<"$d/ctl" 4>"$d/ack"; while read -r line <&3; do echo "$line" >> "$d/got"; echo ack >&4; done ) &
HINGE_BENCH_PERF_CONTROL="$d/ctl,$d/ack" "$exe" fit_curve_10 1 2 --steps 1 --mode step
rc=$?
wait
exit $rc
]])
execute_process(COMMAND sh -c "${answer}" sh "${dir}" ${EXE} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err TIMEOUT 60)
set(got "")
if(EXISTS "${dir}/got")
  file(READ "${dir}/got" got)
endif()
file(REMOVE_RECURSE "${dir}")
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"step\"")
  message(FATAL_ERROR "hinge_bench with perf's FIFOs failed (${rc}): ${err}${out}")
endif()
if(NOT got STREQUAL "enable\ndisable\n")
  message(FATAL_ERROR "perf was sent '${got}', not one enable and one disable")
endif()
