// @revalidate/runtime/inspector: the cache inspector as a fetch handler (see handler.ts), and a
// Node adapter for it.
export { DEFAULT_PATH, devInspector, inspector, type DevInspectorOptions, type InspectorHandler, type InspectorOptions } from './handler.js'
export type { InspectedCache, InspectedEntry, InspectedPage } from './listing.js'
export { toNodeListener } from './node.js'
