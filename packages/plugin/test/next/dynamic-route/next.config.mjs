import { withRevalidate } from '@revalidate/plugin/next'

export default withRevalidate({})
