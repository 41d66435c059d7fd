// The one harness of the experiment tests (experiments_a_test, experiments_b_test):
// run examples/NAME.hinge, or a script, with the built `hinge` in a fresh directory,
// read the figures it prints back as numbers, and check the SVG files it writes.
#pragma once
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "run_process.hpp"
#include "temp_dir.hpp"
#include "xml_check.hpp"

namespace hinge::test {

/// One run: its exit status, stdout, stderr, and the directory holding the files it
/// wrote (alive as long as the Experiment).
struct Experiment {
  TempDir dir{"hinge-experiment"};
  int status = -1;
  std::string out, err;

  fs::path file(const std::string& name) const { return dir.path / name; }
};

/// Runs `hinge FILE` in the experiment's directory.
inline void run_hinge(Experiment& ex, const std::string& file) {
  const RunResult r = run_process({HINGE_EXE, file}, ex.dir.path);
  ex.status = r.status;
  ex.out = r.out;
  ex.err = r.err;
}

/// Runs `text` as the script t.hinge in a fresh directory (any status).
inline std::unique_ptr<Experiment> run_script(const std::string& text) {
  auto ex = std::make_unique<Experiment>();
  std::ofstream(ex->file("t.hinge"), std::ios::binary) << text;
  run_hinge(*ex, "t.hinge");
  return ex;
}

/// Runs examples/NAME.hinge in a fresh directory; it must succeed with nothing on
/// stderr. The script is copied there first, so its plots land there whether output
/// paths are taken relative to the working directory or to the script.
inline std::unique_ptr<Experiment> run_experiment(const std::string& name) {
  auto ex = std::make_unique<Experiment>();
  const fs::path source = fs::path(HINGE_TEST_DIR) / ".." / "examples" / (name + ".hinge");
  REQUIRE(fs::exists(source));
  fs::copy_file(source, ex->file(name + ".hinge"));
  run_hinge(*ex, name + ".hinge");
  INFO(name << " stdout:\n" << ex->out << "\nstderr:\n" << ex->err);
  REQUIRE(ex->status == 0);
  CHECK(ex->err.empty());
  return ex;
}

/// A number as hinge prints it, as one capture group: 0.25, -1, 1.5e-05, 2E+3, .5,
/// nan, inf, -inf.
inline const std::string kNum = R"(([-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)))";

/// Every match of `pattern` in `text`, each as its capture groups (1..n).
inline std::vector<std::vector<std::string>> all_matches(const std::string& text,
                                                         const std::string& pattern) {
  std::vector<std::vector<std::string>> found;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    std::vector<std::string> groups;
    for (std::size_t i = 1; i < it->size(); ++i) groups.push_back((*it)[i].str());
    found.push_back(std::move(groups));
  }
  return found;
}

/// The capture groups of the one match of `pattern` (the test fails unless there is
/// exactly one).
inline std::vector<std::string> one_match(const std::string& text, const std::string& pattern) {
  const auto found = all_matches(text, pattern);
  INFO("pattern: " << pattern << "\nin:\n" << text);
  REQUIRE(found.size() == 1);
  return found[0];
}

/// A captured group as a number; the test fails if it is not one, whole.
inline double num(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  INFO("not a number: '" << s << "'");
  REQUIRE((end != s.c_str() && *end == '\0'));
  return v;
}

/// all_matches with every group read as a number.
inline std::vector<std::vector<double>> all_numbers(const std::string& text, const std::string& pattern) {
  std::vector<std::vector<double>> rows;
  for (const auto& groups : all_matches(text, pattern)) {
    std::vector<double> row;
    for (const std::string& g : groups) row.push_back(num(g));
    rows.push_back(std::move(row));
  }
  return rows;
}

/// one_match with every group read as a number.
inline std::vector<double> numbers(const std::string& text, const std::string& pattern) {
  const auto rows = all_numbers(text, pattern);
  INFO("pattern: " << pattern << "\nin:\n" << text);
  REQUIRE(rows.size() == 1);
  return rows[0];
}

/// The SVG `name` is a whole, well-formed document with root <svg> that draws
/// `series` data series, and the run said it wrote it.
inline void check_svg(const Experiment& ex, const std::string& name, std::size_t series) {
  INFO("plot " << name);
  REQUIRE(fs::exists(ex.file(name)));
  const XmlDoc doc = parse_xml(slurp(ex.file(name)));
  INFO(doc.error.value_or(""));
  REQUIRE(!doc.error);
  REQUIRE(!doc.elements.empty());
  CHECK(doc.elements[0].name == "svg");
  CHECK(doc.count("path", "series") + doc.count("polyline", "series") == series);
  CHECK(ex.out.find("wrote " + name) != std::string::npos);
}

/// The SVG `name` the experiment wrote, parsed.
inline XmlDoc svg_of(const Experiment& ex, const std::string& name) {
  return parse_xml(slurp(ex.file(name)));
}

/// True when some <text> of `doc` reads `text` exactly.
inline bool has_text(const XmlDoc& doc, const std::string& text) {
  const auto all = doc.texts();
  return std::find(all.begin(), all.end(), text) != all.end();
}

/// The data series of the SVG `name` in drawing order (the last drawn on top):
/// each its label and its stroke-dasharray ("" for a solid line).
inline std::vector<std::pair<std::string, std::string>> drawn_series(const Experiment& ex,
                                                                     const std::string& name) {
  const XmlDoc doc = parse_xml(slurp(ex.file(name)));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : doc.elements) {
    if (e.name != "path" || !e.has_class("series")) continue;
    auto label = e.attrs.find("data-label"), dash = e.attrs.find("stroke-dasharray");
    out.emplace_back(label == e.attrs.end() ? "" : label->second, dash == e.attrs.end() ? "" : dash->second);
  }
  return out;
}

/// Where the series `label` is drawn (0 first), and its dash; fails when it is not drawn.
inline std::pair<std::size_t, std::string> drawn_at(
    const std::vector<std::pair<std::string, std::string>>& drawn, const std::string& label) {
  for (std::size_t i = 0; i < drawn.size(); ++i)
    if (drawn[i].first == label) return {i, drawn[i].second};
  FAIL("no series '" << label << "' drawn");
  return {};
}

}  // namespace hinge::test
