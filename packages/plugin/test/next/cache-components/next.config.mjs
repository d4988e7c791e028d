import { withRevalidate } from '@revalidate/plugin/next'

export default withRevalidate({ cacheComponents: true })
