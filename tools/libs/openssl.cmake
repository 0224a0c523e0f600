# ce1prim_openssl: the primitive C ABI (tools/ce1_prim.h) over OpenSSL's
# EVP API, built when pkg-config finds libcrypto (Debian: libssl-dev).
if(PKG_CONFIG_FOUND)
  pkg_check_modules(CE_LIBCRYPTO QUIET IMPORTED_TARGET libcrypto)
endif()
if(CE_LIBCRYPTO_FOUND)
  ce_other_lib(ce1prim_openssl ${CMAKE_CURRENT_LIST_DIR}/openssl_prim.c)
  target_link_libraries(ce1prim_openssl PRIVATE PkgConfig::CE_LIBCRYPTO)
  message(STATUS "ce1prim_openssl: over libcrypto ${CE_LIBCRYPTO_VERSION}")
else()
  message(STATUS "ce1prim_openssl not built: libcrypto not found with pkg-config")
endif()
