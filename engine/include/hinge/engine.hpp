// hinge's engine: include this one header to use it from C++.
#pragma once
#include "hinge/atomic_file.hpp"
#include "hinge/backward.hpp"
#include "hinge/checkpoint.hpp"
#include "hinge/errors.hpp"
#include "hinge/gradcheck.hpp"
#include "hinge/graph.hpp"
#include "hinge/init.hpp"
#include "hinge/optim.hpp"
#include "hinge/rng.hpp"
#include "hinge/tensor.hpp"
#include "hinge/threads.hpp"
#include "hinge/trace_export.hpp"
