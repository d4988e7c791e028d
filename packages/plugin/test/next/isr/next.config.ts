import type { NextConfig } from 'next'
import { withRevalidate } from '@revalidate/plugin/next'

const nextConfig: NextConfig = {
  reactStrictMode: true,
}

export default withRevalidate(nextConfig)
