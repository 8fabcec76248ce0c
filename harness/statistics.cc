// Timing summaries and distribution-free comparisons (statistics.h).
#include "harness/statistics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace deferlab::stats {
namespace {

std::vector<double> sorted(std::span<const double> samples) {
  std::vector<double> v(samples.begin(), samples.end());
  std::sort(v.begin(), v.end());
  return v;
}

double quantile_of_sorted(const std::vector<double>& v, double q) {
  const double position = q * static_cast<double>(v.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, v.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return v[below] + (v[above] - v[below]) * fraction;
}

// Average ranks (1-based) of the pooled samples, ties sharing the mean of their ranks.
std::vector<double> average_ranks(const std::vector<double>& pooled) {
  std::vector<std::size_t> order(pooled.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return pooled[a] < pooled[b]; });
  std::vector<double> ranks(pooled.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && pooled[order[j + 1]] == pooled[order[i]]) ++j;
    const double rank = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2.0;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

// Null distribution of U for sizes m, n as probabilities P(U = u), u = 0..m*n, by the
// recurrence on the last observation: f(i, j) = i/(i+j) f(i-1, j) shifted by j
// + j/(i+j) f(i, j-1). Probabilities, not counts, so nothing overflows.
std::vector<double> u_distribution(std::size_t m, std::size_t n) {
  // row[j] holds f(i, j) for the current i.
  std::vector<std::vector<double>> row(n + 1);
  for (std::size_t j = 0; j <= n; ++j) row[j] = {1.0};  // f(0, j): U = 0 surely
  for (std::size_t i = 1; i <= m; ++i) {
    std::vector<std::vector<double>> next(n + 1);
    next[0] = {1.0};  // f(i, 0)
    for (std::size_t j = 1; j <= n; ++j) {
      std::vector<double> f(i * j + 1, 0.0);
      const double wi = static_cast<double>(i) / static_cast<double>(i + j);
      const double wj = static_cast<double>(j) / static_cast<double>(i + j);
      const std::vector<double>& from_i = row[j];       // f(i-1, j)
      const std::vector<double>& from_j = next[j - 1];  // f(i, j-1)
      for (std::size_t u = 0; u < from_i.size(); ++u) f[u + j] += wi * from_i[u];
      for (std::size_t u = 0; u < from_j.size(); ++u) f[u] += wj * from_j[u];
      next[j] = std::move(f);
    }
    row = std::move(next);
  }
  return row[n];
}

double normal_sf(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// The z with normal_sf(z) == p, by bisection (p in (0, 0.5]).
double normal_isf(double p) {
  double lo = 0;
  double hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    (normal_sf(mid) > p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

bool has_ties(std::vector<double> pooled) {
  std::sort(pooled.begin(), pooled.end());
  return std::adjacent_find(pooled.begin(), pooled.end()) != pooled.end();
}

}  // namespace

double median(std::span<const double> samples) {
  return quantile(samples, 0.5);
}

double quantile(std::span<const double> samples, double q) {
  return quantile_of_sorted(sorted(samples), q);
}

Summary summarize(std::span<const double> samples) {
  Summary s;
  const std::vector<double> v = sorted(samples);
  s.n = v.size();
  s.min = v.front();
  s.max = v.back();
  s.median = quantile_of_sorted(v, 0.5);
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(s.n);
  if (s.n >= 2) {
    double sum_sq = 0;
    for (double x : v) sum_sq += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(sum_sq / static_cast<double>(s.n - 1));
  }
  std::vector<double> deviations;
  deviations.reserve(v.size());
  for (double x : v) deviations.push_back(std::fabs(x - s.median));
  s.mad = median(deviations);
  s.cv = s.mean != 0 ? s.stddev / s.mean : 0;
  return s;
}

double geomean(std::span<const double> values) {
  if (values.empty()) return 0;
  double log_sum = 0;
  for (double v : values) log_sum += std::log(v);
  return std::exp(log_sum / static_cast<double>(values.size()));
}

double mann_whitney_sf(std::size_t m, std::size_t n, std::size_t u) {
  const std::vector<double> f = u_distribution(m, n);
  double tail = 0;
  for (std::size_t k = u; k < f.size(); ++k) tail += f[k];
  return std::min(tail, 1.0);
}

MannWhitney mann_whitney_u(std::span<const double> x, std::span<const double> y) {
  const std::size_t m = x.size();
  const std::size_t n = y.size();
  std::vector<double> pooled(x.begin(), x.end());
  pooled.insert(pooled.end(), y.begin(), y.end());
  const std::vector<double> ranks = average_ranks(pooled);
  const double r1 = std::accumulate(ranks.begin(), ranks.begin() + static_cast<long>(m), 0.0);
  const double md = static_cast<double>(m);
  const double nd = static_cast<double>(n);
  MannWhitney result;
  result.u = r1 - md * (md + 1) / 2;
  const double u = std::max(result.u, md * nd - result.u);
  result.exact = (m <= 8 || n <= 8) && !has_ties(pooled);
  if (result.exact) {
    result.p_value = 2 * mann_whitney_sf(m, n, static_cast<std::size_t>(std::llround(u)));
  } else {
    // Tie correction: sum of t^3 - t over groups of t equal values.
    std::vector<double> sorted_ranks = ranks;
    std::sort(sorted_ranks.begin(), sorted_ranks.end());
    double tie_term = 0;
    for (std::size_t i = 0; i < sorted_ranks.size();) {
      std::size_t j = i;
      while (j < sorted_ranks.size() && sorted_ranks[j] == sorted_ranks[i]) ++j;
      const double t = static_cast<double>(j - i);
      tie_term += t * t * t - t;
      i = j;
    }
    const double total = md + nd;
    const double s = std::sqrt(md * nd / 12 * ((total + 1) - tie_term / (total * (total - 1))));
    const double z = (u - md * nd / 2 - 0.5) / s;  // continuity correction
    result.p_value = s > 0 ? 2 * normal_sf(z) : 1.0;
  }
  result.p_value = std::clamp(result.p_value, 0.0, 1.0);
  return result;
}

Ratio ratio_interval(std::span<const double> a, std::span<const double> b, double confidence) {
  const std::size_t m = a.size();
  const std::size_t n = b.size();
  std::vector<double> differences;
  differences.reserve(m * n);
  for (double x : a) {
    for (double y : b) differences.push_back(std::log(x) - std::log(y));
  }
  std::sort(differences.begin(), differences.end());
  Ratio r;
  r.estimate = std::exp(quantile_of_sorted(differences, 0.5));
  const double alpha = 1 - confidence;
  const std::size_t mn = m * n;
  // k (1-based): the interval [d(k), d(mn+1-k)] covers the true shift with probability
  // 1 - 2 P(U <= k-1); take the largest k whose tail stays within alpha / 2.
  std::size_t k = 0;
  if (m <= 50 && n <= 50) {
    const std::vector<double> f = u_distribution(m, n);
    double tail = 0;  // P(U <= k - 1)
    while (k < mn / 2 && tail + f[k] <= alpha / 2) tail += f[k++];
    // With no k at the requested level, the full range is the widest interval there is.
    r.confidence = k == 0 ? 1 - 2 * f[0] : 1 - 2 * tail;
  } else {
    const double z = normal_isf(alpha / 2);
    const double md = static_cast<double>(m);
    const double nd = static_cast<double>(n);
    const double cut = md * nd / 2 - z * std::sqrt(md * nd * (md + nd + 1) / 12);
    k = cut >= 1 ? static_cast<std::size_t>(std::floor(cut)) : 0;
    r.confidence = confidence;
  }
  const std::size_t lo = k == 0 ? 0 : k - 1;  // 0-based index of d(k)
  const std::size_t hi = mn - 1 - lo;
  r.low = std::exp(differences[lo]);
  r.high = std::exp(differences[hi]);
  return r;
}

}  // namespace deferlab::stats
