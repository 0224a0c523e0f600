# test_sframe_history_wipe: linked with libfree_marker_hook.so
# (tests/shim/free_marker_hook.c), whose free() interposes glibc's for the
# whole process (the libraries it loads with dlopen included), and given
# the path of libce1impl_ref.so. Sanitizer runtimes own free(): there the
# program is built without the hook and reports itself skipped (77).
target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/shim)
if(CE_SANITIZE OR CE_TSAN OR NOT TARGET ce1impl_ref OR NOT TARGET ce_tools)
  target_compile_definitions(${name} PRIVATE CE_FREEHOOK_UNAVAILABLE)
else()
  add_library(free_marker_hook SHARED
              ${PROJECT_SOURCE_DIR}/tests/shim/free_marker_hook.c)
  set_target_properties(free_marker_hook PROPERTIES C_VISIBILITY_PRESET hidden)
  target_link_libraries(${name} PRIVATE free_marker_hook ${CMAKE_DL_LIBS})
  target_compile_definitions(${name} PRIVATE
    CE_TEST_REF_LIB="$<TARGET_FILE:ce1impl_ref>")
  add_dependencies(${name} ce1impl_ref)
endif()
set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
