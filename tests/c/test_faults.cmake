# The fault-injection test (label faults): configured only with
# -DCE_FAULT_INJECTION=ON; scripts/test.sh runs it in an ASan+UBSan build so
# LeakSanitizer checks every failure path for leaks.
set_tests_properties(${name} PROPERTIES LABELS faults)
