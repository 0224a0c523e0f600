# test_observers tests the example observers in examples/.
target_link_libraries(${name} PRIVATE ce_examples)
