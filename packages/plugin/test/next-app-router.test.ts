// A Next.js page below a dynamic segment is cached by Next only with generateStaticParams, in the
// page or in a layout above it (Next asks every segment's): the compiler reads the layouts above
// on disk before it refuses the pragma. (The real build of both cases is in test/next.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { transform } from '../src/transform.js'

const root = mkdtempSync(join(tmpdir(), 'next-app-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const PAGE = "// Pragma: revalidate 60\nexport default async function About({ params }) {\n  const { lang } = await params\n  const text = await about(lang)\n  return <p>{text}</p>\n}\n"

function compile(file: string) {
  const path = join(root, file)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, PAGE)
  return () => transform(PAGE, path, { target: 'vercel', framework: 'next', root })
}

describe('a Next.js page below a dynamic segment', () => {
  it('is refused without generateStaticParams in it or in a layout above', () => {
    expect(compile('app/[lang]/about/page.jsx')).toThrow(/about\/page\.jsx:1:1: \[RV507\] This page is below a dynamic segment and has no `generateStaticParams`/)
  })

  it('compiles when a layout above generates the params (an i18n root layout)', () => {
    const page = compile('app/[region]/about/page.jsx')
    writeFileSync(join(root, 'app/[region]/layout.tsx'), "export function generateStaticParams() { return [{ region: 'eu' }] }\nexport default function Layout({ children }) { return children }\n")
    expect(page()?.code).toContain('export const revalidate = 60;')
  })

  it('compiles a static route as before', () => {
    expect(compile('app/about/page.jsx')()?.page?.vercel).toBe('route segment config')
  })
})
