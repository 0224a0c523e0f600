# test_backends checks that ce_version names ipsec-mb exactly when it is
# built in (CE_HAVE_IPSECMB, set by the top-level CMakeLists.txt).
if(CE_HAVE_IPSECMB)
  target_compile_definitions(${name} PRIVATE CE_TEST_HAVE_IPSECMB=1)
endif()
