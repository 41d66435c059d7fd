# HINGE_UNITY_BUILD, read by engine/ and lang/ in both projects that compile them:
# the main build and the fuzz build (tests/fuzz/CMakeLists.txt). A first build (no
# compiler launcher) compiles lang/'s parts and the engine's cold files in batches
# (Note [Unity build of lang/] in lang/CMakeLists.txt, Note [The engine's cold files
# in one unit] in engine/CMakeLists.txt); with ccache it is off.
if(CMAKE_CXX_COMPILER_LAUNCHER)
  set(hinge_unity_default OFF)
else()
  set(hinge_unity_default ON)
endif()
option(HINGE_UNITY_BUILD "Compile lang/'s parts and the engine's cold files in batches (Note [Unity build of lang/])"
       ${hinge_unity_default})
