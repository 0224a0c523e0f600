# FindIPSecMB.cmake - finds intel-ipsec-mb (Debian: libipsec-mb-dev), which
# ships neither a CMake package nor a pkg-config file.
#
# Result: IPSecMB_FOUND, IPSecMB_VERSION (from IMB_VERSION_STR in
# intel-ipsec-mb.h), IPSecMB_INCLUDE_DIR, IPSecMB_LIBRARY and the imported
# target IPSecMB::IPSecMB. Hints: IPSecMB_ROOT, or the two cache variables.
# Installed beside chanencConfig.cmake, which uses it to find the library
# again for chanenc::chanenc_static.
find_path(IPSecMB_INCLUDE_DIR intel-ipsec-mb.h)
find_library(IPSecMB_LIBRARY NAMES IPSec_MB)
if(IPSecMB_INCLUDE_DIR AND EXISTS "${IPSecMB_INCLUDE_DIR}/intel-ipsec-mb.h")
  file(STRINGS "${IPSecMB_INCLUDE_DIR}/intel-ipsec-mb.h" _imb_ver
       REGEX "^#define IMB_VERSION_STR \"[^\"]+\"")
  string(REGEX REPLACE ".*\"([^\"]+)\".*" "\\1" IPSecMB_VERSION "${_imb_ver}")
  unset(_imb_ver)
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(IPSecMB
  REQUIRED_VARS IPSecMB_LIBRARY IPSecMB_INCLUDE_DIR
  VERSION_VAR IPSecMB_VERSION)
if(IPSecMB_FOUND AND NOT TARGET IPSecMB::IPSecMB)
  add_library(IPSecMB::IPSecMB UNKNOWN IMPORTED)
  set_target_properties(IPSecMB::IPSecMB PROPERTIES
    IMPORTED_LOCATION "${IPSecMB_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${IPSecMB_INCLUDE_DIR}")
endif()
mark_as_advanced(IPSecMB_INCLUDE_DIR IPSecMB_LIBRARY)
