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
# Note [Start-up code in one place] (lang/CMakeLists.txt): a Release build with GCC
# puts every function in a section of its own, so that the hinge command's link
# can place the code start-up runs side by side. Decided here, before the engine
# and lang/ are compiled; lang/ adds the link options.
option(HINGE_STARTUP_ORDER "Link the hinge command with its start-up code side by side (gold)" ON)
set(HINGE_ORDER_STARTUP OFF)
if(HINGE_STARTUP_ORDER AND NOT HINGE_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU"
   AND CMAKE_BUILD_TYPE STREQUAL "Release")
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=gold" HINGE_HAVE_GOLD)
  if(HINGE_HAVE_GOLD)
    set(HINGE_ORDER_STARTUP ON)
    target_compile_options(hinge_flags INTERFACE -ffunction-sections)
  else()
    message(STATUS "no gold linker (binutils): the hinge command's start-up code is not placed together")
  endif()
endif()
