import { reactRouter } from '@react-router/dev/vite'
import revalidate from '@revalidate/plugin/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [revalidate(), reactRouter()],
})
