# test_openssl_failures makes OpenSSL's calls from ref/ report failure:
# every call that chanenc_testing's objects make to these functions goes
# through the test's __wrap_ functions, which forward to OpenSSL unless
# armed. OpenSSL's calls to itself are not affected.
target_link_options(${name} PRIVATE
  "LINKER:--wrap=EVP_CipherInit_ex2,--wrap=EVP_CipherInit_ex"
  "LINKER:--wrap=EVP_CIPHER_CTX_set_padding,--wrap=EVP_CIPHER_CTX_copy"
  "LINKER:--wrap=EVP_CIPHER_CTX_ctrl,--wrap=EVP_CipherUpdate"
  "LINKER:--wrap=EVP_EncryptUpdate,--wrap=EVP_DecryptUpdate"
  "LINKER:--wrap=EVP_CipherFinal_ex,--wrap=EVP_EncryptFinal_ex"
  "LINKER:--wrap=EVP_DecryptFinal_ex,--wrap=EVP_MAC_init"
  "LINKER:--wrap=EVP_MAC_update,--wrap=EVP_MAC_final"
  "LINKER:--wrap=PKCS5_PBKDF2_HMAC,--wrap=RAND_bytes"
  "LINKER:--wrap=EVP_CIPHER_fetch,--wrap=EVP_MAC_fetch")
