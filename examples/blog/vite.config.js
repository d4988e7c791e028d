import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [revalidate()],
})
