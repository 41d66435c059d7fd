# Runs every hinge_bench workload once with one step per run: it must exit 0 and
# print a JSON line. A functional check only; no timing is judged here.
foreach(w scalar_mlp scalar_mlp_tensors fit_curve_10 fit_curve_1000 mlp op_chain sgemm_mlp sgemm_fit_curve_1000)
  execute_process(COMMAND ${EXE} ${w} 1 1 --steps 1 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^\\{\"side\": \"hinge\"")
    message(FATAL_ERROR "hinge_bench ${w} failed (${rc}): ${err}${out}")
  endif()
endforeach()
execute_process(COMMAND ${EXE} fit_curve_program 1 1 --steps 3 --n 10 RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "hinge_bench fit_curve_program failed (${rc}): ${err}")
endif()
