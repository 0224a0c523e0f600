# Also in the fault-injection stage (label faults), where its first-context
# fault case can run.
set_tests_properties(${name} PROPERTIES LABELS faults)
