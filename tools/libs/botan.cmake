# ce1prim_botan: the primitive ABI (tools/ce1_prim.h) over Botan 2's C API
# (botan/ffi.h), found with pkg-config (Debian: libbotan-2-dev). Without it
# the target is skipped and the rest of the build is unaffected.
if(NOT PKG_CONFIG_FOUND)
  message(STATUS "ce1prim_botan: skipped (pkg-config not found)")
  return()
endif()
pkg_check_modules(CE_BOTAN2 QUIET IMPORTED_TARGET botan-2)
if(NOT CE_BOTAN2_FOUND)
  message(STATUS "ce1prim_botan: skipped (pkg-config module botan-2 not found)")
  return()
endif()
find_package(Threads REQUIRED) # pthread_once for the one-time init
ce_other_lib(ce1prim_botan ${CMAKE_CURRENT_LIST_DIR}/botan_prim.c)
target_link_libraries(ce1prim_botan PRIVATE PkgConfig::CE_BOTAN2
                                            Threads::Threads)
message(STATUS "ce1prim_botan: Botan ${CE_BOTAN2_VERSION}")
