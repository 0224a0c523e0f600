# test_sm4_ct: the SM4 key schedule is checked under valgrind's memcheck
# with the key marked undefined (ctgrind), so a table lookup or branch on a
# key byte is an error. It needs the internal header (ref/src) and
# valgrind; sanitized builds cannot run under valgrind, so there it runs
# natively (answer only).
target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/ref/src)
find_program(CE_VALGRIND valgrind)
if(NOT EXISTS /usr/include/valgrind/memcheck.h)
  message(WARNING "test_sm4_ct: valgrind/memcheck.h missing (Debian: valgrind)")
endif()
if(CE_VALGRIND AND NOT CE_SANITIZE AND NOT CE_TSAN AND NOT CE_BUILD_COVERAGE)
  add_test(NAME test_sm4_ct_valgrind
           COMMAND ${CE_VALGRIND} --error-exitcode=3 --quiet
                   --track-origins=yes $<TARGET_FILE:${name}>)
  set_tests_properties(test_sm4_ct_valgrind PROPERTIES TIMEOUT 300)
endif()
