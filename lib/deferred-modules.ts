// The dependencies that only registration, member validation and the docs need. Nothing the
// entry point loads imports this file: `loadDeferredModules()` does, when the plugin registers
// (or `problemFromResponse` first runs), and the docs tooling, which needs them at once, does too.
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import fastJsonStringify from 'fast-json-stringify'

export const modules = Object.freeze({ Ajv, addFormats, fastJsonStringify })
