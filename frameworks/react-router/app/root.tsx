import { withCacheHeader } from '@revalidate/runtime/node'
import { Links, Meta, Outlet, Scripts, ScrollRestoration, type MiddlewareFunction } from 'react-router'

// Every response says where its page data came from: x-revalidate: HIT, STALE or MISS.
export const middleware: MiddlewareFunction<Response>[] = [(_args, next) => withCacheHeader(next)]

export function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  )
}

export default function App() {
  return <Outlet />
}
