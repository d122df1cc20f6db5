'use strict'
// Loaded with `node --require` into the demo service by scripts/metric-chart.js, before the demo's
// own code: it registers the metrics SDK as a service would (a global MeterProvider from
// @opentelemetry/sdk-metrics with a reader), so the plugin's counter `problem_details.problems`
// records into it. The demo itself is not changed: its NodeSDK has no metric reader and registers
// no MeterProvider of its own. On the parent's { type: 'collect' } it answers with the counter's
// cumulative value per problem code.
const { metrics } = require('@opentelemetry/api')
const { AggregationTemporality, MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics')
const { collect } = require('./metric-chart.js')

/** A reader collected when the parent asks, not on a timer: each collection closes one slice of the load. */
class OnDemandReader extends MetricReader {
  constructor () {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  }

  async onForceFlush () {}
  async onShutdown () {}
}

const reader = new OnDemandReader()
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))

process.on('message', async function onMessage (message) {
  if (message?.type !== 'collect') return
  const { resourceMetrics, errors } = await reader.collect()
  process.send({ type: 'collected', id: message.id, counts: collect(resourceMetrics), errors: errors.map(String) })
})
