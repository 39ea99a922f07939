# build/bff: the HTTP server (h2o on libuv), and its GraphiQL assets.
file(GLOB BFF_SERVER_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/server/*.c)
add_executable(bff ${BFF_SERVER_SOURCES})
target_include_directories(bff PRIVATE ${CMAKE_SOURCE_DIR}/server)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
target_link_libraries(bff PRIVATE bff_resolvers bff_adapters bff_graphql PkgConfig::H2O PkgConfig::UV PkgConfig::OPENSSL
                                  PkgConfig::HIREDIS pthread)
set_target_properties(bff PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# GraphiQL ships next to the binary (no CDN): the pinned npm packages of tests/node.
set(BFF_NODE_MODULES ${CMAKE_SOURCE_DIR}/tests/node/node_modules)
set(BFF_GRAPHIQL_ASSETS
    ${BFF_NODE_MODULES}/graphiql/graphiql.min.js
    ${BFF_NODE_MODULES}/graphiql/graphiql.min.css
    ${BFF_NODE_MODULES}/react/umd/react.production.min.js
    ${BFF_NODE_MODULES}/react-dom/umd/react-dom.production.min.js)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/assets/graphiql/graphiql.min.js
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/assets/graphiql
  COMMAND ${CMAKE_COMMAND} -E copy ${BFF_GRAPHIQL_ASSETS} ${CMAKE_BINARY_DIR}/assets/graphiql/
  DEPENDS ${BFF_GRAPHIQL_ASSETS}
  COMMENT "Copying GraphiQL assets")
add_custom_target(bff-assets ALL DEPENDS ${CMAKE_BINARY_DIR}/assets/graphiql/graphiql.min.js)

# Node suites against the real server: tests/integration/ (real clients: curl, h2load, graphql-http
# audits, over loopback) and tests/security/ (hostile requests against the server and simulator).
# Leak checking stays on for the server and the simulator; tests/integration/lsan.supp names the
# libraries whose per-thread state is abandoned at exit (see server/worker.c).
find_program(NODE_EXECUTABLE node)
function(bff_node_suite NAME DIR LABEL)
  add_test(NAME ${NAME} COMMAND ${NODE_EXECUTABLE} --test ${CMAKE_SOURCE_DIR}/${DIR}/)
  set_tests_properties(${NAME} PROPERTIES LABELS ${LABEL} TIMEOUT 300
    ENVIRONMENT "BFF_BIN=$<TARGET_FILE:bff>;ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/integration/lsan.supp:print_suppressions=0")
endfunction()
if(NODE_EXECUTABLE)
  bff_node_suite(integration/server tests/integration integration)
  bff_node_suite(security/adversarial tests/security security)
endif()
