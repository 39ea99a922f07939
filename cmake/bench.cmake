# Engine micro benchmark (not a test): bench/engine/run.sh builds and runs it.
add_executable(bff-bench-engine ${CMAKE_SOURCE_DIR}/bench/engine/bench_engine.c)
target_link_libraries(bff-bench-engine PRIVATE bff_graphql)
target_compile_definitions(bff-bench-engine PRIVATE BFF_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
