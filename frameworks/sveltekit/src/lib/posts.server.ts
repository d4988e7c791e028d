// The app's data: the shared in-memory posts of the framework tests.
export * from '../../../test/posts-db'
