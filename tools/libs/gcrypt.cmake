# ce1prim_gcrypt: the primitive C ABI (tools/ce1_prim.h) over libgcrypt,
# built when pkg-config finds libgcrypt (Debian: libgcrypt20-dev).
if(PKG_CONFIG_FOUND)
  pkg_check_modules(CE_LIBGCRYPT QUIET IMPORTED_TARGET libgcrypt)
endif()
if(CE_LIBGCRYPT_FOUND)
  find_package(Threads REQUIRED)
  ce_other_lib(ce1prim_gcrypt ${CMAKE_CURRENT_LIST_DIR}/gcrypt_prim.c)
  target_link_libraries(ce1prim_gcrypt PRIVATE PkgConfig::CE_LIBGCRYPT
                                               Threads::Threads)
  message(STATUS "ce1prim_gcrypt: over libgcrypt ${CE_LIBGCRYPT_VERSION}")
else()
  message(STATUS "ce1prim_gcrypt not built: libgcrypt not found with pkg-config")
endif()
