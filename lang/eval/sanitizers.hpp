// Whether this build runs under AddressSanitizer or ThreadSanitizer. GCC says so
// with __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__, clang (the fuzz build) only
// through __has_feature.
#pragma once

namespace hinge::lang {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kUnderSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif
#else
inline constexpr bool kUnderSanitizer = false;
#endif

}  // namespace hinge::lang
