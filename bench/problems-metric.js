'use strict'
// Reading the plugin's counter back from the metrics SDK, for the benchmark's servers and scripts.

/** The sum of `problem_details.problems` in one collection (with delta temporality: what was added since the last one). */
function sumProblems (resourceMetrics) {
  let sum = 0
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name === 'problem_details.problems') for (const point of metric.dataPoints) sum += point.value
    }
  }
  return sum
}

module.exports = { sumProblems }
