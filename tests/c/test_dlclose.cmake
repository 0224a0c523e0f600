# test_dlclose loads the shared library built here with dlopen and unloads
# it with dlclose, many times: its path comes in CE_SHARED_LIBRARY.
add_dependencies(${name} chanenc)
target_link_libraries(${name} PRIVATE ${CMAKE_DL_LIBS})
set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT
             "CE_SHARED_LIBRARY=$<TARGET_FILE:chanenc>")
