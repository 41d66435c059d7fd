// hinge_bench: times one benchmark workload in hinge and prints one JSON line
// (tests/bench/run compares it with torch_bench.py; README.md lists the workloads).
//   hinge_bench <workload> <threads> <repeats> [--steps K] [--n N] [--dtype f32|f64] [--mode M]
// (--mode times one mode only: step, fwd, fwdbwd, eager or sgemm; for profiling)
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <cblas.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench_data.hpp"
#include "hinge/backward.hpp"
#include "hinge/engine.hpp"
#include "hinge/optim.hpp"

using namespace hinge;

namespace {

struct Options {
  std::string workload;
  int threads = 1;
  int repeats = 7;
  int steps = 0;  // steps per timed run; 0 = the workload's default
  int n = 100;    // hidden width (fit_curve_program)
  DType dtype = DType::f32;
  std::string mode;  // --mode: time only this mode (for profiling one pass)
};

// One timing mode's result: microseconds per step of each timed run (the smaller
// of wall and process CPU time, see time_runs), and the wall clock alone.
struct Timing {
  std::vector<double> runs_us, wall_us;
  double median() const {
    std::vector<double> v = runs_us;
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  }
};

// What one workload reports besides its timings.
struct Report {
  std::map<std::string, Timing> modes;    // "step", "fwd", "fwdbwd", "eager", "sgemm", ...
  std::map<std::string, double> numbers;  // nodes, flops, loss0, loss_end, ...
};

// CPU time of the whole process (every thread), in microseconds.
double process_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) * 1e-3;
}

// Every workload replays as `train` does: with fused layers and constants folded
// (backward.hpp).
const ReplayOptions kTraining{.fuse_layers = true, .fold_constants = true};

// One warm-up run, then `repeats` timed runs of `steps` calls each. A run's figure
// is the smaller of its wall time and the process's CPU time: on a loaded machine
// the wall clock also counts the time the process waited for a core (a run of a
// few ms is preempted several times at load 15 on 2 cores), which the CPU time
// does not; with threads working in parallel the wall time is the smaller one.
// torch_bench.py measures the same way (README.md, Method).
Timing time_runs(const Options& o, int steps, const std::function<void()>& step) {
  using clock = std::chrono::steady_clock;
  for (int s = 0; s < steps; ++s) step();
  Timing t;
  for (int r = 0; r < o.repeats; ++r) {
    const double c0 = process_cpu_us();
    const auto t0 = clock::now();
    for (int s = 0; s < steps; ++s) step();
    const auto t1 = clock::now();
    const double wall = std::chrono::duration<double, std::micro>(t1 - t0).count();
    const double cpu = process_cpu_us() - c0;
    t.wall_us.push_back(wall / steps);
    t.runs_us.push_back(std::min(wall, cpu) / steps);
  }
  return t;
}

bool want(const Options& o, std::string_view mode) { return o.mode.empty() || o.mode == mode; }

int steps_or(const Options& o, int dflt) { return o.steps > 0 ? o.steps : dflt; }

// ---- workload 1: micrograd's demo as a graph of rank-0 values ----

// The parameters of a 2->16->16->1 MLP, one rank-0 leaf per weight: w[l][i*out+j], b[l][j].
struct ScalarMlp {
  std::vector<std::vector<Tensor>> w, b;
  std::vector<int> sizes{2, 16, 16, 1};

  explicit ScalarMlp(Graph& g) {
    for (int l = 0; l < 3; ++l) {
      const int in = sizes[l], out = sizes[l + 1];
      const auto init = bench::uniform(bench::kScalarW + l, int64_t{in} * out, -1.0, 1.0);
      w.emplace_back();
      b.emplace_back();
      for (double v : init) w[l].push_back(g.param(Shape{}, std::span<const double>(&v, 1)));
      for (int j = 0; j < out; ++j) b[l].push_back(g.param(0.0));
    }
  }
  std::vector<Tensor> params() const {
    std::vector<Tensor> p;
    for (int l = 0; l < 3; ++l) {
      p.insert(p.end(), w[l].begin(), w[l].end());
      p.insert(p.end(), b[l].begin(), b[l].end());
    }
    return p;
  }
  // micrograd's Neuron: b + w0 x0 + w1 x1 + ..., relu on the hidden layers.
  Tensor operator()(std::vector<Tensor> x) const {
    for (int l = 0; l < 3; ++l) {
      const int in = sizes[l], out = sizes[l + 1];
      std::vector<Tensor> y;
      for (int j = 0; j < out; ++j) {
        Tensor act = b[l][j];
        for (int i = 0; i < in; ++i) act = act + w[l][i * out + j] * x[i];
        y.push_back(l < 2 ? relu(act) : act);
      }
      x = std::move(y);
    }
    return x[0];
  }
};

// The demo's loss: mean(relu(1 - y score)) + 1e-4 * sum(p^2), as scalar nodes.
Tensor scalar_loss(Graph& g, const ScalarMlp& model, const bench::Moons& m) {
  const int n = static_cast<int>(m.y.size());
  Tensor data;
  for (int k = 0; k < n; ++k) {
    Tensor x0 = g.scalar(m.x[2 * k]), x1 = g.scalar(m.x[2 * k + 1]), y = g.scalar(m.y[k]);
    Tensor l = relu(1.0 - y * model({x0, x1}));
    data = k == 0 ? l : data + l;
  }
  Tensor reg;
  bool first = true;
  for (const Tensor& p : model.params()) {
    reg = first ? p * p : reg + p * p;
    first = false;
  }
  return data * (1.0 / n) + 1e-4 * reg;
}

Report scalar_mlp(const Options& o) {
  Report rep;
  Graph g(o.dtype);
  const auto moons = bench::two_moons();
  ScalarMlp model(g);
  const Graph::Mark built_params = g.mark();
  Tensor loss = scalar_loss(g, model, moons);
  rep.numbers["loss0"] = loss.item();
  Replay r(loss, kTraining);
  rep.numbers["nodes"] = static_cast<double>(r.nodes().size());
  rep.numbers["params"] = static_cast<double>(r.params().size());
  Sgd opt(r.params(), {.lr = 0.05});
  const int steps = steps_or(o, 20);
  if (want(o, "fwd")) rep.modes["fwd"] = time_runs(o, steps, [&] { r.forward(); });
  if (want(o, "fwdbwd"))
    rep.modes["fwdbwd"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
    });
  if (want(o, "step"))
    rep.modes["step"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
      opt.step();
    });
  r.forward();
  rep.numbers["loss_end"] = loss.item();
  // Eager: the graph rebuilt every step (what define-by-run libraries do).
  if (want(o, "eager"))
    rep.modes["eager"] = time_runs(o, std::max(1, steps / 4), [&] {
      g.rewind(built_params);
      Tensor l = scalar_loss(g, model, moons);
      opt.zero_grad();
      backward(l);
      opt.step();
    });
  return rep;
}

// The same model and loss as tensors (matmul on the [100, 2] batch), for the row
// that compares like with like against PyTorch's tensor version.
Report scalar_mlp_tensors(const Options& o) {
  Report rep;
  Graph g(o.dtype);
  const auto moons = bench::two_moons();
  Tensor X = g.constant({100, 2}, moons.x), Y = g.constant({100, 1}, moons.y);
  const int sizes[4] = {2, 16, 16, 1};
  Tensor h = X, reg;
  for (int l = 0; l < 3; ++l) {
    const int in = sizes[l], out = sizes[l + 1];
    Tensor W = g.param({in, out}, bench::uniform(bench::kScalarW + l, int64_t{in} * out, -1.0, 1.0));
    Tensor b = g.param({out}, std::vector<double>(static_cast<std::size_t>(out), 0.0));
    h = matmul(h, W) + b;
    if (l < 2) h = relu(h);
    Tensor sq = sum(W * W) + sum(b * b);
    reg = l == 0 ? sq : reg + sq;
  }
  Tensor loss = mean(relu(1.0 - Y * h)) + 1e-4 * reg;
  rep.numbers["loss0"] = loss.item();
  Replay r(loss, kTraining);
  rep.numbers["nodes"] = static_cast<double>(r.nodes().size());
  Sgd opt(r.params(), {.lr = 0.05});
  const int steps = steps_or(o, 20);
  if (want(o, "fwd")) rep.modes["fwd"] = time_runs(o, steps, [&] { r.forward(); });
  if (want(o, "fwdbwd"))
    rep.modes["fwdbwd"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
    });
  if (want(o, "step"))
    rep.modes["step"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
      opt.step();
    });
  r.forward();
  rep.numbers["loss_end"] = loss.item();
  return rep;
}

// ---- workload 2: fit_curve, 1 -> N -> 1 ReLU network on sin, full-batch Adam ----

struct FitCurve {
  Tensor loss;
  explicit FitCurve(Graph& g, int n) {
    const auto xs = bench::fit_xs();
    std::vector<double> ys;
    for (double x : xs) ys.push_back(std::sin(x));
    const double bound2 = 1.0 / std::sqrt(static_cast<double>(n));
    Tensor X = g.constant({200, 1}, xs), Y = g.constant({200, 1}, ys);
    Tensor W1 = g.param({1, n}, bench::uniform(bench::kFitW1, n, -1.0, 1.0));
    Tensor b1 = g.param({n}, bench::uniform(bench::kFitB1, n, -1.0, 1.0));
    Tensor W2 = g.param({n, 1}, bench::uniform(bench::kFitW2, n, -bound2, bound2));
    Tensor b2 = g.param({1}, bench::uniform(bench::kFitB2, 1, -bound2, bound2));
    loss = mse(matmul(relu(matmul(X, W1) + b1), W2) + b2, Y);
  }
};

Report fit_curve(const Options& o, int n) {
  Report rep;
  Graph g(o.dtype);
  FitCurve model(g, n);
  rep.numbers["loss0"] = model.loss.item();
  Replay r(model.loss, kTraining);
  rep.numbers["nodes"] = static_cast<double>(r.nodes().size());
  Adam opt(r.params(), {.lr = 0.01});
  const int steps = steps_or(o, n >= 1000 ? 20 : 100);
  if (want(o, "fwd")) rep.modes["fwd"] = time_runs(o, steps, [&] { r.forward(); });
  if (want(o, "fwdbwd"))
    rep.modes["fwdbwd"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
    });
  if (want(o, "step"))
    rep.modes["step"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
      opt.step();
    });
  r.forward();
  rep.numbers["loss_end"] = model.loss.item();
  return rep;
}

// The whole program a fit_curve script runs (workload 5's C++ side): build the
// model, train it for `steps` Adam steps, print the final loss. Timed from outside.
Report fit_curve_program(const Options& o) {
  Report rep;
  Graph g(o.dtype);
  FitCurve model(g, o.n);
  Replay r(model.loss, kTraining);
  Adam opt(r.params(), {.lr = 0.01});
  const int steps = steps_or(o, 2000);
  for (int s = 0; s < steps; ++s) {
    r.forward();
    r.backward();
    opt.step();
  }
  r.forward();
  rep.numbers["loss_end"] = model.loss.item();
  return rep;
}

// ---- workload 3: MLP 784 -> 256 -> 256 -> 10, batch 128, cross-entropy, SGD ----

Report mlp(const Options& o) {
  Report rep;
  Graph g(o.dtype);
  const int B = 128, sizes[4] = {784, 256, 256, 10};
  Tensor X = g.constant({B, 784}, bench::uniform(bench::kMlpX, int64_t{B} * 784));
  std::vector<double> labels = bench::uniform(bench::kMlpLabels, B);
  for (double& l : labels) l = std::floor(l * 10);
  Tensor labels_t = g.constant({B}, labels);
  Tensor h = X;
  for (int l = 0; l < 3; ++l) {
    const int in = sizes[l], out = sizes[l + 1];
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    Tensor W = g.param({in, out}, bench::uniform(bench::kMlpW + 2 * l, int64_t{in} * out, -bound, bound));
    Tensor b = g.param({out}, bench::uniform(bench::kMlpW + 2 * l + 1, out, -bound, bound));
    h = matmul(h, W) + b;
    if (l < 2) h = relu(h);
  }
  Tensor loss = cross_entropy(h, labels_t);
  rep.numbers["loss0"] = loss.item();
  Replay r(loss, kTraining);
  rep.numbers["nodes"] = static_cast<double>(r.nodes().size());
  Sgd opt(r.params(), {.lr = 0.01});
  const int steps = steps_or(o, 20);
  if (want(o, "fwd")) rep.modes["fwd"] = time_runs(o, steps, [&] { r.forward(); });
  if (want(o, "fwdbwd"))
    rep.modes["fwdbwd"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
    });
  if (want(o, "step"))
    rep.modes["step"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
      opt.step();
    });
  r.forward();
  rep.numbers["loss_end"] = loss.item();
  return rep;
}

// ---- workload 4: per-op overhead, 1,000 small elementwise ops on a [16] tensor ----

// y = x; 500 times { y = y * 1.0001; y = y + 0.001 }; loss = sum(y).
Tensor op_chain_loss(Tensor x) {
  Tensor y = x;
  for (int k = 0; k < 500; ++k) {
    y = y * 1.0001;
    y = y + 0.001;
  }
  return sum(y);
}

Report op_chain(const Options& o) {
  Report rep;
  Graph g(o.dtype);
  Tensor x = g.param({16}, bench::uniform(bench::kChainX, 16, -1.0, 1.0));
  g.ensure_grad(x.id);  // before the mark: eager mode rewinds to it and must keep x's gradient
  const Graph::Mark after_x = g.mark();
  Tensor loss = op_chain_loss(x);
  rep.numbers["loss0"] = loss.item();
  rep.numbers["ops"] = 1000;
  Replay r(loss, kTraining);
  rep.numbers["nodes"] = static_cast<double>(r.nodes().size());
  const int steps = steps_or(o, 200);
  if (want(o, "fwd")) rep.modes["fwd"] = time_runs(o, steps, [&] { r.forward(); });
  if (want(o, "fwdbwd"))
    rep.modes["fwdbwd"] = time_runs(o, steps, [&] {
      r.forward();
      r.backward();
    });
  rep.numbers["grad0"] = x.grad_at(0);
  rep.numbers["loss_end"] = loss.item();
  // Eager: build the chain again each step, then backward (what the REPL does).
  if (want(o, "eager"))
    rep.modes["eager"] = time_runs(o, steps, [&] {
      g.rewind(after_x);
      zero_grad(std::span<const Tensor>(&x, 1));
      backward(op_chain_loss(x));
    });
  return rep;
}

// ---- sgemm alone on the shapes a training step multiplies ----

// One GEMM of a step: C[m,n] (+)= op(A)[m,k] op(B)[k,n].
struct Gemm {
  int m, n, k;
  bool ta, tb;  // A / B read transposed
  float beta;   // 1 accumulates into a gradient
};

Report sgemm(const Options& o, const std::vector<Gemm>& gemms, int dflt_steps) {
  Report rep;
  struct Bufs {
    std::vector<float> a, b, c;
  };
  std::vector<Bufs> bufs;
  double flops = 0;
  for (const Gemm& q : gemms) {
    bufs.push_back({std::vector<float>(std::size_t(q.m) * q.k, 0.5f),
                    std::vector<float>(std::size_t(q.k) * q.n, 0.25f),
                    std::vector<float>(std::size_t(q.m) * q.n, 0.0f)});
    flops += 2.0 * q.m * q.n * q.k;
  }
  auto step = [&] {
    for (std::size_t i = 0; i < gemms.size(); ++i) {
      const Gemm& q = gemms[i];
      cblas_sgemm(CblasRowMajor, q.ta ? CblasTrans : CblasNoTrans, q.tb ? CblasTrans : CblasNoTrans, q.m, q.n,
                  q.k, 1.0f, bufs[i].a.data(), q.ta ? q.m : q.k, bufs[i].b.data(), q.tb ? q.k : q.n, q.beta,
                  bufs[i].c.data(), q.n);
    }
  };
  if (want(o, "sgemm")) rep.modes["sgemm"] = time_runs(o, steps_or(o, dflt_steps), step);
  rep.numbers["flops"] = flops;
  if (rep.modes.count("sgemm")) rep.numbers["gflops"] = flops / (rep.modes["sgemm"].median() * 1e3);
  return rep;
}

// Workload 3's step: 3 forward products, then dW for every layer and dX for the
// two upper layers (the input batch needs no gradient).
Report sgemm_mlp(const Options& o) {
  const int B = 128;
  return sgemm(o,
               {{B, 256, 784, false, false, 0},
                {B, 256, 256, false, false, 0},
                {B, 10, 256, false, false, 0},
                {256, 10, B, true, false, 1},
                {B, 256, 10, false, true, 1},
                {256, 256, B, true, false, 1},
                {B, 256, 256, false, true, 1},
                {784, 256, B, true, false, 1}},
               20);
}

// Workload 2's step at N = 1000: X[200,1] W1[1,N], H[200,N] W2[N,1]; dW2, dH, dW1.
Report sgemm_fit_curve_1000(const Options& o) {
  const int P = 200, N = 1000;
  return sgemm(o,
               {{P, N, 1, false, false, 0},
                {P, 1, N, false, false, 0},
                {N, 1, P, true, false, 1},
                {P, N, 1, false, true, 1},
                {1, N, P, true, false, 1}},
               100);
}

// ---- output ----

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

std::string blas_config() {
  const char* cfg = openblas_get_config();
  const char* core = openblas_get_corename();
  return fmt::format("{} (core {})", cfg ? cfg : "?", core ? core : "?");
}

std::string to_json(const Options& o, const Report& rep) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::string s =
      fmt::format(R"({{"side": "hinge", "workload": "{}", "threads": {}, "repeats": {}, "dtype": "{}")",
                  json_escape(o.workload), o.threads, o.repeats, dtype_name(o.dtype));
  s += ", \"modes\": {";
  bool first = true;
  for (const auto& [name, t] : rep.modes) {
    Timing wall{t.wall_us, {}};
    s += fmt::format(R"({}"{}": {{"median_us": {:.4f}, "runs_us": [{:.4f}], "wall_median_us": {:.4f}}})",
                     first ? "" : ", ", name, t.median(), fmt::join(t.runs_us, ", "), wall.median());
    first = false;
  }
  s += "}";
  for (const auto& [name, v] : rep.numbers)
    s += std::isfinite(v) ? fmt::format(R"(, "{}": {:.9g})", name, v) : fmt::format(R"(, "{}": null)", name);
  s += fmt::format(R"(, "peak_rss_kb": {}, "blas": "{}"}})", ru.ru_maxrss, json_escape(blas_config()));
  return s;
}

Options parse(int argc, char** argv) {
  if (argc < 4)
    throw std::runtime_error(
        "usage: hinge_bench <workload> <threads> <repeats> [--steps K] [--n N] [--dtype f32|f64] [--mode M]\n"
        "workloads: scalar_mlp scalar_mlp_tensors fit_curve_10 fit_curve_100 fit_curve_1000 mlp op_chain "
        "sgemm_mlp\n"
        "           sgemm_fit_curve_1000 fit_curve_program info");
  Options o;
  o.workload = argv[1];
  o.threads = std::atoi(argv[2]);
  o.repeats = std::atoi(argv[3]);
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string_view k = argv[i];
    if (k == "--steps")
      o.steps = std::atoi(argv[i + 1]);
    else if (k == "--n")
      o.n = std::atoi(argv[i + 1]);
    else if (k == "--mode")
      o.mode = argv[i + 1];
    else if (k == "--dtype")
      o.dtype = std::string_view(argv[i + 1]) == "f64" ? DType::f64 : DType::f32;
    else
      throw std::runtime_error(fmt::format("unknown option {}", k));
  }
  if (o.threads < 1 || o.repeats < 1) throw std::runtime_error("threads and repeats must be at least 1");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    openblas_set_num_threads(o.threads);
    const std::map<std::string, std::function<Report(const Options&)>> workloads = {
        {"scalar_mlp", scalar_mlp},
        {"scalar_mlp_tensors", scalar_mlp_tensors},
        {"fit_curve_10", [](const Options& p) { return fit_curve(p, 10); }},
        {"fit_curve_100", [](const Options& p) { return fit_curve(p, 100); }},
        {"fit_curve_1000", [](const Options& p) { return fit_curve(p, 1000); }},
        {"fit_curve_program", fit_curve_program},
        {"mlp", mlp},
        {"op_chain", op_chain},
        {"sgemm_mlp", sgemm_mlp},
        {"sgemm_fit_curve_1000", sgemm_fit_curve_1000},
        {"info", [](const Options&) { return Report{}; }},
    };
    const auto it = workloads.find(o.workload);
    if (it == workloads.end()) throw std::runtime_error(fmt::format("unknown workload '{}'", o.workload));
    const Report rep = it->second(o);
    std::puts(to_json(o, rep).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hinge_bench: %s\n", e.what());
    return 1;
  }
}
