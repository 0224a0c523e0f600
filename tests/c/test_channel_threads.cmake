# One sender, one receiver and one control thread on a channel: the
# threading rules of chanenc_channel.h. The lead's TSan run configures with
# -DCE_TSAN=ON and runs `ctest -L tsan`.
target_link_libraries(${name} PRIVATE ce_examples)
set_tests_properties(${name} PROPERTIES LABELS tsan)
