# Run by `cmake --install` (cmake/install.cmake): writes kernel.json into the
# installed kernel spec from lang/jupyter/kernelspec/kernel.json.in, naming the
# installed hinge-kernel by its absolute path as a JSON string.
set(kernel "${CMAKE_INSTALL_PREFIX}/${HINGE_KERNEL_BINDIR}/hinge-kernel")
string(REPLACE "\\" "\\\\" kernel "${kernel}")
string(REPLACE "\"" "\\\"" kernel "${kernel}")
set(HINGE_KERNEL_JSON "\"${kernel}\"")
set(target "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/${HINGE_KERNELSPEC_DIR}/kernel.json")
message(STATUS "Installing: ${target}")
configure_file(${HINGE_KERNELSPEC_TEMPLATE} ${target} @ONLY)
