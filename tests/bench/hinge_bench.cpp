// hinge_bench: times one benchmark workload in hinge and prints one JSON line
// (tests/bench/run compares it with torch_bench.py; README.md lists the workloads).
//   hinge_bench <workload> <threads> <repeats> [--steps K] [--variant recorded|dynamic|tape]
//               [--n N] [--dtype f32|f64] [--mode M]
// recorded: the graph is built once and replayed each step (hinge::Replay, as `train`
// runs it); dynamic: the graph is built again every step, as a `for` loop or a REPL
// user builds it; tape: the scalar MLP on a hand-written tape, without hinge (the
// dynamic variant's reference). --mode times one mode only (fwd, fwdbwd or step),
// for profiling.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <cblas.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench_data.hpp"
#include "hand_tape.hpp"
#include "hinge/backward.hpp"
#include "hinge/engine.hpp"
#include "hinge/optim.hpp"
#include "hinge/threads.hpp"

// Every heap allocation, counted: a replayed step must make none (README.md, targets).
#include "count_allocations.hpp"

using namespace hinge;

namespace {

struct Options {
  std::string workload;
  int threads = 1;
  int repeats = 7;
  int steps = 0;  // steps per timed run; 0 = the workload's default
  int n = 100;    // hidden width (fit_curve_program)
  DType dtype = DType::f32;
  std::string variant = "recorded";  // --variant: recorded, dynamic or tape (above)
  std::string mode;                  // --mode: time only this mode (for profiling one pass)
};

// One timing mode's result, per step of each timed run: the wall clock (the
// headline figure), the process's CPU time (all threads) and heap allocations.
struct Timing {
  std::vector<double> wall_us, cpu_us;
  double allocs_per_step = 0;
};

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.empty() ? 0.0 : v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// What one workload reports besides its timings.
struct Report {
  std::map<std::string, Timing> modes;    // "fwd", "fwdbwd", "step", "sgemm"
  std::map<std::string, double> numbers;  // nodes, loss0, loss_end, flops, bytes, ...
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

// Each mode's warm-up of max(steps, kWarmupCalls) calls (PyTorch's TorchScript
// executor optimizes after profiling the first calls; both sides warm up alike so
// that they take the same number of steps), then `repeats` timed runs of `steps`
// calls each, the modes taking turns run by run, so that a slow spell of the
// machine falls on each mode of a ratio (the gradient cost: fwdbwd over fwd): the
// wall time per step of each run, and beside it the process's CPU time (README.md,
// Method). torch_bench.py measures the same way.
constexpr int kWarmupCalls = 3;

// The runner's profile of a missed row (report.py, section_profiles) samples the
// timed runs alone: it starts `perf record` with sampling off and its control
// FIFOs (`--control fifo:CTL,ACK -D -1`) named in HINGE_BENCH_PERF_CONTROL as
// "CTL,ACK", and time_runs turns sampling on for the timed runs and off after
// them. Without the variable nothing is opened. Each path must be a FIFO: nothing
// else is written to.
class PerfWindow {
 public:
  PerfWindow() {
    const char* spec = std::getenv("HINGE_BENCH_PERF_CONTROL");
    if (!spec || !*spec) return;
    const std::string s = spec;
    const std::size_t comma = s.find(',');
    if (comma == std::string::npos) throw std::runtime_error("HINGE_BENCH_PERF_CONTROL is not CTL,ACK");
    ctl_ = open_fifo(s.substr(0, comma), O_WRONLY);
    ack_ = open_fifo(s.substr(comma + 1), O_RDONLY);
  }
  ~PerfWindow() {
    if (ctl_ >= 0) ::close(ctl_);
    if (ack_ >= 0) ::close(ack_);
  }
  PerfWindow(const PerfWindow&) = delete;
  PerfWindow& operator=(const PerfWindow&) = delete;

  // Sends perf "enable" or "disable" and waits for its acknowledgement, so that
  // no sample falls outside the window.
  void send(std::string_view command) const {
    if (ctl_ < 0) return;
    const std::string line = std::string(command) + "\n";
    if (::write(ctl_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      throw std::runtime_error("cannot write perf's control FIFO");
    char ack[16];
    if (::read(ack_, ack, sizeof ack) <= 0) throw std::runtime_error("perf did not acknowledge");
  }

 private:
  // Asked before opening (opening some devices does something) and again of what
  // was opened.
  static int open_fifo(const std::string& path, int mode) {
    struct stat st {};
    const int fd =
        ::stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode) ? ::open(path.c_str(), mode | O_CLOEXEC) : -1;
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("HINGE_BENCH_PERF_CONTROL names something that is not a FIFO");
    }
    return fd;
  }
  int ctl_ = -1, ack_ = -1;
};

const PerfWindow& perf_window() {
  static const PerfWindow window;
  return window;
}

// A mode's name and one call of it (a step).
using Mode = std::pair<std::string, std::function<void()>>;

std::map<std::string, Timing> time_runs(const Options& o, int steps, const std::vector<Mode>& modes) {
  using clock = std::chrono::steady_clock;
  for (const auto& [name, step] : modes)
    for (int s = 0; s < std::max(steps, kWarmupCalls); ++s) step();
  std::map<std::string, Timing> timings;
  for (const auto& [name, step] : modes) {  // made before the timed runs: their allocations are not a step's
    timings[name].wall_us.reserve(static_cast<std::size_t>(o.repeats));
    timings[name].cpu_us.reserve(static_cast<std::size_t>(o.repeats));
  }
  perf_window().send("enable");
  for (int r = 0; r < o.repeats; ++r)
    for (const auto& [name, step] : modes) {
      const long a0 = hinge::test::allocations();
      const double c0 = process_cpu_us();
      const auto t0 = clock::now();
      for (int s = 0; s < steps; ++s) step();
      const auto t1 = clock::now();
      const double cpu = process_cpu_us() - c0;
      Timing& t = timings[name];
      t.allocs_per_step += static_cast<double>(hinge::test::allocations() - a0);  // a count until the end
      t.wall_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / steps);
      t.cpu_us.push_back(cpu / steps);
    }
  perf_window().send("disable");
  for (auto& [name, t] : timings) t.allocs_per_step /= static_cast<double>(o.repeats) * steps;
  return timings;
}

// OpenBLAS for the bench's own calls (the sgemm reference, the config line),
// opened when first needed, as the engine opens it (Note [Loading BLAS on first
// use] in engine/src/blas.cpp). A linked OpenBLAS loads at start, and at 2
// threads its worker then spins (sched_yield) for 2^28 cycles, the default of
// OPENBLAS_THREAD_TIMEOUT: through the whole run of a workload that multiplies
// no matrix (the scalar MLP), which the `hinge` command never pays.
struct OpenBlas {
  decltype(&cblas_sgemm) sgemm = nullptr;
  void (*set_threads)(int) = nullptr;
  char* (*config)() = nullptr;
  char* (*corename)() = nullptr;
};

const OpenBlas& openblas() {
  static const OpenBlas blas = [] {
    void* h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen(HINGE_BLAS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!h) throw std::runtime_error(fmt::format("cannot load OpenBLAS ({})", dlerror()));
    OpenBlas b;
    b.sgemm = reinterpret_cast<decltype(b.sgemm)>(dlsym(h, "cblas_sgemm"));
    b.set_threads = reinterpret_cast<decltype(b.set_threads)>(dlsym(h, "openblas_set_num_threads"));
    b.config = reinterpret_cast<decltype(b.config)>(dlsym(h, "openblas_get_config"));
    b.corename = reinterpret_cast<decltype(b.corename)>(dlsym(h, "openblas_get_corename"));
    if (!b.sgemm || !b.set_threads || !b.config || !b.corename)
      throw std::runtime_error("the OpenBLAS library found lacks a function the bench calls");
    return b;
  }();
  return blas;
}

bool want(const Options& o, std::string_view mode) { return o.mode.empty() || o.mode == mode; }

int steps_or(const Options& o, int dflt) { return o.steps > 0 ? o.steps : dflt; }

// ---- sgemm alone on the shapes a training step multiplies ----

// One GEMM of a step: C[m,n] (+)= op(A)[m,k] op(B)[k,n].
struct Gemm {
  int m, n, k;
  bool ta, tb;  // A / B read transposed
  float beta;   // 1 accumulates into a gradient
};

// Workload 3's step as GEMMs alone, with buffers of their own: 3 forward products,
// then dW for every layer and dX for the two upper layers (the input batch needs
// no gradient). A call runs them all once, OpenBLAS's own threads splitting each.
class SgemmMlp {
 public:
  explicit SgemmMlp(int threads) : threads_(threads) {
    for (const Gemm& q : kGemms) {
      bufs_.push_back({std::vector<float>(std::size_t(q.m) * q.k, 0.5f),
                       std::vector<float>(std::size_t(q.k) * q.n, 0.25f),
                       std::vector<float>(std::size_t(q.m) * q.n, 0.0f)});
      flops_ += 2.0 * q.m * q.n * q.k;
    }
  }
  void operator()() {
    const OpenBlas& blas = openblas();
    blas.set_threads(threads_);
    for (std::size_t i = 0; i < kGemms.size(); ++i) {
      const Gemm& q = kGemms[i];
      blas.sgemm(CblasRowMajor, q.ta ? CblasTrans : CblasNoTrans, q.tb ? CblasTrans : CblasNoTrans, q.m, q.n,
                 q.k, 1.0f, bufs_[i].a.data(), q.ta ? q.m : q.k, bufs_[i].b.data(), q.tb ? q.k : q.n, q.beta,
                 bufs_[i].c.data(), q.n);
    }
  }
  double flops() const { return flops_; }

 private:
  static constexpr int B = 128;
  static constexpr std::array<Gemm, 8> kGemms = {{{B, 256, 784, false, false, 0},
                                                  {B, 256, 256, false, false, 0},
                                                  {B, 10, 256, false, false, 0},
                                                  {256, 10, B, true, false, 1},
                                                  {B, 256, 10, false, true, 1},
                                                  {256, 256, B, true, false, 1},
                                                  {B, 256, 256, false, true, 1},
                                                  {784, 256, B, true, false, 1}}};
  struct Bufs {
    std::vector<float> a, b, c;
  };
  int threads_;
  std::vector<Bufs> bufs_;
  double flops_ = 0;
};

// Note [The sgemm reference beside the step]
// The MLP's GEMM target is a ratio: its step against the same GEMMs alone. Timed
// in two processes, the ratio also carried the speeds of the two vCPUs they
// landed on, which on these machines differ by up to 40% from one minute to the
// next (RESULTS.md's header line). So at 1 thread the reference is one more mode
// of the MLP's recorded process, taking turns with the step run by run, as the
// gradient cost's modes do: OpenBLAS at 1 thread runs on the calling thread, and
// both share one core. At 2 threads OpenBLAS's worker spins for 2^28 cycles after
// each call (OpenBlas above), on the core hinge's second thread needs: there the
// reference keeps a process of its own (the workload sgemm_mlp).
Report sgemm_mlp(const Options& o) {
  SgemmMlp gemms(o.threads);
  Report rep;
  const int steps = steps_or(o, 20);
  rep.numbers["steps"] = steps;
  rep.modes = time_runs(o, steps, {{"sgemm", [&] { gemms(); }}});
  rep.numbers["flops"] = gemms.flops();
  return rep;
}

// ---- one model, recorded or dynamic ----

enum class OptKind { none, sgd, adam };

// A workload's model: its leaves (parameters and data), made once, and the function
// that builds one step's graph from them and returns the loss.
struct Model {
  std::vector<Tensor> params;
  std::function<Tensor()> build;
  OptKind opt = OptKind::none;
  double lr = 0;
  int default_steps = 20;
  // Work of one training step, for the roofline (README.md, "Roofline"); 0 = not
  // counted (the scalar graph: its limit is the cost per node, not the machine's).
  double flops = 0, bytes = 0;
  // The step's GEMMs alone are timed beside it (the MLP, at 1 thread): Note [The
  // sgemm reference beside the step].
  bool sgemm_beside = false;
};

std::unique_ptr<Optimizer> make_optimizer(const Model& m, std::vector<Tensor> params) {
  if (m.opt == OptKind::sgd) return std::make_unique<Sgd>(std::move(params), SgdOptions{.lr = m.lr});
  if (m.opt == OptKind::adam) return std::make_unique<Adam>(std::move(params), AdamOptions{.lr = m.lr});
  return nullptr;
}

// Times fwd (forward alone), fwdbwd (forward + backward) and step (+ the optimizer
// step), taking turns (time_runs), as forward(), backward(forward()) and that then
// update(): forward returns what backward takes (the loss). Only `step` changes
// the parameters, so loss_end is the loss after exactly max(steps, 3) + repeats *
// steps optimizer steps from the initial weights, which torch_bench.py reproduces;
// fwd and fwdbwd run at the weights the steps before them left. `modes`: more
// modes that take their turns with these (the MLP's sgemm reference).
template <class Forward, class Backward, class Update>
void time_modes(const Options& o, int steps, Report& rep, Forward forward, Backward backward, Update update,
                std::vector<Mode> modes = {}) {
  if (want(o, "fwd")) modes.emplace_back("fwd", [&] { (void)forward(); });
  if (want(o, "fwdbwd")) modes.emplace_back("fwdbwd", [&] { backward(forward()); });
  if (want(o, "step"))
    modes.emplace_back("step", [&] {
      backward(forward());
      update();
    });
  rep.modes = time_runs(o, steps, modes);
}

// A workload's model, recorded or dynamic (time_modes).
Report run_model(const Options& o, Graph& g, Model& m) {
  Report rep;
  for (const Tensor& p : m.params) g.ensure_grad(p.id);  // before the mark: rewinding keeps them
  const Graph::Mark built = g.mark();
  const int steps = steps_or(o, m.default_steps);
  rep.numbers["steps"] = steps;
  rep.numbers["flops"] = m.flops;
  rep.numbers["bytes"] = m.bytes;
  if (o.variant == "recorded") {
    Tensor loss = m.build();
    rep.numbers["loss0"] = loss.item();
    Replay r(loss, kTraining);
    rep.numbers["nodes"] = static_cast<double>(r.nodes().size());
    auto opt = make_optimizer(m, r.params());
    std::vector<Mode> beside;
    std::optional<SgemmMlp> gemms;
    if (m.sgemm_beside && o.threads == 1 && want(o, "sgemm")) {
      gemms.emplace(o.threads);
      beside.emplace_back("sgemm", [&] { (*gemms)(); });
      rep.numbers["sgemm_flops"] = gemms->flops();
    }
    time_modes(
        o, steps, rep,
        [&] {
          r.forward();
          return loss;  // the replay's, which r.backward() differentiates
        },
        [&](Tensor) { r.backward(); },
        [&] {
          if (opt) opt->step();
        },
        std::move(beside));
    if (m.opt == OptKind::none) rep.numbers["grad0"] = m.params[0].grad_at(0);
    r.forward();
    rep.numbers["loss_end"] = loss.item();
    return rep;
  }
  {
    Tensor loss = m.build();
    rep.numbers["loss0"] = loss.item();
    Replay count(loss);
    rep.numbers["nodes"] = static_cast<double>(count.nodes().size());
  }
  g.rewind(built);
  auto opt = make_optimizer(m, m.params);
  auto clear_grads = [&] {
    if (opt)
      opt->zero_grad();
    else
      zero_grad(std::span<const Tensor>(m.params));
  };
  time_modes(
      o, steps, rep,
      [&] {
        g.rewind(built);
        return m.build();
      },
      [&](Tensor l) {
        clear_grads();
        backward(l);
      },
      [&] {
        if (opt) opt->step();
      });
  if (m.opt == OptKind::none) rep.numbers["grad0"] = m.params[0].grad_at(0);
  g.rewind(built);
  rep.numbers["loss_end"] = m.build().item();
  return rep;
}

// ---- workload 1: micrograd's demo as a graph of rank-0 values ----

// The model and its loss are written once, for a one-number value type V with +,
// * and relu: hinge's Tensor, and the hand-written tape's bench::TapeValue (the
// row's reference, README.md), so that both build the same graph, op for op.

// The parameters of a 2->16->16->1 MLP, one rank-0 leaf per weight: w[l][i*out+j],
// b[l][j], each made by param(initial value).
template <class V>
struct ScalarMlp {
  std::vector<std::vector<V>> w, b;
  std::vector<int> sizes{2, 16, 16, 1};

  template <class Param>
  explicit ScalarMlp(Param param) {
    for (int l = 0; l < 3; ++l) {
      const int in = sizes[l], out = sizes[l + 1];
      const auto init = bench::uniform(bench::kScalarW + l, int64_t{in} * out, -1.0, 1.0);
      w.emplace_back();
      b.emplace_back();
      for (double v : init) w[l].push_back(param(v));
      for (int j = 0; j < out; ++j) b[l].push_back(param(0.0));
    }
  }
  std::vector<V> params() const {
    std::vector<V> p;
    for (int l = 0; l < 3; ++l) {
      p.insert(p.end(), w[l].begin(), w[l].end());
      p.insert(p.end(), b[l].begin(), b[l].end());
    }
    return p;
  }
  // micrograd's Neuron: b + w0 x0 + w1 x1 + ..., relu on the hidden layers. A
  // layer's values are a fixed array (no layer is wider than 16), so that the
  // step allocates nothing of its own: std::vectors here were 12 allocations per
  // sample, 1200 per step, beside an engine that makes none.
  V operator()(V x0, V x1) const {
    std::array<V, 16> x{x0, x1}, y;
    for (int l = 0; l < 3; ++l) {
      const int in = sizes[l], out = sizes[l + 1];
      for (int j = 0; j < out; ++j) {
        V act = b[l][j];
        for (int i = 0; i < in; ++i) act = act + w[l][i * out + j] * x[i];
        y[j] = l < 2 ? relu(act) : act;
      }
      x = y;
    }
    return x[0];
  }
};

// The demo's loss: mean(relu(1 - y score)) + 1e-4 * sum(p^2), as one-number
// values; scalar(v) makes a constant.
template <class V, class Scalar>
V scalar_loss(Scalar scalar, const ScalarMlp<V>& model, const std::vector<V>& params, const bench::Moons& m) {
  const int n = static_cast<int>(m.y.size());
  V data;
  for (int k = 0; k < n; ++k) {
    V x0 = scalar(m.x[2 * k]), x1 = scalar(m.x[2 * k + 1]), y = scalar(m.y[k]);
    V l = relu(1.0 - y * model(x0, x1));
    data = k == 0 ? l : data + l;
  }
  V reg;
  bool first = true;
  for (const V& p : params) {
    reg = first ? p * p : reg + p * p;
    first = false;
  }
  return data * (1.0 / n) + 1e-4 * reg;
}

// The demo's SGD learning rate, on hinge and on the hand-written tape.
constexpr double kScalarMlpLr = 0.05;

Model scalar_mlp(Graph& g) {
  auto model = std::make_shared<ScalarMlp<Tensor>>([&g](double v) { return g.param(v); });
  auto moons = std::make_shared<bench::Moons>(bench::two_moons());
  Model m{.params = model->params(), .opt = OptKind::sgd, .lr = kScalarMlpLr, .default_steps = 2};
  m.build = [&g, model, moons, params = m.params] {
    return scalar_loss([&g](double v) { return g.scalar(v); }, *model, params, *moons);
  };
  return m;
}

// The scalar MLP on the hand-written tape (--variant tape): the same model, loss,
// steps and SGD as the dynamic variant, timed alike, with every entry's value and
// gradient in float32. Its node count is that of hinge's graph: the tape's ops,
// without its leaves (hinge's Replay counts no leaf).
Report run_tape(const Options& o) {
  if (o.workload != "scalar_mlp" || o.dtype != DType::f32)
    throw std::runtime_error("--variant tape runs the scalar_mlp workload in f32 only");
  bench::HandTape tape;
  auto leaf = [&tape](double v) { return bench::TapeValue{&tape, tape.leaf(static_cast<float>(v))}; };
  const ScalarMlp<bench::TapeValue> model(leaf);
  const std::vector<bench::TapeValue> params = model.params();
  const std::size_t built = tape.size();  // the parameters: each step rewinds to them
  const bench::Moons moons = bench::two_moons();
  auto build = [&] {
    tape.rewind(built);
    return scalar_loss(leaf, model, params, moons).id;
  };
  const float lr = static_cast<float>(kScalarMlpLr);  // as hinge's Sgd rounds it
  Report rep;
  const int steps = steps_or(o, 2);
  rep.numbers["steps"] = steps;
  rep.numbers["flops"] = 0;
  rep.numbers["bytes"] = 0;
  rep.numbers["loss0"] = tape.val(build());
  double ops = 0;
  for (std::size_t i = built; i < tape.size(); ++i) ops += tape.is_leaf(static_cast<uint32_t>(i)) ? 0 : 1;
  rep.numbers["nodes"] = ops;
  time_modes(
      o, steps, rep, build,
      [&](bench::HandTape::Id loss) {
        for (const bench::TapeValue& p : params) tape.grad(p.id) = 0.0f;
        tape.backward(loss);
      },
      [&] {
        for (const bench::TapeValue& p : params) tape.val(p.id) -= lr * tape.grad(p.id);
      });
  rep.numbers["loss_end"] = tape.val(build());
  return rep;
}

// The same model and loss as tensors (matmul on the [100, 2] batch).
Model scalar_mlp_tensors(Graph& g) {
  const auto moons = bench::two_moons();
  Tensor X = g.constant({100, 2}, moons.x), Y = g.constant({100, 1}, moons.y);
  const int sizes[4] = {2, 16, 16, 1};
  std::vector<Tensor> W, b;
  for (int l = 0; l < 3; ++l) {
    const int in = sizes[l], out = sizes[l + 1];
    W.push_back(g.param({in, out}, bench::uniform(bench::kScalarW + l, int64_t{in} * out, -1.0, 1.0)));
    b.push_back(g.param({out}, std::vector<double>(static_cast<std::size_t>(out), 0.0)));
  }
  Model m{.params = {W[0], b[0], W[1], b[1], W[2], b[2]}, .opt = OptKind::sgd, .lr = kScalarMlpLr};
  m.build = [X, Y, W, b] {
    Tensor h = X, reg;
    for (int l = 0; l < 3; ++l) {
      h = matmul(h, W[l]) + b[l];
      if (l < 2) h = relu(h);
      Tensor sq = sum(W[l] * W[l]) + sum(b[l] * b[l]);
      reg = l == 0 ? sq : reg + sq;
    }
    return mean(relu(1.0 - Y * h)) + 1e-4 * reg;
  };
  // Forward 2*100*(2*16 + 16*16 + 16) multiply-adds and about as many elementwise
  // ops, backward twice that; the arrays are a few KB, read and written once each way.
  const double mac = 100.0 * (2 * 16 + 16 * 16 + 16);
  m.flops = 3 * 2 * mac + 3 * 100.0 * 40;
  m.bytes = 4.0 * 3 * 100 * (2 + 16 + 16 + 1) * 2;
  return m;
}

// ---- workload 2: fit_curve, 1 -> N -> 1 ReLU network on sin, full-batch Adam ----

Model fit_curve(Graph& g, int n) {
  const auto xs = bench::fit_xs();
  std::vector<double> ys;
  for (double x : xs) ys.push_back(std::sin(x));
  const double bound2 = 1.0 / std::sqrt(static_cast<double>(n));
  Tensor X = g.constant({200, 1}, xs), Y = g.constant({200, 1}, ys);
  Tensor W1 = g.param({1, n}, bench::uniform(bench::kFitW1, n, -1.0, 1.0));
  Tensor b1 = g.param({n}, bench::uniform(bench::kFitB1, n, -1.0, 1.0));
  Tensor W2 = g.param({n, 1}, bench::uniform(bench::kFitW2, n, -bound2, bound2));
  Tensor b2 = g.param({1}, bench::uniform(bench::kFitB2, 1, -bound2, bound2));
  Model m{
      .params = {W1, b1, W2, b2}, .opt = OptKind::adam, .lr = 0.01, .default_steps = n >= 1000 ? 20 : 100};
  m.build = [=] { return mse(matmul(relu(matmul(X, W1) + b1), W2) + b2, Y); };
  // Per point and unit: forward X W1, + b1, relu, the output's multiply-add (5);
  // backward dW2 (2), dH, the relu mask, db1 and dW1 (2) (6); Adam about 12 per
  // parameter. The least traffic: the hidden layer H written once and read once,
  // and each parameter's value, gradient and two moments read and written.
  const double pn = 200.0 * n;
  m.flops = 11 * pn + 12 * (3.0 * n + 1);
  m.bytes = 4.0 * (2 * pn + 7 * (3.0 * n + 1));
  return m;
}

// The whole program a fit_curve script runs (workload 5's C++ side): build the
// model, train it for `steps` Adam steps, print the final loss. Timed from outside.
Report fit_curve_program(const Options& o) {
  Report rep;
  Graph g(o.dtype);
  Model m = fit_curve(g, o.n);
  Tensor loss = m.build();
  Replay r(loss, kTraining);
  Adam opt(r.params(), {.lr = 0.01});
  const int steps = steps_or(o, 2000);
  for (int s = 0; s < steps; ++s) {
    r.forward();
    r.backward();
    opt.step();
  }
  r.forward();
  rep.numbers["loss_end"] = loss.item();
  return rep;
}

// ---- workload 3: MLP 784 -> 256 -> 256 -> 10, batch 128, cross-entropy, SGD ----

Model mlp(Graph& g) {
  const int B = 128, sizes[4] = {784, 256, 256, 10};
  Tensor X = g.constant({B, 784}, bench::uniform(bench::kMlpX, int64_t{B} * 784));
  std::vector<double> labels = bench::uniform(bench::kMlpLabels, B);
  for (double& l : labels) l = std::floor(l * 10);
  Tensor labels_t = g.constant({B}, labels);
  std::vector<Tensor> W, b, params;
  double weights = 0, acts = 0;
  for (int l = 0; l < 3; ++l) {
    const int in = sizes[l], out = sizes[l + 1];
    const double bound = 1.0 / std::sqrt(static_cast<double>(in));
    W.push_back(g.param({in, out}, bench::uniform(bench::kMlpW + 2 * l, int64_t{in} * out, -bound, bound)));
    b.push_back(g.param({out}, bench::uniform(bench::kMlpW + 2 * l + 1, out, -bound, bound)));
    params.push_back(W.back());
    params.push_back(b.back());
    weights += static_cast<double>(in) * out + out;
    acts += static_cast<double>(B) * out;
  }
  Model m{.params = params, .opt = OptKind::sgd, .lr = 0.01, .sgemm_beside = true};
  m.build = [=] {
    Tensor h = X;
    for (int l = 0; l < 3; ++l) {
      h = matmul(h, W[l]) + b[l];
      if (l < 2) h = relu(h);
    }
    return cross_entropy(h, labels_t);
  };
  // The GEMMs: 3 forward, 3 for the weights' gradients, 2 for the activations'
  // (the input batch needs none); the traffic: weights read 3 times and written
  // once with their gradients, the batch and each activation written and read.
  const double mac1 = 128.0 * 784 * 256, mac2 = 128.0 * 256 * 256, mac3 = 128.0 * 256 * 10;
  m.flops = 2 * (3 * (mac1 + mac2 + mac3) - mac1);
  m.bytes = 4.0 * (5 * weights + 128.0 * 784 + 4 * acts);
  return m;
}

// ---- workload 4: per-op overhead, 1,000 small elementwise ops on a [16] tensor ----

Model op_chain(Graph& g) {
  Tensor x = g.param({16}, bench::uniform(bench::kChainX, 16, -1.0, 1.0));
  // y = x; 500 times { y = y * 1.0001; y = y + 0.001 }; loss = sum(y). No optimizer:
  // a step is forward + backward.
  Model m{.params = {x}, .default_steps = 20};
  m.build = [x] {
    Tensor y = x;
    for (int k = 0; k < 500; ++k) {
      y = y * 1.0001;
      y = y + 0.001;
    }
    return sum(y);
  };
  m.flops = 1000.0 * 16 * 2;
  m.bytes = 4.0 * 1000 * 16 * 4;
  return m;
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
  const char* cfg = openblas().config();  // after the timed runs
  const char* core = openblas().corename();
  return fmt::format("{} (core {})", cfg ? cfg : "?", core ? core : "?");
}

std::string to_json(const Options& o, const Report& rep) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::string s = fmt::format(
      R"({{"side": "hinge", "workload": "{}", "variant": "{}", "threads": {}, "repeats": {}, "dtype": "{}")",
      json_escape(o.workload), o.variant, o.threads, o.repeats, dtype_name(o.dtype));
  s += ", \"modes\": {";
  bool first = true;
  for (const auto& [name, t] : rep.modes) {
    s += fmt::format(
        R"({}"{}": {{"median_us": {:.4f}, "min_us": {:.4f}, "max_us": {:.4f}, "cpu_median_us": {:.4f}, )"
        R"("allocs_per_step": {:.2f}, "runs_us": [{:.4f}]}})",
        first ? "" : ", ", name, median_of(t.wall_us), *std::min_element(t.wall_us.begin(), t.wall_us.end()),
        *std::max_element(t.wall_us.begin(), t.wall_us.end()), median_of(t.cpu_us), t.allocs_per_step,
        fmt::join(t.wall_us, ", "));
    first = false;
  }
  s += "}";
  for (const auto& [name, v] : rep.numbers)
    s += std::isfinite(v) ? fmt::format(R"(, "{}": {:.9g})", name, v) : fmt::format(R"(, "{}": null)", name);
  s += fmt::format(R"(, "peak_rss_kb": {}, "blas": "{}"}})", ru.ru_maxrss, json_escape(blas_config()));
  return s;
}

constexpr const char* kUsage =
    "usage: hinge_bench <workload> <threads> <repeats> [--steps K] [--variant recorded|dynamic|tape]\n"
    "                   [--n N] [--dtype f32|f64] [--mode fwd|fwdbwd|step]\n"
    "workloads: scalar_mlp scalar_mlp_tensors fit_curve_10 fit_curve_100 fit_curve_1000 mlp op_chain\n"
    "           sgemm_mlp fit_curve_program info";

Options parse(int argc, char** argv) {
  if (argc < 4) throw std::runtime_error(kUsage);
  Options o;
  o.workload = argv[1];
  o.threads = std::atoi(argv[2]);
  o.repeats = std::atoi(argv[3]);
  for (int i = 4; i < argc; i += 2) {
    const std::string_view k = argv[i];
    if (i + 1 >= argc) throw std::runtime_error(fmt::format("option {} needs a value", k));
    const std::string_view v = argv[i + 1];
    if (k == "--steps")
      o.steps = std::atoi(argv[i + 1]);
    else if (k == "--n")
      o.n = std::atoi(argv[i + 1]);
    else if (k == "--mode")
      o.mode = v;
    else if (k == "--variant" && (v == "recorded" || v == "dynamic" || v == "tape"))
      o.variant = v;
    else if (k == "--dtype" && (v == "f32" || v == "f64"))
      o.dtype = v == "f64" ? DType::f64 : DType::f32;
    else
      throw std::runtime_error(fmt::format("bad option {} {}\n{}", k, v.substr(0, 40), kUsage));
  }
  if (o.threads < 1 || o.repeats < 1) throw std::runtime_error("threads and repeats must be at least 1");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    set_threads(o.threads);  // the engine applies it at its next product
    const std::map<std::string, std::function<Model(Graph&)>> models = {
        {"scalar_mlp", scalar_mlp},
        {"scalar_mlp_tensors", scalar_mlp_tensors},
        {"fit_curve_10", [](Graph& g) { return fit_curve(g, 10); }},
        {"fit_curve_100", [](Graph& g) { return fit_curve(g, 100); }},
        {"fit_curve_1000", [](Graph& g) { return fit_curve(g, 1000); }},
        {"mlp", mlp},
        {"op_chain", op_chain},
    };
    Report rep;
    if (o.variant == "tape") {
      rep = run_tape(o);
    } else if (const auto it = models.find(o.workload); it != models.end()) {
      Graph g(o.dtype);
      Model m = it->second(g);
      rep = run_model(o, g, m);
    } else if (o.workload == "sgemm_mlp") {
      rep = sgemm_mlp(o);
    } else if (o.workload == "fit_curve_program") {
      rep = fit_curve_program(o);
    } else if (o.workload != "info") {
      throw std::runtime_error(
          fmt::format("unknown workload '{}'\n{}", json_escape(o.workload.substr(0, 40)), kUsage));
    }
    std::puts(to_json(o, rep).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hinge_bench: %s\n", e.what());
    return 1;
  }
}
