# Grace periods of control calls and several senders/receivers on one
# channel (channel.c); ThreadSanitizer runs it with -DCE_TSAN=ON, ctest -L tsan.
set_tests_properties(${name} PROPERTIES LABELS tsan)
