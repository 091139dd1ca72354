#pragma once

#include <pthread.h>

#include <cstddef>

namespace http_cancel::test {

// The stack of the thread that calls it, in bytes; 0 if it cannot be read.
inline std::size_t ThisThreadsStackSize() {
  pthread_attr_t attributes;
  std::size_t size = 0;
  if (::pthread_getattr_np(::pthread_self(), &attributes) != 0) return 0;
  ::pthread_attr_getstacksize(&attributes, &size);
  ::pthread_attr_destroy(&attributes);
  return size;
}

// The stack a thread gets when nobody chooses one (glibc takes it from ulimit -s).
inline std::size_t DefaultStackSize() {
  pthread_attr_t attributes;
  std::size_t size = 0;
  if (::pthread_getattr_default_np(&attributes) != 0) return 0;
  ::pthread_attr_getstacksize(&attributes, &size);
  ::pthread_attr_destroy(&attributes);
  return size;
}

}  // namespace http_cancel::test
