// Every builtin's :help example runs through a real session without error (the
// example for csv reads tests/lang/data/points.csv, so scripts run from there).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "builtins/builtin.hpp"
#include "capture.hpp"
#include "eval/session.hpp"

using namespace hinge::lang;
using hinge::test::Capture;

TEST_CASE("every builtin's example runs", "[builtins][examples]") {
  const std::string dir = std::string(HINGE_TEST_DIR) + "/lang/data";
  for (const Builtin& b : builtins()) {
    INFO(b.name << ": " << b.example);
    Capture out, err;
    Status st;
    {
      SessionOptions opt;
      opt.out = out.f;
      opt.err = err.f;
      Session s(opt);
      st = s.run_script(dir + "/example_" + std::string(b.name) + ".hinge", std::string(b.example) + "\n");
    }
    const std::string errors = err.take();
    INFO(errors);
    CHECK(st == Status::ok);
    CHECK(errors.empty());
  }
}
