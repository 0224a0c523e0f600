# test_system_failures makes the system calls of ref/ fail: every call that
# chanenc_testing's objects make to these functions goes through the test's
# __wrap_ functions, which forward to the real ones unless armed.
target_link_options(${name} PRIVATE
  "LINKER:--wrap=pthread_mutex_init,--wrap=pthread_mutex_lock"
  "LINKER:--wrap=pthread_mutex_destroy,--wrap=pthread_atfork"
  "LINKER:--wrap=mmap,--wrap=madvise,--wrap=munmap"
  "LINKER:--wrap=getrandom")
set_tests_properties(${name} PROPERTIES LABELS faults)
