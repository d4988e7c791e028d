// A TanStack Start app with a `# Pragma:` route file: TanStack's route generator would fail on it
// far from the pragma; the plugin stops the build at the line, with the `//` form.
import { tanstackStart } from '@tanstack/react-start/plugin/vite'
import revalidate from '@revalidate/plugin/vite'
import viteReact from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [revalidate(), tanstackStart(), viteReact()],
})
