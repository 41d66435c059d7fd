// Runs the line given as argument in a hinge Session, as `hinge -e` does: the
// installed hinge::lang libraries and headers are enough to embed the language.
#include <fmt/format.h>

#include "eval/session.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: run_line 'EXPR'\n");
    return 64;
  }
  hinge::lang::Session session;
  return session.run_entry(argv[1], "-e") == hinge::lang::Status::ok ? 0 : 1;
}
