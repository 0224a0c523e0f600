# test_sm4_fast tests the internal SM4 block layer (ref/src/sm4_fast.h,
# sm4_fast_impl.h), which chanenc_testing contains but does not export as
# a header.
target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/ref/src)
