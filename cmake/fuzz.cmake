# Fuzz targets. Always: a replay driver that checks the target's invariants
# over the seed inputs in ctest. With -DBFF_FUZZ=ON (clang): libFuzzer binaries.
add_executable(fuzz-replay-parse ${CMAKE_SOURCE_DIR}/fuzz/parse_fuzz.c ${CMAKE_SOURCE_DIR}/fuzz/replay.c)
target_link_libraries(fuzz-replay-parse PRIVATE bff_graphql)
add_test(NAME fuzz/replay-parse COMMAND bash ${CMAKE_SOURCE_DIR}/fuzz/replay.sh $<TARGET_FILE:fuzz-replay-parse>)
set_tests_properties(fuzz/replay-parse PROPERTIES LABELS fuzz TIMEOUT 300)

if(BFF_FUZZ)
  target_compile_options(bff_graphql PRIVATE -fsanitize=fuzzer-no-link)
  add_executable(fuzz-parse ${CMAKE_SOURCE_DIR}/fuzz/parse_fuzz.c)
  target_compile_options(fuzz-parse PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-parse PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-parse PRIVATE bff_graphql)
endif()

# parse + validate against the differential test's schema
add_executable(fuzz-replay-validate ${CMAKE_SOURCE_DIR}/fuzz/validate_fuzz.c ${CMAKE_SOURCE_DIR}/fuzz/replay.c)
target_link_libraries(fuzz-replay-validate PRIVATE bff_graphql)
target_compile_definitions(fuzz-replay-validate PRIVATE BFF_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
add_test(NAME fuzz/replay-validate COMMAND bash ${CMAKE_SOURCE_DIR}/fuzz/replay.sh $<TARGET_FILE:fuzz-replay-validate> validate)
set_tests_properties(fuzz/replay-validate PROPERTIES LABELS fuzz TIMEOUT 300)
if(BFF_FUZZ)
  add_executable(fuzz-validate ${CMAKE_SOURCE_DIR}/fuzz/validate_fuzz.c)
  target_compile_options(fuzz-validate PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz-validate PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz-validate PRIVATE bff_graphql)
  target_compile_definitions(fuzz-validate PRIVATE BFF_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
endif()
