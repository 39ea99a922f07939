# adapters/: the upstream client (HTTP/1.1 of its own, libcurl for https, on libuv) and the provider adapters.
file(GLOB BFF_ADAPTER_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/adapters/*.c)
add_library(bff_adapters STATIC ${BFF_ADAPTER_SOURCES})
target_include_directories(bff_adapters PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(bff_adapters PUBLIC bff_base PkgConfig::CURL PkgConfig::UV) # not the engine

if(CMOCKA_FOUND)
  file(GLOB BFF_ADAPTER_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/adapters/test_*.c)
  foreach(src ${BFF_ADAPTER_TESTS})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    target_link_libraries(${name} PRIVATE bff_adapters PkgConfig::CMOCKA)
    target_compile_definitions(${name} PRIVATE _GNU_SOURCE)
    add_test(NAME adapters/${name} COMMAND ${name})
    set_tests_properties(adapters/${name} PROPERTIES LABELS unit TIMEOUT 120)
  endforeach()
endif()
