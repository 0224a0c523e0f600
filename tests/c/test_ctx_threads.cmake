# One protecting and one unprotecting thread on one ce_ctx (chanenc.h,
# "Thread safety"). Runs in every build; the TSan stage (label tsan) is the
# one that proves the two directions share no written state.
set_tests_properties(${name} PROPERTIES LABELS tsan)
