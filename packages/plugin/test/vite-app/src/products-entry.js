export { loader } from './routes/products.js'
