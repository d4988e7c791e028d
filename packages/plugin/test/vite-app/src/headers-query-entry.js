// Imports a page that reads the request headers with a query on its id, as React Router's client build does.
export { loader } from './routes/reads-headers.js?__react-router-build-client-route'
