# test_channel runs the example observers (XOR, ChaCha20-Poly1305) through
# the combination matrix of docs/spec.md section 11.
target_link_libraries(${name} PRIVATE ce_examples)
