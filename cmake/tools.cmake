# The engine's command-line entry (build/bff-schema) and the conformance tests that drive it.
add_executable(bff-schema ${CMAKE_SOURCE_DIR}/tools/bff_schema.c ${CMAKE_SOURCE_DIR}/tools/governance.c
               ${CMAKE_SOURCE_DIR}/tools/cats.c)
target_link_libraries(bff-schema PRIVATE PkgConfig::JANSSON)
target_link_libraries(bff-schema PRIVATE bff_graphql)
set_target_properties(bff-schema PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

find_program(NODE_EXECUTABLE node)
if(NODE_EXECUTABLE)
  add_test(NAME conformance/parser
           COMMAND ${NODE_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/conformance/parser/run.mjs $<TARGET_FILE:bff-schema>)
  add_test(NAME conformance/differential
           COMMAND ${NODE_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/conformance/differential/run.mjs $<TARGET_FILE:bff-schema>)
  add_test(NAME conformance/introspection
           COMMAND ${NODE_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/conformance/introspection/run.mjs $<TARGET_FILE:bff-schema>)
  add_test(NAME conformance/graphql-cats
           COMMAND ${NODE_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/conformance/cats/run.mjs $<TARGET_FILE:bff-schema>)
  add_test(NAME conformance/spec-examples
           COMMAND ${NODE_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/conformance/spec/run.mjs $<TARGET_FILE:bff-schema>)
  add_test(NAME conformance/schema-building
           COMMAND ${NODE_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/conformance/sdl/run.mjs $<TARGET_FILE:bff-schema>)
  add_test(NAME conformance/defer
           COMMAND ${NODE_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/conformance/defer/run.mjs $<TARGET_FILE:bff-schema>)
  add_test(NAME governance/schema-lint COMMAND bff-schema lint ${CMAKE_SOURCE_DIR}/schema/commerce.graphql)
  add_test(NAME governance/schema-check
           COMMAND bff-schema check --baseline ${CMAKE_SOURCE_DIR}/schema/baseline.graphql ${CMAKE_SOURCE_DIR}/schema/commerce.graphql)
  set_tests_properties(governance/schema-lint governance/schema-check PROPERTIES LABELS governance TIMEOUT 60)
  set_tests_properties(conformance/parser conformance/differential conformance/introspection conformance/graphql-cats
                       conformance/spec-examples conformance/schema-building conformance/defer
                       PROPERTIES LABELS conformance TIMEOUT 300)
endif()
