# ce1prim_tomcrypt: the primitive ABI (tools/ce1_prim.h) over libtomcrypt,
# found with pkg-config (Debian: libtomcrypt-dev). Only symmetric code is
# used, so no math provider is needed. Without the library the target is
# skipped and the rest of the build is unaffected.
if(NOT PKG_CONFIG_FOUND)
  message(STATUS "ce1prim_tomcrypt: skipped (pkg-config not found)")
  return()
endif()
pkg_check_modules(CE_TOMCRYPT QUIET IMPORTED_TARGET libtomcrypt)
if(NOT CE_TOMCRYPT_FOUND)
  message(STATUS "ce1prim_tomcrypt: skipped (pkg-config module libtomcrypt not found)")
  return()
endif()
find_package(Threads REQUIRED) # pthread_once for the one-time registration
ce_other_lib(ce1prim_tomcrypt ${CMAKE_CURRENT_LIST_DIR}/tomcrypt_prim.c)
target_link_libraries(ce1prim_tomcrypt PRIVATE PkgConfig::CE_TOMCRYPT
                                               Threads::Threads)
# The same adapter with open trusting gcm_memory's status alone, as a
# caller reading the one-shot API's return value would: the compatibility
# matrix runs both, so what libtomcrypt 1.18.2 itself does with a tampered
# GCM tag (CRYPT_OK, plaintext released) shows as failed vectors rather
# than being hidden behind the careful adapter's own comparison.
ce_other_lib(ce1prim_tomcrypt_gcm_memory
             ${CMAKE_CURRENT_LIST_DIR}/tomcrypt_prim.c)
target_compile_definitions(ce1prim_tomcrypt_gcm_memory PRIVATE
                           CE_TOMCRYPT_TRUST_GCM_MEMORY)
target_link_libraries(ce1prim_tomcrypt_gcm_memory PRIVATE
                      PkgConfig::CE_TOMCRYPT Threads::Threads)
message(STATUS "ce1prim_tomcrypt: libtomcrypt ${CE_TOMCRYPT_VERSION}")
