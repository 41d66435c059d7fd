// Every builtin's :help example runs through a real session without error (the
// example for csv reads tests/lang/data/points.csv, so scripts run from there).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "builtins/builtin.hpp"
#include "eval/session.hpp"

using namespace hinge::lang;

namespace {

// Everything written to `f` since it was opened.
std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

}  // namespace

TEST_CASE("every builtin's example runs", "[builtins][examples]") {
  const std::string dir = std::string(HINGE_TEST_DIR) + "/lang/data";
  for (const Builtin& b : builtins()) {
    INFO(b.name << ": " << b.example);
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    REQUIRE(out);
    REQUIRE(err);
    Status st;
    {
      SessionOptions opt;
      opt.out = out;
      opt.err = err;
      Session s(opt);
      st = s.run_script(dir + "/example_" + std::string(b.name) + ".hinge", std::string(b.example) + "\n");
    }
    const std::string errors = contents(err);
    INFO(errors);
    CHECK(st == Status::ok);
    CHECK(errors.empty());
    std::fclose(out);
    std::fclose(err);
  }
}
