// THE list of ops (ORDER OPKIND): every table indexed by OpKind follows this order.
// Grep "ORDER OPKIND" when you add a row.
#pragma once
#include <cstdint>
#include <string_view>

namespace hinge {

#define HINGE_OPS(X)                                                            \
  /* name        arity  family        what it computes */                       \
  X(leaf, 0)        /* data     a constant, an input or a parameter */          \
  X(add, 2)         /* binary   a + b, broadcasting */                          \
  X(sub, 2)         /* binary   a - b */                                        \
  X(mul, 2)         /* binary   a * b */                                        \
  X(div, 2)         /* binary   a / b */                                        \
  X(pow, 2)         /* binary   a ^ b (a > 0 where b is not an integer) */      \
  X(minimum, 2)     /* binary   elementwise min; a tie splits the gradient */   \
  X(maximum, 2)     /* binary   elementwise max; a tie splits the gradient */   \
  X(eq, 2)          /* compare  1 where a == b else 0; no gradient */           \
  X(ne, 2)          /* compare  */                                              \
  X(lt, 2)          /* compare  */                                              \
  X(le, 2)          /* compare  */                                              \
  X(gt, 2)          /* compare  */                                              \
  X(ge, 2)          /* compare  */                                              \
  X(neg, 1)         /* unary    -a */                                           \
  X(abs, 1)         /* unary    |a|, abs'(0) = 0 */                             \
  X(sign, 1)        /* unary    -1, 0 or 1; no gradient */                      \
  X(exp, 1)         /* unary    */                                              \
  X(log, 1)         /* unary    natural log */                                  \
  X(sqrt, 1)        /* unary    */                                              \
  X(sin, 1)         /* unary    */                                              \
  X(cos, 1)         /* unary    */                                              \
  X(erf, 1)         /* unary    the error function (gelu is built on it) */     \
  X(powc, 1)        /* unary    a ^ c for a constant c (attr.f[0]) */           \
  X(clamp, 1)       /* unary    clamp to [attr.f[0], attr.f[1]] */              \
  X(relu, 1)        /* act      max(a, 0); relu'(0) = 0 */                      \
  X(leaky_relu, 1)  /* act      a > 0 ? a : alpha a (alpha = attr.f[0]) */      \
  X(elu, 1)         /* act      a > 0 ? a : alpha (e^a - 1) */                  \
  X(gelu, 1)        /* act      a * Phi(a), exact (erf) form */                 \
  X(softplus, 1)    /* act      log(1 + e^a), computed stably */                \
  X(sigmoid, 1)     /* act      1 / (1 + e^-a) */                               \
  X(tanh, 1)        /* act      */                                              \
  X(step, 1)        /* act      a > 0 ? 1 : 0; zero gradient on purpose */      \
  X(where, 3)       /* select   c != 0 ? a : b, broadcasting all three */       \
  X(sum, 1)         /* reduce   over attr axes (bit mask), keepdims */          \
  X(mean, 1)        /* reduce   */                                              \
  X(max, 1)         /* reduce   ties share the gradient equally */              \
  X(sum_to, 1)      /* reduce   sum down to the node's (broadcastable) shape */ \
  X(expand, 1)      /* shape    broadcast up to the node's shape */             \
  X(reshape, 1)     /* shape    same elements, new shape */                     \
  X(transpose, 1)   /* shape    permute axes (attr.i) */                        \
  X(slice, 1)       /* shape    start/stop/step per axis (attr.aux) */          \
  X(unslice, 1)     /* shape    place a slice into zeros (slice's adjoint) */   \
  X(concat, -1)     /* shape    join along attr.i[0] */                         \
  X(matmul, 2)      /* linalg   a @ b through BLAS; batched for rank 3 */       \
  X(softmax, 1)     /* softmax  along attr.i[0] */                              \
  X(log_softmax, 1) /* softmax  along attr.i[0] */                              \
  X(cast, 1)        /* dtype    convert to the node's dtype */                  \
  X(detach, 1)      /* identity value passes, gradient stops */

enum class OpKind : uint8_t {
#define HINGE_OP_ENUM(name, arity) name,
  HINGE_OPS(HINGE_OP_ENUM)
#undef HINGE_OP_ENUM
};

inline constexpr int kOpCount = 0
#define HINGE_OP_COUNT(name, arity) +1  // NOLINT(bugprone-macro-parentheses): a term of the sum
    HINGE_OPS(HINGE_OP_COUNT)
#undef HINGE_OP_COUNT
    ;

// The printable name of an op ("add", "relu", ...).
std::string_view op_name(OpKind op);

// Number of inputs, or -1 for variadic ops (concat).
int op_arity(OpKind op);

}  // namespace hinge
