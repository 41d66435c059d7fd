// The plot and pattern statements (interim: being written).
#include "interpreter.hpp"

namespace hinge::lang {

void Interpreter::exec_plot(const syntax::Plot& p, Ctx& ctx) { throw Error(p.subject.span, "plot: not yet"); }
void Interpreter::exec_pattern(const syntax::Pattern& p, const syntax::Stmt& s, Ctx& ctx) {
  throw Error(s.span, "pattern: not yet");
}

}  // namespace hinge::lang
