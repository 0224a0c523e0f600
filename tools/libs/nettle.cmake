# ce1prim_nettle: the primitive C ABI (tools/ce1_prim.h) over GNU Nettle,
# built when pkg-config finds nettle (Debian: nettle-dev). Only libnettle
# is needed (no public-key code, so not hogweed).
if(PKG_CONFIG_FOUND)
  pkg_check_modules(CE_NETTLE QUIET IMPORTED_TARGET nettle)
endif()
if(CE_NETTLE_FOUND)
  find_package(Threads REQUIRED)
  ce_other_lib(ce1prim_nettle ${CMAKE_CURRENT_LIST_DIR}/nettle_prim.c)
  target_link_libraries(ce1prim_nettle PRIVATE PkgConfig::CE_NETTLE
                                               Threads::Threads)
  message(STATUS "ce1prim_nettle: over Nettle ${CE_NETTLE_VERSION}")
else()
  message(STATUS "ce1prim_nettle not built: nettle not found with pkg-config")
endif()
