#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace bench {

// Four numbers that describe a set of latencies, in microseconds.
struct LatencySummary {
  double min = 0;
  double median = 0;
  double p99 = 0;
  double max = 0;
};

// The nearest-rank percentile of sorted samples: the smallest sample that at least
// `fraction` of all samples are at or below. `sorted` must not be empty.
inline double Percentile(const std::vector<double>& sorted, double fraction) {
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

// `samples` must not be empty.
inline LatencySummary Summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {samples.front(), Percentile(samples, 0.5), Percentile(samples, 0.99), samples.back()};
}

}  // namespace bench
