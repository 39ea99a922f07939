# resolvers/: the commerce schema's resolvers (tables per domain), loaders, money.
file(GLOB BFF_RESOLVER_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/resolvers/*.c)
add_library(bff_resolvers STATIC ${BFF_RESOLVER_SOURCES})
target_include_directories(bff_resolvers PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(bff_resolvers PUBLIC bff_adapters bff_graphql PkgConfig::CURL PkgConfig::UV)
