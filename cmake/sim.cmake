# build/bff-sim: the provider simulator.
file(GLOB BFF_SIM_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/sim/*.c)
add_executable(bff-sim ${BFF_SIM_SOURCES})
target_link_libraries(bff-sim PRIVATE PkgConfig::H2O PkgConfig::UV PkgConfig::OPENSSL PkgConfig::JANSSON)
set_target_properties(bff-sim PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
