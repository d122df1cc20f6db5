'use strict'
// Reading the plugin's counter back from the metrics SDK: for the chart of a demo run
// (metric-chart.js) and for the benchmark's counted server and counter measurement (bench/).

/** The data points of `problem_details.problems` in one collection of the metrics SDK (a reader's `resourceMetrics`). */
function * problemPoints (resourceMetrics) {
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name === 'problem_details.problems') yield * metric.dataPoints
    }
  }
}

/** The sum of `problem_details.problems` in one collection (with delta temporality: what was added since the last one). */
function sumProblems (resourceMetrics) {
  let sum = 0
  for (const point of problemPoints(resourceMetrics)) sum += point.value
  return sum
}

module.exports = { problemPoints, sumProblems }
