// A checkpoint is data: `load` binds only names a script could bind (Note [Checkpoint
// names] in lang/eval/io.cpp), checks every name before binding any, and names a bad
// entry escaped and cut. Hostile checkpoints are written with the engine's writer. The
// "saved" and "loaded" lines echo paths and names escaped too.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "capture.hpp"
#include "eval/interpreter.hpp"
#include "hinge/checkpoint.hpp"
#include "hinge/graph.hpp"
#include "run_process.hpp"

using namespace hinge::test;
namespace fs = std::filesystem;

namespace {

// A checkpoint holding `good` = 2 then `bad` = 3 (each a scalar param).
void write_pair(const fs::path& path, const std::string& good, const std::string& bad) {
  hinge::Graph g;
  hinge::save_checkpoint(path.string(),
                         {hinge::NamedTensor{good, g.param(2.0)}, hinge::NamedTensor{bad, g.param(3.0)}});
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("load: a checkpoint name that is no bindable name is an error and binds nothing") {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "an empty name"},
      {"relu", "the name of a builtin"},
      {"pi", "the name of a constant"},
      {"for", "a reserved word"},
      {"none", "the name of a constant"},
      {"_", "the REPL's last value"},
      {"help", "a REPL command"},
      {"quit", "a REPL command"},
      {"exit", "a REPL command"},
      {"w\x1b[31m", "not a name"},
      {"2w", "not a name"},
      {"a b", "not a name"},
      {std::string(300, 'x') + "\x1b", "not a name"},
      {std::string(129, 'x'), "not a name (longer than 128 characters)"},
      {"pi to \"side.ckpt\"; import \"evil.hinge\" #", "not a name"},
  };
  // Were a name ever run as code, this import would leave marker.ckpt.
  std::ofstream(dir.path / "evil.hinge") << "param m = 1\nsave m to \"marker.ckpt\"\n";
  const fs::path ckpt = dir.path / "bad.ckpt";
  for (const auto& [name, why] : cases) {
    INFO("name: " << name);
    write_pair(ckpt, "ok", name);
    Capture out, err;
    {
      hinge::lang::Session s(hinge::lang::SessionOptions{.out = out.f, .err = err.f});
      REQUIRE(s.run_entry("param w = 5") == hinge::lang::Status::ok);
      const hinge::lang::Status st = s.run_entry("load \"" + ckpt.string() + "\"");
      const std::string e = err.take();
      INFO(e);
      CHECK(st == hinge::lang::Status::runtime_error);
      CHECK(has(e, "error: "));
      CHECK(has(e, "tensor 2 of the checkpoint is named '"));
      CHECK(has(e, why));
      CHECK(has(e, "nothing was loaded"));
      CHECK(e.find('\x1b') == std::string::npos);  // escaped, never raw
      CHECK(e.size() < 1000);                      // cut short
      // `ok` comes first in the file and is fine: it is not bound either.
      CHECK(s.interpreter().globals().count("ok") == 0);
      CHECK(s.interpreter().globals().count(name) == 0);
      CHECK(s.run_entry("print w") == hinge::lang::Status::ok);
    }
    CHECK(has(out.take(), "\n5\n"));
    CHECK_FALSE(fs::exists(dir.path / "side.ckpt"));
    CHECK_FALSE(fs::exists(dir.path / "marker.ckpt"));
  }
}

TEST_CASE("load: names a script could bind load, contextual words included") {
  TempDir dir;
  const fs::path ckpt = dir.path / "good.ckpt";
  write_pair(ckpt, "_w2", "steps");
  Capture out, err;
  {
    hinge::lang::Session s(hinge::lang::SessionOptions{.out = out.f, .err = err.f});
    CHECK(s.run_entry("load \"" + ckpt.string() + "\"") == hinge::lang::Status::ok);
    CHECK(s.run_entry("print _w2 + steps") == hinge::lang::Status::ok);
    INFO(err.take());
  }
  CHECK(has(out.take(), "\n5\n"));
}

TEST_CASE("load: a checkpoint of no tensors says it loaded nothing") {
  TempDir dir;
  const fs::path ckpt = dir.path / "none.ckpt";
  hinge::save_checkpoint(ckpt.string(), std::span<const hinge::NamedTensor>{});
  Capture out, err;
  {
    hinge::lang::Session s(hinge::lang::SessionOptions{.out = out.f, .err = err.f});
    CHECK(s.run_entry("load \"" + ckpt.string() + "\"") == hinge::lang::Status::ok);
    INFO(err.take());
  }
  CHECK(has(out.take(), "loaded nothing from " + ckpt.string() + " (it holds no tensors)\n"));
}

TEST_CASE("load names the first 8 entries it loaded and counts the rest") {
  TempDir dir;
  const fs::path ckpt = dir.path / "many.ckpt";
  std::vector<hinge::CheckpointEntry> entries;
  for (int k = 0; k < 20; ++k) {
    hinge::CheckpointEntry e;
    e.name = "p" + std::to_string(k);
    e.data.assign(8, 0);  // one float64
    entries.push_back(std::move(e));
  }
  hinge::save_checkpoint(ckpt.string(), entries);
  Capture out, err;
  {
    hinge::lang::Session s(hinge::lang::SessionOptions{.out = out.f, .err = err.f});
    CHECK(s.run_entry("load \"" + ckpt.string() + "\"") == hinge::lang::Status::ok);
    INFO(err.take());
    CHECK(s.run_entry("print p19") == hinge::lang::Status::ok);  // all 20 were bound
  }
  CHECK(has(out.take(), "loaded p0 [], p1 [], p2 [], p3 [], p4 [], p5 [], p6 [], p7 [] and 12 more from " +
                            ckpt.string() + "\n0\n"));
}

TEST_CASE("save and load echo the path and the names escaped") {
  TempDir dir;
  // A file name may hold any byte but '/' and NUL: here ESC (a colour code) and a newline.
  const fs::path ckpt = dir.path / "a\x1b[31mb\nc.ckpt";
  const std::string shown = dir.path.string() + "/a\\x1b[31mb\\nc.ckpt";
  Capture out, err;
  {
    hinge::lang::Session s(hinge::lang::SessionOptions{.out = out.f, .err = err.f});
    REQUIRE(s.run_entry("param w = 5") == hinge::lang::Status::ok);
    hinge::lang::Interpreter& in = s.interpreter();
    in.save_tensors({hinge::NamedTensor{"w", in.globals().at("w").value.tensor()}}, ckpt.string());
    REQUIRE(fs::exists(ckpt));
    REQUIRE(s.run_entry("w = 7") == hinge::lang::Status::ok);
    hinge::lang::Ctx ctx;
    ctx.source = std::make_shared<const hinge::lang::Source>(hinge::lang::make_source("<test>", "load"));
    in.load_params(ckpt.string(), hinge::lang::Span{0, 4}, ctx);
    REQUIRE(s.run_entry("print w") == hinge::lang::Status::ok);
    INFO(err.take());
  }
  const std::string o = out.take();
  INFO(o);
  CHECK(o == "w = 5 (param)\nsaved w to " + shown + "\nw = 7 (param)\nloaded w [] from " + shown + "\n5\n");
  CHECK(o.find('\x1b') == std::string::npos);
}
