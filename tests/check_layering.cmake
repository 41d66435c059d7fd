# The layering rules of engine/ and lang/ (lang/README.md, "How the code is laid out"),
# checked on the include lines of every source file:
#   cmake -DROOT=<folder holding engine/ and lang/> -P check_layering.cmake
# Fails naming the file and the include that breaks a rule.

cmake_minimum_required(VERSION 3.22)  # IN_LIST

set(parts syntax eval builtins explain plot repl jupyter app)

# Which parts of lang/ each part may include (its own folder always).
set(allowed_syntax   syntax)
set(allowed_plot     plot)
set(allowed_explain  explain)
set(allowed_builtins builtins syntax eval)
set(allowed_eval     eval syntax builtins explain plot)
set(allowed_repl     repl syntax eval builtins explain plot)
set(allowed_jupyter  jupyter syntax eval builtins explain plot repl)
set(allowed_app      app syntax eval builtins explain plot repl)

# Which engine headers each part may include: "all", "none", or a list.
set(engine_syntax    escape.hpp)
set(engine_plot      errors.hpp escape.hpp)
set(engine_explain   all)
set(engine_builtins  all)
set(engine_eval      all)
set(engine_repl      all)
set(engine_jupyter   all)
set(engine_app       all)

# repl/'s terminal side (the line editor and the loop): only app/ and repl/ may
# include it; jupyter/ shares the rest of repl/ (completion, commands, help).
set(terminal_headers line.hpp repl.hpp)

# Words that mean "this code asks about the terminal": only app/ and repl/ may.
set(terminal_words "isatty|tcgetattr|tcsetattr|TIOCGWINSZ|termios|getenv\\(\"(TERM|NO_COLOR|COLUMNS)\"")

set(failures "")

function(fail file what)
  file(RELATIVE_PATH rel ${ROOT} ${file})
  set(failures "${failures}\n  ${rel}: ${what}" PARENT_SCOPE)
endfunction()

# The engine: nothing from lang/, no Boost.
file(GLOB_RECURSE files ${ROOT}/engine/*.hpp ${ROOT}/engine/*.cpp)
list(JOIN parts "|" part_alternatives)
foreach(f ${files})
  file(STRINGS ${f} bad REGEX "#include [<\"](lang/|boost/|(${part_alternatives})/)")
  if(bad)
    fail(${f} "the engine includes ${bad}")
  endif()
endforeach()

foreach(part ${parts})
  file(GLOB_RECURSE files ${ROOT}/lang/${part}/*.hpp ${ROOT}/lang/${part}/*.cpp)
  foreach(f ${files})
    file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include")
    foreach(line ${includes})
      if(line MATCHES "#[ \t]*include[ \t]*[<\"]([a-z_]+)/([^>\"]+)[>\"]")
        set(top ${CMAKE_MATCH_1})
        set(header ${CMAKE_MATCH_2})
        if(top IN_LIST parts AND NOT top IN_LIST allowed_${part})
          fail(${f} "${part}/ may not include ${top}/${header}")
        elseif(top STREQUAL "repl" AND header IN_LIST terminal_headers AND NOT part STREQUAL "app"
               AND NOT part STREQUAL "repl")
          fail(${f} "${part}/ may not include repl/${header}: only app/ and repl/ know about terminals")
        elseif(top STREQUAL "hinge")
          if(engine_${part} STREQUAL "none")
            fail(${f} "${part}/ knows nothing of the engine, but includes hinge/${header}")
          elseif(NOT engine_${part} STREQUAL "all" AND NOT header IN_LIST engine_${part})
            list(JOIN engine_${part} " and hinge/" may_use)
            fail(${f} "${part}/ may use only hinge/${may_use} of the engine, not hinge/${header}")
          endif()
        elseif(top STREQUAL "lang" OR top STREQUAL "src")
          fail(${f} "includes the old layout's ${top}/${header}")
        endif()
      elseif(line MATCHES "#[ \t]*include[ \t]*\"\\.\\./")
        fail(${f} "reaches into another folder with a relative path: ${line}")
      endif()
    endforeach()
    if(NOT part STREQUAL "app" AND NOT part STREQUAL "repl")
      file(STRINGS ${f} terminal REGEX "${terminal_words}")
      if(terminal)
        fail(${f} "only app/ and repl/ know about terminals: ${terminal}")
      endif()
    endif()
  endforeach()
endforeach()

# Every folder of lang/ that holds code is one of the parts above.
file(GLOB entries LIST_DIRECTORIES true ${ROOT}/lang/*)
foreach(e ${entries})
  get_filename_component(name ${e} NAME)
  if(IS_DIRECTORY ${e} AND NOT name IN_LIST parts)
    fail(${e} "a folder of lang/ that no rule covers")
  endif()
endforeach()

if(failures)
  message(FATAL_ERROR "layering broken:${failures}")
endif()
