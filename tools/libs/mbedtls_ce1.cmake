# libce1impl_mbedtls.so (issue 10): a complete CE1 implementation on
# mbedTLS 2.28 written from docs/spec.md alone, with the frame ABI of
# tools/ce1_impl.h and the primitive ABI of tools/ce1_prim.h. Sources in
# tools/mbedtls_ce1/; SM4 is its own (sm4.c), checked by the CTest
# mbedtls_ce1_sm4_gbt32907. Skipped when mbedTLS (headers and
# libmbedcrypto, Debian's libmbedtls-dev) or a feature it needs is absent.
set(CE_MBEDTLS_CE1_DIR ${PROJECT_SOURCE_DIR}/tools/mbedtls_ce1)
find_path(CE_MBEDTLS_INCLUDE_DIR mbedtls/version.h)
find_library(CE_MBEDCRYPTO_LIBRARY mbedcrypto)
if(NOT CE_MBEDTLS_INCLUDE_DIR OR NOT CE_MBEDCRYPTO_LIBRARY)
  message(STATUS "mbedTLS (mbedtls/version.h, libmbedcrypto) not found: "
                 "libce1impl_mbedtls.so is not built")
  return()
endif()

# The features CE1 needs, as the installed configuration has them (2.x
# names its configuration mbedtls/config.h). Checked against the library
# too, so a header/library mismatch also skips the target.
include(CMakePushCheckState)
include(CheckCSourceCompiles)
cmake_push_check_state(RESET)
set(CMAKE_REQUIRED_INCLUDES ${CE_MBEDTLS_INCLUDE_DIR})
set(CMAKE_REQUIRED_LIBRARIES ${CE_MBEDCRYPTO_LIBRARY})
set(CMAKE_REQUIRED_QUIET ON)
check_c_source_compiles("
#include <mbedtls/version.h>
#if MBEDTLS_VERSION_MAJOR != 2 || MBEDTLS_VERSION_MINOR < 28
#error needs mbedTLS 2.28
#endif
#include <mbedtls/config.h>
#if !defined(MBEDTLS_AES_C) || !defined(MBEDTLS_CIPHER_MODE_XTS)
#error AES-XTS disabled
#endif
#if !defined(MBEDTLS_GCM_C) || !defined(MBEDTLS_HKDF_C)
#error GCM or HKDF disabled
#endif
#if !defined(MBEDTLS_PKCS5_C) || !defined(MBEDTLS_SHA256_C)
#error PKCS5 or SHA-256 disabled
#endif
#if !defined(MBEDTLS_MD_C) || !defined(MBEDTLS_VERSION_C)
#error MD or VERSION disabled
#endif
#include <mbedtls/hkdf.h>
#include <mbedtls/pkcs5.h>
int main(void) {
  return (int)(long)&mbedtls_hkdf + (int)(long)&mbedtls_pkcs5_pbkdf2_hmac;
}" CE_MBEDTLS_CE1_FEATURES)
cmake_pop_check_state()
if(NOT CE_MBEDTLS_CE1_FEATURES)
  message(STATUS "mbedTLS at ${CE_MBEDTLS_INCLUDE_DIR} is not 2.28 or lacks "
                 "AES-XTS, GCM, HKDF or PKCS5: libce1impl_mbedtls.so is not "
                 "built")
  return()
endif()

ce_other_lib(ce1impl_mbedtls
  ${CE_MBEDTLS_CE1_DIR}/ce1_mbedtls.c
  ${CE_MBEDTLS_CE1_DIR}/ce1_mbedtls_keys.c
  ${CE_MBEDTLS_CE1_DIR}/ce1_mbedtls_prim.c
  ${CE_MBEDTLS_CE1_DIR}/ce1_mbedtls_crypto.c
  ${CE_MBEDTLS_CE1_DIR}/sm4.c)
target_include_directories(ce1impl_mbedtls SYSTEM PRIVATE
                           ${CE_MBEDTLS_INCLUDE_DIR})
target_link_libraries(ce1impl_mbedtls PRIVATE ${CE_MBEDCRYPTO_LIBRARY}
                                              Threads::Threads)
message(STATUS "libce1impl_mbedtls.so: CE1 on mbedTLS (${CE_MBEDCRYPTO_LIBRARY})")

# SM4 against GB/T 32907-2016 Appendix A, examples 1 and 2.
if(BUILD_TESTING)
  add_executable(mbedtls_ce1_sm4_selftest ${CE_MBEDTLS_CE1_DIR}/sm4_selftest.c
                                          ${CE_MBEDTLS_CE1_DIR}/sm4.c)
  target_include_directories(mbedtls_ce1_sm4_selftest SYSTEM PRIVATE
                             ${CE_MBEDTLS_INCLUDE_DIR})
  target_link_libraries(mbedtls_ce1_sm4_selftest PRIVATE
                        ${CE_MBEDCRYPTO_LIBRARY})
  set_target_properties(mbedtls_ce1_sm4_selftest PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tools/libs)
  add_test(NAME mbedtls_ce1_sm4_gbt32907 COMMAND mbedtls_ce1_sm4_selftest)
  set_tests_properties(mbedtls_ce1_sm4_gbt32907 PROPERTIES TIMEOUT 120)
endif()
