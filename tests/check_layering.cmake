# Fails if any engine file includes a lang/ header or Boost: lang -> engine, never back.
file(GLOB_RECURSE files ${DIR}/*.hpp ${DIR}/*.cpp)
foreach(f ${files})
  file(STRINGS ${f} bad REGEX "#include [<\"](lang/|boost/)")
  if(bad)
    message(FATAL_ERROR "${f} includes ${bad}")
  endif()
endforeach()
