// base/status_macros.h — propagate absl::Status through rwkvkit code.
//
// The pinned Abseil (Debian bookworm, 20220623) predates absl/status/status_macros.h
// (LTS 20260526), so we define the two macros once here; they can be swapped for
// ABSL_RETURN_IF_ERROR / ABSL_ASSIGN_OR_RETURN when the distribution ships them.
// Depends on Abseil only. Thread-safe: the macros hold no state.
#ifndef RWKVKIT_BASE_STATUS_MACROS_H_
#define RWKVKIT_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// RWKVKIT_RETURN_IF_ERROR(expr): returns the status of `expr` from the enclosing function
// when it is not OK.
#define RWKVKIT_RETURN_IF_ERROR(expr)                 \
  do {                                                \
    ::absl::Status rwkvkit_status_ = (expr);          \
    if (!rwkvkit_status_.ok()) return rwkvkit_status_; \
  } while (false)

#define RWKVKIT_STATUS_CONCAT_INNER_(a, b) a##b
#define RWKVKIT_STATUS_CONCAT_(a, b) RWKVKIT_STATUS_CONCAT_INNER_(a, b)

// RWKVKIT_ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (an absl::StatusOr<T>); on error
// returns its status, otherwise moves the value into `lhs` (which may be a declaration).
#define RWKVKIT_ASSIGN_OR_RETURN(lhs, expr)                                            \
  RWKVKIT_ASSIGN_OR_RETURN_IMPL_(RWKVKIT_STATUS_CONCAT_(rwkvkit_statusor_, __LINE__), \
                                 lhs, expr)
#define RWKVKIT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()

#endif  // RWKVKIT_BASE_STATUS_MACROS_H_
