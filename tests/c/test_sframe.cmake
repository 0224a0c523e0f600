# test_sframe reads the SFrame vectors in place: $CE_SFRAME_VECTORS_DIR when
# set, else <source>/../shared/vectors/sframe (CE_SOURCE_DIR, compiled in).
# It needs the tools library (JSON, hex).
target_compile_definitions(${name} PRIVATE CE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
if(NOT TARGET ce_tools)
  message(WARNING "test_sframe needs ce_tools (JSON and hex parsing)")
endif()
