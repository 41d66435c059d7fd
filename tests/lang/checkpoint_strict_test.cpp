// save writes params only, and load restores the params of the model that saved the
// checkpoint (Note [Load is strict] in lang/eval/io.cpp): a checkpoint of another
// model is an error that names the first difference, and nothing changes, not even
// the entries that matched before it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "capture.hpp"
#include "eval/interpreter.hpp"
#include "hinge/checkpoint.hpp"
#include "hinge/graph.hpp"
#include "run_process.hpp"

using namespace hinge::test;
namespace fs = std::filesystem;
using hinge::lang::Status;

namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A session printing into captures; out() and err() give everything so far.
struct Run {
  Capture out_capture, err_capture;
  hinge::lang::Session session{options()};
  std::string out_so_far, err_so_far;

  hinge::lang::SessionOptions options() const {
    hinge::lang::SessionOptions o;
    o.out = out_capture.f;
    o.err = err_capture.f;
    return o;
  }
  Status run(const std::string& entry) { return session.run_entry(entry); }
  std::string out() { return out_so_far += out_capture.take(); }
  std::string err() { return err_so_far += err_capture.take(); }
  std::vector<double> values(const std::string& name) {
    const auto& g = session.interpreter().globals();
    const auto it = g.find(name);
    REQUIRE(it != g.end());
    REQUIRE(it->second.value.is_tensor());
    return it->second.value.tensor().values();
  }
};

void write(const fs::path& path, const std::vector<std::pair<std::string, hinge::Tensor>>& named) {
  hinge::save_checkpoint(path.string(), std::span<const hinge::NamedTensor>(named.data(), named.size()));
}

}  // namespace

TEST_CASE("save: a computed binding is an error naming it, and nothing is written") {
  TempDir dir;
  const fs::path ckpt = dir.path / "x.ckpt";
  Run r;
  REQUIRE(r.run("param w = 1\nparam b = [1, 2]\nlet loss = sum(b) * w\nlet n = 3") == Status::ok);
  CHECK(r.run("save w, loss to \"" + ckpt.string() + "\"") == Status::runtime_error);
  CHECK(has(r.err(), "'loss' is a computed binding, not a param: save writes params only"));
  CHECK(r.run("save n, w to \"" + ckpt.string() + "\"") == Status::runtime_error);
  CHECK(has(r.err(), "'n' is a number, not a param"));
  CHECK_FALSE(fs::exists(ckpt));
  CHECK(r.run("save w, b to \"" + ckpt.string() + "\"") == Status::ok);
  const auto entries = hinge::load_checkpoint(ckpt.string());
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].name == "w");
  CHECK(entries[1].name == "b");
}

TEST_CASE("load: a checkpoint of another model names the first difference and changes nothing") {
  TempDir dir;
  const fs::path ckpt = dir.path / "other.ckpt";
  hinge::Graph g;
  // Each file starts with w = [5, 6], which fits: it must not be loaded either.
  const hinge::Tensor w_fits = g.param(hinge::Shape{2}, std::vector<double>{5, 6});
  struct Case {
    std::vector<std::pair<std::string, hinge::Tensor>> file;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"w", w_fits}, {"v", g.param(1.0)}}, "'v' has shape [] in "},
      {{{"w", w_fits}}, "param 'v' is not in "},
      {{{"w", w_fits},
        {"v", g.param(hinge::Shape{3}, std::vector<double>{1, 2, 3})},
        {"extra", g.param(1.0)}},
       "holds 'extra', but there is no param 'extra' here"},
      {{{"w", w_fits}, {"v", g.param(hinge::Shape{3}, std::vector<double>{1, 2, 3})}, {"loss", g.param(1.0)}},
       "holds 'loss', which is a computed binding here, not a param"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    write(ckpt, c.file);
    Run r;
    REQUIRE(r.run("param w = [1, 2]\nparam v = [7, 8, 9]\nlet loss = sum(w) + sum(v)") == Status::ok);
    CHECK(r.run("load \"" + ckpt.string() + "\"") == Status::runtime_error);
    const std::string err = r.err();
    INFO(err);
    CHECK(has(err, c.message));
    CHECK(has(err, "nothing was loaded"));
    CHECK(r.values("w") == std::vector<double>{1, 2});
    CHECK(r.values("v") == std::vector<double>{7, 8, 9});
    CHECK(r.session.interpreter().globals().count("extra") == 0);
    CHECK_FALSE(r.session.interpreter().globals().at("loss").is_param);
    CHECK(r.run("print loss") == Status::ok);
    CHECK(has(r.out(), "27\n"));
  }
}

TEST_CASE("load: the same model's params come back, converted from another dtype, and dependents follow") {
  TempDir dir;
  const fs::path ckpt = dir.path / "same.ckpt";
  hinge::Graph g;
  write(ckpt, {{"v", g.param(hinge::Shape{3}, std::vector<double>{1, 2, 3})},
               {"w", g.param(hinge::Shape{2}, std::vector<double>{0.5, 0.25}, hinge::DType::f32)}});
  Run r;
  REQUIRE(r.run("param w = [1, 2]\nparam v = [7, 8, 9]\nlet loss = sum(w) + sum(v)") == Status::ok);
  CHECK(r.run("load \"" + ckpt.string() + "\"") == Status::ok);
  INFO(r.err());
  CHECK(r.values("w") == std::vector<double>{0.5, 0.25});
  CHECK(r.values("v") == std::vector<double>{1, 2, 3});
  CHECK(r.run("print loss") == Status::ok);
  CHECK(has(r.out(), "6.75\n"));
}

TEST_CASE("load: a session without params gets one for each saved name") {
  TempDir dir;
  const fs::path ckpt = dir.path / "model.ckpt";
  hinge::Graph g;
  write(ckpt, {{"w", g.param(hinge::Shape{2}, std::vector<double>{3, 4})}});
  Run r;
  REQUIRE(r.run("let k = 2") == Status::ok);  // other names do not matter
  CHECK(r.run("load \"" + ckpt.string() + "\"") == Status::ok);
  INFO(r.err());
  CHECK(r.session.interpreter().globals().at("w").is_param);
  CHECK(r.values("w") == std::vector<double>{3, 4});
}
