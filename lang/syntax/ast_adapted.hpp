// Fusion adaptation of the X3 syntax tree (ast.hpp), so X3 can fill the structs.
// Located::begin/end are left out on purpose: the annotation handler sets them.
#pragma once

#include <boost/fusion/include/adapt_struct.hpp>

#include "syntax/ast.hpp"

BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Number, text)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::String, text)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Bool, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Name, text)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Operation, op, operand)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Expression, first, rest)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Unary, op, operand)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::List, items)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Arg, keyword, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::CallArgs, args)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::StepPart, present, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::SliceTail, stop, step)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Subscript, start, tail)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Subscripts, items)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Postfix, primary, suffixes)

BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::LetStmt, name, more, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::ParamStmt, name, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::AssignStmt, name, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::PrintStmt, values)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::LogEvery, every)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::BatchOption, size, from)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::RecordGrads, path)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Quiet, quiet)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::TrainStmt, loss, optimizer, steps, options)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::GradStmt, target, wrt)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::TraceStmt, target, flags, to)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::GradCheckStmt, target, wrt)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Series, value, label)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::KeywordArg, name, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::PlotStmt, kind, subject, series, to, options)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::PatternStmt, model, point)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::SaveStmt, values, path)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::KeywordStmt, keyword, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::ExprStmt, value)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::Block, stmts)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::DefStmt, name, params, body)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::IfStmt, condition, then_block, else_part)
BOOST_FUSION_ADAPT_STRUCT(hinge::lang::ast::ForStmt, var, iterable, body)
