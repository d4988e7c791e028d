// The browser target keeps entries in process memory (an LRU store) and background refreshes as
// promises the runtime holds: the universal runtime as it is.
export * from '../index.js'
