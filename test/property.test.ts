import t from 'tap'
import { runProperty } from './property-cases.ts'

// Seeded and reproducible: a failure prints its seed and path; set PROPERTY_SEED to replay it.
// `npm test` runs 100 cases per stage; `npm run test:long` runs 1,000 (PROPERTY_RUNS), and
// scripts/fuzz.js many more with a fresh seed.
const SEED = Number(process.env.PROPERTY_SEED ?? 20261123)
const RUNS_PER_STAGE = Number(process.env.PROPERTY_RUNS ?? 100)

t.test('whatever is thrown from any stage, the client gets a valid problem and nothing leaks', async (t) => {
  const cases = await runProperty(t, { seed: SEED, runsPerStage: RUNS_PER_STAGE })
  t.ok(cases >= Math.min(2000, RUNS_PER_STAGE * 9), `${cases} generated cases ran over HTTP`)
})

t.test('with 5xx messages exposed, no error member, a short detail bound and a throwing mapError, the promises still hold', async (t) => {
  const cases = await runProperty(t, { seed: SEED + 100, runsPerStage: Math.ceil(RUNS_PER_STAGE / 3), variant: 'exposed' })
  t.ok(cases > 0, `${cases} generated cases ran over HTTP`)
})
