import { tanstackStart } from '@tanstack/react-start/plugin/vite'
import revalidate from '@revalidate/plugin/vite'
import viteReact from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [revalidate(), tanstackStart(), viteReact()],
})
