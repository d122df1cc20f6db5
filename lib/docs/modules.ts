// The docs tooling is synchronous and needs Ajv and fast-json-stringify at once (it validates the
// catalog as registration does): it loads the modules the plugin defers, statically.
import { modules } from '../deferred-modules.ts'
import { useDeferredModules } from '../deferred.ts'

useDeferredModules(modules)
