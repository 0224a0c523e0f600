# test_no_alloc counts allocations: every malloc-family call made by the
# test and by chanenc_static goes through the test's __wrap_ functions.
# (OpenSSL's own allocations are counted through CRYPTO_set_mem_functions.)
# Works in every build flavour: under ASan/TSan __real_malloc is the
# sanitizer's malloc.
target_link_options(${name} PRIVATE
  "LINKER:--wrap=malloc,--wrap=calloc,--wrap=realloc"
  "LINKER:--wrap=posix_memalign,--wrap=aligned_alloc")
