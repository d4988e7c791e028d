export { transform, type CachedPage, type TransformResult } from './transform.js'
export { RevalidateError, type Loc } from './errors.js'
export { DEFAULT_LOADERS, DEFAULT_REQUEST_BOUND, DEFAULT_ROUTES_DIRS, type FrameworkName, type Target, type TransformOptions } from './options.js'
