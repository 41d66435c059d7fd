# Runs every hinge_bench workload once in each variant with one step per run: it
# must exit 0 and print a JSON line with a final loss; the scalar MLP also on the
# hand-written tape, which must end at hinge's loss. A functional check only;
# nothing is timed or judged here (timing is never a ctest), and the losses are
# compared by the bench run itself (report.py, within float32 rounding).
foreach(w scalar_mlp scalar_mlp_tensors fit_curve_10 fit_curve_1000 mlp op_chain)
  foreach(v recorded dynamic)
    execute_process(COMMAND ${EXE} ${w} 1 1 --steps 1 --variant ${v} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                    ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT out MATCHES "^\\{\"side\": \"hinge\"")
      message(FATAL_ERROR "hinge_bench ${w} --variant ${v} failed (${rc}): ${err}${out}")
    endif()
    if(NOT out MATCHES "\"loss_end\": ([-0-9.e]+)")
      message(FATAL_ERROR "hinge_bench ${w} --variant ${v}: no final loss in ${out}")
    endif()
    set(loss_end_${w}_${v} "${CMAKE_MATCH_1}")
    set(out_${w}_${v} "${out}")
  endforeach()
endforeach()
# The hand-written tape builds the scalar MLP's graph op for op with hinge's formulas,
# so after the same steps its loss is hinge's dynamic one to the last digit printed.
execute_process(COMMAND ${EXE} scalar_mlp 1 1 --steps 1 --variant tape RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"loss_end\": ([-0-9.e]+)")
  message(FATAL_ERROR "hinge_bench scalar_mlp --variant tape failed (${rc}): ${err}${out}")
endif()
if(NOT CMAKE_MATCH_1 STREQUAL loss_end_scalar_mlp_dynamic)
  message(FATAL_ERROR "the hand-written tape ended at loss ${CMAKE_MATCH_1}, "
                      "hinge's dynamic graph at ${loss_end_scalar_mlp_dynamic}")
endif()
execute_process(COMMAND ${EXE} mlp 1 1 --steps 1 --variant tape RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "hinge_bench ran a workload other than scalar_mlp on the hand-written tape")
endif()
# The MLP's recorded process times the sgemm reference beside its step at 1 thread
# and leaves it to a process of its own at 2 (Note [The sgemm reference beside the
# step] in hinge_bench.cpp).
if(NOT loss_end_mlp_recorded OR NOT out_mlp_recorded MATCHES "\"sgemm\": \\{\"median_us\"")
  message(FATAL_ERROR "hinge_bench mlp timed no sgemm reference beside its step: ${out_mlp_recorded}")
endif()
execute_process(COMMAND ${EXE} mlp 2 1 --steps 1 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR out MATCHES "\"sgemm\"")
  message(FATAL_ERROR "hinge_bench mlp at 2 threads (${rc}): ${err}${out}")
endif()
execute_process(COMMAND ${EXE} sgemm_mlp 1 1 --steps 1 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"sgemm\"")
  message(FATAL_ERROR "hinge_bench sgemm_mlp failed (${rc}): ${err}${out}")
endif()
execute_process(COMMAND ${EXE} fit_curve_program 1 1 --steps 3 --n 10 RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "hinge_bench fit_curve_program failed (${rc}): ${err}")
endif()
execute_process(COMMAND ${EXE} fit_curve_10 1 1 --variant sideways RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "hinge_bench accepted an unknown variant")
endif()
execute_process(COMMAND ${ROOFLINE} 1 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"fma_set\": \"(avx512f|avx2|sse2)\"" OR NOT out MATCHES "\"fma_gflops_1t\": [0-9]")
  message(FATAL_ERROR "roofline failed (${rc}): ${err}${out}")
endif()
