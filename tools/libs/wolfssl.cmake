# ce1prim_wolfssl: the primitive ABI (tools/ce1_prim.h) over wolfSSL's
# wolfCrypt, found with pkg-config (Debian: libwolfssl-dev). Without it the
# target is skipped and the rest of the build is unaffected.
if(NOT PKG_CONFIG_FOUND)
  message(STATUS "ce1prim_wolfssl: skipped (pkg-config not found)")
  return()
endif()
pkg_check_modules(CE_WOLFSSL QUIET IMPORTED_TARGET wolfssl)
if(NOT CE_WOLFSSL_FOUND)
  message(STATUS "ce1prim_wolfssl: skipped (pkg-config module wolfssl not found)")
  return()
endif()
find_package(Threads REQUIRED) # pthread_once for the one-time init
ce_other_lib(ce1prim_wolfssl ${CMAKE_CURRENT_LIST_DIR}/wolfssl_prim.c)
target_link_libraries(ce1prim_wolfssl PRIVATE PkgConfig::CE_WOLFSSL
                                              Threads::Threads)
message(STATUS "ce1prim_wolfssl: wolfSSL ${CE_WOLFSSL_VERSION}")
