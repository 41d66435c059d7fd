// Explanatory gradient traces: the rows of the graph behind a value with source
// positions, values, local partial derivatives, adjoints, per-consumer contributions,
// notes on blocked or unusual gradients, a per-layer summary and an optional
// finite-difference check; rendered as text, Graphviz DOT or JSON.
//   ExplainOptions opt;  opt.source = ...;  // where each node came from
//   Explanation ex = explain(y, opt);
//   fmt::print("{}", render_text(ex, {}));
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "hinge/gradcheck.hpp"
#include "hinge/tensor.hpp"

namespace hinge::lang {

// Note [Explained traces]
// A trace must never change the session it explains: every number comes from
// hinge::adjoints() and hinge::local_vjp() (hinge/inspect.hpp), which run the
// engine's own backward kernels and put every .grad back, and the optional check
// replays the forward pass with perturbed parameters and restores them. So the
// gradients printed are hinge's gradients digit for digit (tests compare them
// with hinge::grad), and printing a trace twice prints the same thing.
//
// Rows are numbered %0, %1, ... over the subgraph in tape order (Note [Tape
// order]), the same ids the engine exporter uses, so a text trace, its DOT and
// its JSON agree, and traces of two runs diff cleanly.

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Where a node came from, as the language knows it (Note [Origin tags]).
struct SourceInfo {
  std::string where;  // "4:9", or "lib.hinge:4:9" outside the traced statement's file; "" unknown
  std::string text;   // the source text that built it, whitespace collapsed (not abbreviated)
  std::string name;   // the binding name when a let/param bound exactly this node
};

enum class Role { param, data, op, root };  // data: constants and variables

// ORDER NOTEKIND: rendering colours and JSON names follow this order.
enum class NoteKind {
  blocked,     // the gradient stops here (relu closed, step, comparison, dead units)
  convention,  // a kink evaluated by convention (relu'(0) = 0)
  saturated,   // sigmoid/tanh slope below the threshold
  closed,      // some (not all) relu units closed: informational
  vanishing,   // adjoint much smaller than its consumer's
  exploding,   // adjoint much larger than its consumer's
  nonfinite,   // NaN/Inf first produced here (value or gradient)
  no_grad,     // a parameter no gradient reaches
  cancelled,   // the parts its uses send back are large and sum to (nearly) 0
};
const char* to_string(NoteKind k);

struct Note {
  NoteKind kind;
  std::string text;
};

// Summary numbers of a tensor (value or gradient).
struct Stats {
  int64_t count = 0;
  double min = kNaN, max = kNaN, mean = kNaN;  // over the finite elements
  double norm = 0;                             // L2 over the finite elements
  int64_t zeros = 0, nans = 0, infs = 0;
};
Stats stats_of(const std::vector<double>& v);

// What one consumer adds to a node's adjoint.
struct Contribution {
  int consumer = -1;            // row index of the consumer
  bool scalar_edge = false;     // consumer and node have one element each: local * consumer_grad
  double local = kNaN;          // d consumer / d node when both have one element
  double consumer_grad = kNaN;  // the consumer's adjoint, when it has one element
  std::vector<double> value;    // the contribution itself, in the node's shape
};

struct Row {
  NodeId id = kNoNode;  // in the session's graph
  Role role = Role::op;
  std::string op;              // op name, or "param" / "var" / "const" for leaves
  std::vector<int> inputs;     // row indices
  std::vector<int> consumers;  // row indices, distinct, in tape order
  SourceInfo source;
  Shape shape;
  DType dtype = DType::f64;
  std::vector<double> value;
  std::vector<double> grad;  // dY/dnode; empty: no gradient reaches this node
  // Local partials d node / d input (one per input slot) when the node and that
  // input have one element each; NaN otherwise.
  std::vector<double> partials;
  // Elementwise local slope d out_k / d in_k of an elementwise activation (relu,
  // sigmoid, ...): what the per-layer summary averages. Empty for other ops.
  std::vector<double> slope;
  std::vector<Contribution> contributions;  // one per consumer (only when grad is set)
  std::vector<Note> notes;
  int layer = -1;  // index into Explanation::layers, -1 none
  int depth = 0;   // fewest edges from this node to the root
  // `check`: central differences for parameters (float64 replay).
  std::vector<double> fd;
  double fd_error = kNaN;     // worst relative error over the elements resolved (gradcheck's)
  int64_t fd_unresolved = 0;  // elements too flat for the differences to resolve
};

// A "layer": a matmul and the elementwise ops that follow it (bias, activation).
struct Layer {
  std::vector<int> rows;          // its op rows, tape order
  std::vector<int> params;        // parameter rows feeding those ops
  std::string signature;          // ops and shapes: equal signatures fold together
  std::string activation;         // the activation op, "" for a linear layer
  double param_grad_norm = kNaN;  // L2 norm of dY/d(its parameters)
  double out_grad_norm = kNaN;    // L2 norm of dY/d(its output)
  double mean_slope = kNaN;       // mean local slope of the activation
  double closed = kNaN;           // relu: fraction of closed units
  double saturated = kNaN;        // sigmoid/tanh: fraction of units below the saturation slope
};

struct ExplainOptions {
  std::function<SourceInfo(NodeId)> source;  // unset: no source column
  bool check = false;                        // finite-difference column for parameters
  // Parameters of the session by name, to report the ones Y does not depend on.
  std::vector<std::pair<std::string, Tensor>> session_params;
  double saturation = 0.01;  // sigmoid/tanh slope below this is "saturated"
  double vanishing = 1e-3;   // adjoint ratio to the consumer's below this ...
  double exploding = 1e3;    // ... or above this gets a note
};

struct Explanation {
  Tensor root;
  std::vector<Row> rows;
  std::vector<Layer> layers;
  std::vector<std::string> unused_params;  // session params Y does not depend on
  bool checked = false;
  std::string check_error;  // why the check could not run, if it could not
  // Every param's elements compared as gradcheck compares them; `input` is a row.
  GradcheckResult check;
};

// ---- building (collect.cpp, notes.cpp, layers.cpp, zero_reason.cpp) ----
// Collects the rows, adjoints, partials, contributions, notes and layers.
// Throws hinge::Error (DomainError) when Y has more than one element and a
// gradient is asked for; a tensor root is traced without gradients.
Explanation explain(Tensor y, const ExplainOptions& opt);
void add_notes(Explanation& ex, const ExplainOptions& opt);
void add_layers(Explanation& ex, double saturation, double vanishing);  // vanishing: opt.vanishing
void add_check(Explanation& ex);                                        // check.cpp

// Why the gradient of the root with respect to node x is 0 everywhere
// (zero_reason.cpp, Note [Why a gradient is zero]): x is not in the trace; or
// `text` names the steps that stop it ("relu closed at 6:9: input -3 < 0,
// gradient 0"); or the paths from x carry gradient and cancel.
struct ZeroReason {
  enum Kind { unrelated, stopped, cancelled } kind;
  std::string text;  // for `stopped`
};
ZeroReason why_gradient_is_zero(const Explanation& ex, NodeId x);

// "[17]" or "[3, 1]": where the row-major element k of a tensor of shape s is.
std::string index_text(const Shape& s, int64_t k);
// "w[3]" or "w[1, 2]" for that element of tensor `name` ("w" alone for rank 0).
std::string element_name(const std::string& name, const Shape& s, int64_t k);

// ---- rendering ----
struct TextOptions {
  bool full = false;            // tensors whole, no folding, no depth limit
  int max_depth = 60;           // rows further than this from the root are omitted
  int fold_min = 3;             // runs of at least this many equal layers fold
  std::size_t text_width = 24;  // source text longer than this is abbreviated
  std::size_t width = 0;        // lines fit this many columns (0: no limit; `full` ignores it)
  std::string title;            // what was traced, as written ("loss")
};
std::string render_text(const Explanation& ex, const TextOptions& opt);  // text.cpp
std::string render_layers(const Explanation& ex);                        // layers.cpp
std::string render_dot(const Explanation& ex);                           // export.cpp
std::string render_json(const Explanation& ex, bool full);               // export.cpp; full: every element
// A table for hosts that show HTML (the Jupyter kernel), notes highlighted by kind.
std::string render_html(const Explanation& ex, const TextOptions& opt);  // html.cpp

// Shared formatting helpers (text.cpp).
std::string short_number(double x);  // shortest round-trip text: "0.5", "nan"
// The op as the user wrote it: "^" rather than the engine's "powc".
std::string user_op_name(OpKind op);
// Source text on one line, made safe for a terminal (terminal_line in
// hinge/escape.hpp) and cut to `width` bytes with "...".
std::string abbreviate(const std::string& text, std::size_t width);
std::string stats_text(const Stats& s, bool with_norm);
// "dw" for an input bound to w, else "d%3".
std::string partial_name(const Explanation& ex, int input_row);

}  // namespace hinge::lang
