// The `hinge` executable: everything happens in app/cli.cpp (testable, thin main).
#include <cstdio>
#include <new>

#include "app/cli.hpp"

int main(int argc, char** argv) {
  try {
    return hinge::lang::cli_main(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fputs("hinge: error: out of memory\n", stderr);
  } catch (...) {
    std::fputs("hinge: error: internal error\n", stderr);
  }
  return hinge::lang::kExitFailure;
}
