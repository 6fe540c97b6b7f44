# Warning and sanitizer settings shared by the library, its tests, examples and fuzzers.

function(mailwire_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow
      -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual)
    if(MAILWIRE_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  elseif(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${MAILWIRE_WERROR}>:/WX>)
  endif()
endfunction()

function(mailwire_set_sanitizers target)
  if(MAILWIRE_SANITIZE)
    target_compile_options(${target} PUBLIC -fsanitize=${MAILWIRE_SANITIZE}
                                            -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PUBLIC -fsanitize=${MAILWIRE_SANITIZE})
  endif()
endfunction()
