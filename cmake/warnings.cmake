# One place for compiler flags shared by every hinge target.
add_library(hinge_flags INTERFACE)
target_compile_options(hinge_flags INTERFACE -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
# hinge never reads errno after a math function; without this GCC must call sqrt
# one element at a time (it may set errno), which kept Adam's update scalar.
target_compile_options(hinge_flags INTERFACE -fno-math-errno)
# No fused multiply-adds: with them the printed digits would depend on the CPU the
# code was built for or runs on (Note [Kernel sets] in engine/src/cpu_dispatch.hpp).
target_compile_options(hinge_flags INTERFACE -ffp-contract=off)
if(HINGE_NATIVE AND NOT HINGE_SANITIZE)
  target_compile_options(hinge_flags INTERFACE -march=native)
endif()
if(HINGE_SANITIZE)
  target_compile_options(hinge_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                         -fno-sanitize-recover=undefined)
  target_link_options(hinge_flags INTERFACE -fsanitize=address,undefined)
endif()
