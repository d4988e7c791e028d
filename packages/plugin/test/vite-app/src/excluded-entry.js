// Imports a module whose pragma has no page data: an error, unless the plugin is told to exclude it.
export { title } from './routes/no-data.js'
