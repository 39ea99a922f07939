# Fuzz targets. Always: a replay driver that checks the target's invariants
# over the seed inputs in ctest. With -DBFF_FUZZ=ON (clang): libFuzzer binaries.
if(BFF_FUZZ)
  target_compile_options(bff_graphql PRIVATE -fsanitize=fuzzer-no-link)
  target_compile_options(bff_base PRIVATE -fsanitize=fuzzer-no-link)
  target_compile_options(bff_adapters PRIVATE -fsanitize=fuzzer-no-link)
endif()

# bff_fuzz_target(NAME): fuzz/NAME_fuzz.c as fuzz-replay-NAME (replayed over fuzz/seeds.sh NAME
# by ctest) and, with BFF_FUZZ, as the libFuzzer binary fuzz-NAME.
function(bff_fuzz_target name)
  set(src ${CMAKE_SOURCE_DIR}/fuzz/${name}_fuzz.c)
  add_executable(fuzz-replay-${name} ${src} ${CMAKE_SOURCE_DIR}/fuzz/replay.c)
  set(targets fuzz-replay-${name})
  add_test(NAME fuzz/replay-${name} COMMAND bash ${CMAKE_SOURCE_DIR}/fuzz/replay.sh $<TARGET_FILE:fuzz-replay-${name}> ${name})
  set_tests_properties(fuzz/replay-${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  if(BFF_FUZZ)
    add_executable(fuzz-${name} ${src})
    target_compile_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
    list(APPEND targets fuzz-${name})
  endif()
  foreach(t ${targets})
    target_link_libraries(${t} PRIVATE bff_graphql)
    if(name STREQUAL "http1")
      target_link_libraries(${t} PRIVATE bff_adapters)
    endif()
    target_compile_definitions(${t} PRIVATE BFF_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  endforeach()
endfunction()

bff_fuzz_target(parse)    # the lexer, parser and printer
bff_fuzz_target(validate) # parse + validate against the differential test's schema
bff_fuzz_target(json)     # the JSON reader against jansson's
bff_fuzz_target(admission) # parse, validate, variables, analysis and scopes against the commerce schema
bff_fuzz_target(http1)    # the upstream HTTP/1.1 response parser: any bytes, split anywhere
