# test_channel runs the example observers (XOR, ChaCha20-Poly1305) through
# the combination matrix of ce1.md section 6.
target_link_libraries(${name} PRIVATE ce_examples)
