export { loader } from './routes/catalog.js'
export { queries } from './db.js'
